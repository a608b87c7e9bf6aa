"""API: needs, responses, commitments and completion, offers.

Each endpoint parses with a schema, calls one service or selector and renders. Private details
of a need are returned only by `GET /needs/{id}/private`, to those the selector lets through.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field, StringConstraints

from mutua.api.errors import responses
from mutua.api.fields import (
    In,
    Latitude,
    Longitude,
    PublicId,
    SkillSlug,
    Slug,
    Str120,
    Str300,
    Str1000,
    Str2000,
    Str4000,
)
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.api.skills import skills_in
from mutua.communities.selectors import area_list, community_get
from mutua.core.errors import NotFound, ValidationFailed
from mutua.exchange import selectors, services
from mutua.exchange.models import Commitment, Response

router = Router(tags=["exchange"])

KindCode = Literal["goods", "errand", "skill", "ride", "companionship", "knowledge", "other"]
UrgencyCode = Literal["immediate", "day", "week", "flexible"]
RequirementCode = Literal["vetted", "same_gender", "car", "accessible_vehicle", "no_pets"]


class NeedOut(Schema):
    id: str = Field(alias="public_id")
    title: str
    description: str
    kind: str
    category: str
    urgency: str
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    expires_at: dt.datetime | None
    helpers_wanted: int
    places_taken: int = 0
    requirements: list[str]
    languages: list[str]
    allow_self_assign: bool
    approx_lat: float | None
    approx_lon: float | None
    created_at: dt.datetime


class NeedPrivateOut(Schema):
    address: str
    access_notes: str
    contact_phone: str
    person: dict[str, str]


class NeedIn(In):
    title: Str120
    description: Str4000 = ""
    kind: KindCode = "other"
    category: Str120 = ""
    urgency: UrgencyCode = "flexible"
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    service_area: Slug | None = None
    lat: Latitude | None = None
    lon: Longitude | None = None
    helpers_wanted: int = Field(1, ge=1, le=50)
    skills: list[SkillSlug] = Field(
        default_factory=list, max_length=30, description="Slugs from the community's skills."
    )
    languages: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]] = Field(
        default_factory=list, max_length=10
    )
    requirements: list[RequirementCode] = Field(default_factory=list, max_length=5)
    allow_self_assign: bool = False
    address: Str300 = ""
    access_notes: Str1000 = ""
    contact_phone: Str120 = ""
    on_behalf_name: Str120 = ""
    consent_given: bool = False
    consent_note: Str300 = ""


class ResponseIn(In):
    message: Str1000 = ""
    proposed_time: Str120 = ""


class ResponseOut(Schema):
    id: str = Field(alias="public_id")
    helper: str = Field(alias="helper.public_id")
    message: str
    proposed_time: str
    status: str
    created_at: dt.datetime


class CommitmentOut(Schema):
    id: str = Field(alias="public_id")
    need: str = Field(alias="need.public_id")
    helper: str = Field(alias="helper.public_id")
    status: str
    due_at: dt.datetime
    hours: Decimal | None
    confirmed_at: dt.datetime | None
    auto_confirmed: bool
    follow_up: bool
    created_at: dt.datetime


class HoursIn(In):
    hours: Decimal | None = Field(None, ge=0, le=24)


class FeedbackIn(In):
    kind: Literal["thanks", "feedback"] = "thanks"
    text: Str2000


class NoteIn(In):
    note: Str1000 = ""


class ExpenseIn(In):
    amount: Decimal = Field(gt=0, le=100_000)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    note: Str300 = ""


class ExpenseOut(Schema):
    id: str = Field(alias="public_id")
    amount: Decimal
    currency: str
    note: str
    repaid_at: dt.datetime | None


class OfferIn(In):
    title: Str120
    description: Str4000 = ""
    kind: KindCode = "other"
    category: Str120 = ""
    service_area: Slug | None = None
    available_note: Str120 = ""
    days: int = Field(30, ge=1, le=180)


class OfferOut(Schema):
    id: str = Field(alias="public_id")
    title: str
    description: str
    kind: str
    category: str
    status: str
    available_note: str
    expires_at: dt.datetime
    created_at: dt.datetime


class NeedFilterQuery(Schema):
    area: Slug | None = None
    kind: KindCode | None = None
    category: Str120 | None = None
    urgency: UrgencyCode | None = None
    text: Str120 | None = None
    for_me: bool = False


def _viewer(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _area(community, slug):
    if slug is None:
        return None
    area = area_list(community=community).filter(slug=slug).first()
    if area is None:
        message = _("This community has no area with this name.")
        raise ValidationFailed(message, field_errors={"service_area": [message]})
    return area


def _commitment(request, public_id: str) -> Commitment:
    return selectors.commitment_get(viewer=_viewer(request), public_id=public_id)


@router.get(
    "/communities/{slug}/needs", response=responses({200: Page[NeedOut]}), summary="Open needs"
)
def needs_list(
    request: HttpRequest, slug: Slug, page: Query[PageQuery], f: Query[NeedFilterQuery]
) -> Any:
    community = community_get(slug=slug)
    if f.for_me:
        qs = selectors.needs_i_could_help_with(viewer=_viewer(request), community=community)
    else:
        filters = selectors.NeedFilters(
            area=f.area or "",
            kind=f.kind or "",
            category=f.category or "",
            urgency=f.urgency or "",
            text=f.text or "",
        )
        qs = selectors.need_list(viewer=_viewer(request), community=community, filters=filters)
    return paginate(qs, page)


@router.post("/communities/{slug}/needs", response=responses({201: NeedOut}), summary="Post a need")
def needs_create(request: HttpRequest, slug: Slug, payload: NeedIn) -> Any:
    community = community_get(slug=slug)
    data = payload.model_dump()
    data["service_area"] = _area(community, data.pop("service_area"))
    data["skill_ids"] = [sk.pk for sk in skills_in(community=community, slugs=data.pop("skills"))]
    need = services.need_post(actor=_viewer(request), community=community, **data)
    return Status(201, need)


@router.get(
    "/needs/{need_id}", response=responses({200: NeedOut}), summary="One need (public summary)"
)
def needs_get(request: HttpRequest, need_id: PublicId) -> Any:
    return selectors.need_get(viewer=_viewer(request), public_id=need_id)


@router.get(
    "/needs/{need_id}/private",
    response=responses({200: NeedPrivateOut}),
    summary="Private details (the person, coordinators, the assigned helper)",
)
def needs_private(request: HttpRequest, need_id: PublicId) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    private = selectors.need_private_for(viewer=_viewer(request), need=need)
    if private is None:
        raise NotFound(_("There is nothing for you here."))
    return private


@router.post("/needs/{need_id}/close", response=responses({200: NeedOut}), summary="Close a need")
def needs_close(
    request: HttpRequest,
    need_id: PublicId,
    status: Literal["cancelled", "not_needed", "duplicate"] = "not_needed",
) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    return services.need_close(actor=_viewer(request), need=need, status=status)


@router.get(
    "/needs/{need_id}/responses",
    response=responses({200: Page[ResponseOut]}),
    summary="Offers of help",
)
def responses_list(request: HttpRequest, need_id: PublicId, page: Query[PageQuery]) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    return paginate(selectors.response_list(viewer=_viewer(request), need=need), page)


@router.post(
    "/needs/{need_id}/responses", response=responses({201: ResponseOut}), summary="Offer to help"
)
def responses_create(request: HttpRequest, need_id: PublicId, payload: ResponseIn) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    return Status(
        201, services.response_create(helper=_viewer(request), need=need, **payload.model_dump())
    )


def _response(request, response_id: str) -> Response:
    response = (
        Response.objects.select_related("need__community", "helper")
        .filter(public_id=response_id)
        .first()
    )
    if response is None:
        raise NotFound(_("There is no such offer of help."))
    selectors.need_get(viewer=_viewer(request), public_id=response.need.public_id)
    return response


@router.post(
    "/responses/{response_id}/accept",
    response=responses({201: CommitmentOut}),
    summary="Accept an offer of help",
)
def responses_accept(request: HttpRequest, response_id: PublicId) -> Any:
    response = _response(request, response_id)
    return Status(201, services.response_accept(actor=_viewer(request), response=response))


@router.post(
    "/responses/{response_id}/decline",
    response=responses({200: ResponseOut}),
    summary="Decline or withdraw",
)
def responses_decline(request: HttpRequest, response_id: PublicId) -> Any:
    return services.response_decline(
        actor=_viewer(request), response=_response(request, response_id)
    )


@router.post(
    "/needs/{need_id}/take",
    response=responses({201: CommitmentOut}),
    summary="Take a place directly",
)
def needs_take(request: HttpRequest, need_id: PublicId) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    return Status(201, services.need_self_assign(helper=_viewer(request), need=need))


@router.post(
    "/commitments/{commitment_id}/done",
    response=responses({200: CommitmentOut}),
    summary="Mark done",
)
def commitments_done(request: HttpRequest, commitment_id: PublicId, payload: HoursIn) -> Any:
    return services.commitment_mark_done(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), hours=payload.hours
    )


@router.post(
    "/commitments/{commitment_id}/confirm",
    response=responses({200: CommitmentOut}),
    summary="Confirm done",
)
def commitments_confirm(request: HttpRequest, commitment_id: PublicId, payload: HoursIn) -> Any:
    return services.commitment_confirm(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), hours=payload.hours
    )


@router.post(
    "/commitments/{commitment_id}/release",
    response=responses({200: CommitmentOut}),
    summary="Give the place back",
)
def commitments_release(request: HttpRequest, commitment_id: PublicId, payload: NoteIn) -> Any:
    return services.commitment_release(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), reason=payload.note
    )


@router.post(
    "/commitments/{commitment_id}/no-show",
    response=responses({200: CommitmentOut}),
    summary="Report a no-show",
)
def commitments_no_show(request: HttpRequest, commitment_id: PublicId, payload: NoteIn) -> Any:
    return services.commitment_report_no_show(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), note=payload.note
    )


@router.post(
    "/commitments/{commitment_id}/follow-up",
    response=responses({200: CommitmentOut}),
    summary="Ask a coordinator to follow up",
)
def commitments_follow_up(request: HttpRequest, commitment_id: PublicId, payload: NoteIn) -> Any:
    return services.commitment_flag_follow_up(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), note=payload.note
    )


@router.post(
    "/commitments/{commitment_id}/feedback",
    response=responses({204: None}),
    summary="Thank-you note or private feedback",
)
def commitments_feedback(request: HttpRequest, commitment_id: PublicId, payload: FeedbackIn) -> Any:
    services.feedback_give(
        actor=_viewer(request),
        commitment=_commitment(request, commitment_id),
        kind=payload.kind,
        text=payload.text,
    )
    return Status(204, None)


@router.post(
    "/commitments/{commitment_id}/expenses",
    response=responses({201: ExpenseOut}),
    summary="Record money spent",
)
def commitments_expense(request: HttpRequest, commitment_id: PublicId, payload: ExpenseIn) -> Any:
    expense = services.expense_record(
        actor=_viewer(request),
        commitment=_commitment(request, commitment_id),
        **payload.model_dump(),
    )
    return Status(201, expense)


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
    return Status(201, services.offer_post(owner=_viewer(request), community=community, **data))


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
