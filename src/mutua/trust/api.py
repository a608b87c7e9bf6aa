"""API: my trust, members' levels, vouches, met in person, settings and the coordinators' view.

Each endpoint parses with a schema, calls one service or selector and renders. Levels and
explanations are shown, raw scores never. Blocks, concerns and suspension: `api_safeguarding`.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug, Str300
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.communities.models import Membership
from mutua.communities.selectors import community_get
from mutua.core.errors import NotFound
from mutua.trust import configure, selectors, services
from mutua.trust.api_safeguarding import router as safeguarding_router
from mutua.trust.models import SETTING_RANGES, Vouch

router = Router(tags=["trust"])
router.add_router("", safeguarding_router)


class GateOut(Schema):
    what: str
    level_needed: str


class MyTrustOut(Schema):
    level: str
    level_label: str
    explanation: str
    can: list[str]
    not_yet: list[GateOut]


class LevelOut(Schema):
    member: str
    level: str


class VouchIn(In):
    member: PublicId
    note: Str300 = ""


class VouchOut(Schema):
    id: str
    member: str
    note: str


class OverviewOut(Schema):
    new: int
    known: int
    trusted: int
    computed: int | None = None
    computed_at: dt.datetime | None = None


class MemberTrustOut(Schema):
    member: str
    name: str
    level: Literal["new", "known", "trusted"]
    level_label: str
    explanation: str
    met_in_person: bool


class MetOut(Schema):
    member: str
    met_in_person: bool


def _lo(name: str) -> float:
    return SETTING_RANGES[name][0]


def _hi(name: str) -> float:
    return SETTING_RANGES[name][1]


class TrustSettingsIn(In):
    gates_enabled: bool | None = None
    vouch_monthly_limit: int | None = Field(
        None, ge=_lo("vouch_monthly_limit"), le=_hi("vouch_monthly_limit")
    )
    known_at: float | None = Field(
        None, allow_inf_nan=False, ge=_lo("known_at"), le=_hi("known_at")
    )
    trusted_at: float | None = Field(
        None, allow_inf_nan=False, ge=_lo("trusted_at"), le=_hi("trusted_at")
    )
    min_backers: int | None = Field(None, ge=_lo("min_backers"), le=_hi("min_backers"))
    damping: float | None = Field(None, allow_inf_nan=False, ge=_lo("damping"), le=_hi("damping"))


class TrustSettingsOut(Schema):
    gates_enabled: bool
    vouch_monthly_limit: int
    known_at: float
    trusted_at: float
    min_backers: int
    damping: float
    computed_at: dt.datetime | None = None


def _viewer(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _member(community, public_id: str) -> Membership:
    found = (
        Membership.objects.select_related("user", "community")
        .filter(community=community, public_id=public_id)
        .first()
    )
    if found is None:
        raise NotFound(_("This member was not found."))
    return found


@router.get(
    "/communities/{slug}/trust/me", response=responses({200: MyTrustOut}), summary="My trust"
)
def my_trust(request: HttpRequest, slug: Slug) -> Any:
    mine = selectors.my_trust(viewer=_viewer(request), community=community_get(slug=slug))
    return {
        "level": mine.level,
        "level_label": mine.level_label,
        "explanation": mine.explanation,
        "can": mine.can,
        "not_yet": [{"what": w, "level_needed": lvl} for w, lvl in mine.cannot],
    }


@router.get(
    "/communities/{slug}/members/{public_id}/trust",
    response=responses({200: LevelOut}),
    summary="A member's trust level (never the score)",
)
def member_level(request: HttpRequest, slug: Slug, public_id: PublicId) -> Any:
    membership = _member(community_get(slug=slug), public_id)
    level = selectors.member_level(viewer=_viewer(request), membership=membership)
    if not level:
        raise NotFound(_("This member was not found."))
    return {"member": membership.public_id, "level": level}


@router.post(
    "/communities/{slug}/vouches", response=responses({201: VouchOut}), summary="Vouch for a member"
)
def vouch_create(request: HttpRequest, slug: Slug, payload: VouchIn) -> Any:
    community = community_get(slug=slug)
    membership = _member(community, payload.member)
    vouch = services.vouch_create(
        voucher=_viewer(request), vouchee=membership.user, community=community, note=payload.note
    )
    return Status(201, {"id": vouch.public_id, "member": membership.public_id, "note": vouch.note})


@router.post(
    "/vouches/{public_id}/revoke",
    response=responses({204: None}),
    summary="Withdraw a vouch",
)
def vouch_revoke(request: HttpRequest, public_id: PublicId) -> Any:
    vouch = Vouch.objects.filter(public_id=public_id).first()
    if vouch is None:
        raise NotFound(_("This vouch was not found."))
    services.vouch_revoke(actor=_viewer(request), vouch=vouch)
    return Status(204, None)


def _set_met(request: HttpRequest, slug: str, public_id: str, met: bool) -> Membership:
    community = community_get(slug=slug)
    membership = _member(community, public_id)
    services.verification_set(
        actor=_viewer(request), community=community, user=membership.user, met_in_person=met
    )
    return membership


@router.put(
    "/communities/{slug}/members/{public_id}/met-in-person",
    response=responses({200: MetOut}),
    summary="Coordinators: record meeting a member in person",
)
def met_in_person_set(request: HttpRequest, slug: Slug, public_id: PublicId) -> Any:
    membership = _set_met(request, slug, public_id, True)
    return {"member": membership.public_id, "met_in_person": True}


@router.delete(
    "/communities/{slug}/members/{public_id}/met-in-person",
    response=responses({204: None}),
    summary="Coordinators: withdraw the record of meeting a member in person",
)
def met_in_person_withdraw(request: HttpRequest, slug: Slug, public_id: PublicId) -> Any:
    _set_met(request, slug, public_id, False)
    return Status(204, None)


def _counts(viewer, community, computed: int | None = None) -> dict:
    data = selectors.trust_overview(viewer=viewer, community=community, limit=0)
    return {**data.counts, "computed": computed, "computed_at": data.computed_at}


@router.get(
    "/communities/{slug}/trust/overview",
    response=responses({200: OverviewOut}),
    summary="Coordinators: how many members at each level (rows: /trust/members)",
)
def overview(request: HttpRequest, slug: Slug) -> Any:
    return _counts(_viewer(request), community_get(slug=slug))


@router.get(
    "/communities/{slug}/trust/members",
    response=responses({200: Page[MemberTrustOut]}),
    summary="Coordinators: each member's level and why (never the score)",
)
def members(
    request: HttpRequest,
    slug: Slug,
    page: Query[PageQuery],
    level: Literal["new", "known", "trusted"] | None = None,
) -> Any:
    qs = selectors.trust_member_list(
        viewer=_viewer(request), community=community_get(slug=slug), level=level
    )
    result = paginate(qs, page)
    result["items"] = [selectors.member_trust_row(m) for m in result["items"]]
    return result


@router.post(
    "/communities/{slug}/trust/recompute",
    response=responses({200: OverviewOut}),
    summary="Coordinators: compute trust now",
)
def recompute(request: HttpRequest, slug: Slug) -> Any:
    viewer = _viewer(request)
    community = community_get(slug=slug)
    count = services.trust_recompute_request(actor=viewer, community=community)
    return _counts(viewer, community, count)


def _settings(conf) -> dict:
    return {f: getattr(conf, f) for f in (*configure.SETTING_FIELDS, "computed_at")}


@router.get(
    "/communities/{slug}/trust/settings",
    response=responses({200: TrustSettingsOut}),
    summary="Coordinators: the community's trust settings",
)
def settings_get(request: HttpRequest, slug: Slug) -> Any:
    view = selectors.trust_settings_get(viewer=_viewer(request), community=community_get(slug=slug))
    return _settings(view.settings)


@router.patch(
    "/communities/{slug}/trust/settings",
    response=responses({200: TrustSettingsOut}),
    summary="Switch the gates and set the vouch limit (coordinators); thresholds (stewards)",
)
def settings_update(request: HttpRequest, slug: Slug, payload: TrustSettingsIn) -> Any:
    conf = configure.trust_settings_update(
        actor=_viewer(request),
        community=community_get(slug=slug),
        **payload.model_dump(exclude_unset=True),
    )
    return _settings(conf)
