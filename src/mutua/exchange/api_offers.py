"""API: offers — list, post, one offer, renew, close (on the exchange router)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import (
    In,
    Latitude,
    Longitude,
    PublicId,
    SkillSlug,
    Slug,
    Str120,
    Str4000,
)
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.api.skills import skills_in
from mutua.communities.selectors import community_get
from mutua.exchange import selectors, services
from mutua.exchange.api import KindCode, NeedFilterQuery, _area, _viewer, router


class OfferIn(In):
    title: Str120
    description: Str4000 = ""
    kind: KindCode = "other"
    category: Str120 = ""
    service_area: Slug | None = None
    lat: Latitude | None = Field(None, description="Snapped to the community's cell size")
    lon: Longitude | None = None
    skills: list[SkillSlug] = Field(
        default_factory=list, max_length=30, description="Slugs from the community's skills."
    )
    available_note: Str120 = ""
    days: int = Field(30, ge=1, le=180)
    is_one_off: bool = Field(False, description="Given once: closes when a request is accepted")


class OfferOut(Schema):
    id: str = Field(alias="public_id")
    title: str
    description: str
    kind: str
    category: str
    status: str
    available_note: str
    is_one_off: bool
    service_area: str | None = Field(None, alias="service_area.slug")
    skills: list[str] = Field(default_factory=list, description="Skill slugs")
    approx_lat: float | None
    approx_lon: float | None
    expires_at: dt.datetime
    created_at: dt.datetime

    @staticmethod
    def resolve_skills(obj: Any) -> list[str]:
        return [s.slug for s in obj.skills.all()]


@router.get(
    "/communities/{slug}/offers", response=responses({200: Page[OfferOut]}), summary="Open offers"
)
def offers_list(
    request: HttpRequest, slug: Slug, page: Query[PageQuery], f: Query[NeedFilterQuery]
) -> Any:
    filters = selectors.NeedFilters(
        area=f.area or "", kind=f.kind or "", category=f.category or "", text=f.text or ""
    )
    return paginate(
        selectors.offer_list(
            viewer=_viewer(request), community=community_get(slug=slug), filters=filters
        ),
        page,
    )


@router.post(
    "/communities/{slug}/offers", response=responses({201: OfferOut}), summary="Offer something"
)
def offers_create(request: HttpRequest, slug: Slug, payload: OfferIn) -> Any:
    community = community_get(slug=slug)
    data = payload.model_dump()
    data["service_area"] = _area(community, data.pop("service_area"))
    data["skill_ids"] = [sk.pk for sk in skills_in(community=community, slugs=data.pop("skills"))]
    return Status(201, services.offer_post(owner=_viewer(request), community=community, **data))


@router.get("/offers/{offer_id}", response=responses({200: OfferOut}), summary="One offer")
def offers_get(request: HttpRequest, offer_id: PublicId) -> Any:
    return selectors.offer_get(viewer=_viewer(request), public_id=offer_id)


@router.post(
    "/offers/{offer_id}/renew",
    response=responses({200: OfferOut}),
    summary="Keep an offer open longer",
)
def offers_renew(
    request: HttpRequest, offer_id: PublicId, days: int = Query(30, ge=1, le=180)
) -> Any:  # type: ignore[assignment]
    offer = selectors.offer_get(viewer=_viewer(request), public_id=offer_id)
    return services.offer_renew(actor=_viewer(request), offer=offer, days=days)


@router.post(
    "/offers/{offer_id}/close",
    response=responses({200: OfferOut}),
    summary="Close an offer (its owner or a coordinator)",
)
def offers_close(request: HttpRequest, offer_id: PublicId) -> Any:
    offer = selectors.offer_get(viewer=_viewer(request), public_id=offer_id)
    return services.offer_close(actor=_viewer(request), offer=offer)
