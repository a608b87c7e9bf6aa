"""API: needs, responses, commitments and completion (offers, commitment reads and settings
join this router from api_offers.py, api_commitments.py and api_settings.py).

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
GenderCode = Literal["", "woman", "man", "non_binary"]


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
    service_area: str | None = Field(None, alias="service_area.slug")
    skills: list[str] = Field(default_factory=list, description="Skill slugs")
    is_on_behalf: bool = Field(
        False, description="Posted by a coordinator for someone without an account"
    )
    duplicate_of: str | None = Field(
        None, alias="duplicate_of.public_id", description="Closed as a duplicate of this need"
    )
    emergency_number: str | None = Field(
        None, description="For urgent needs: Mutua is not an emergency service, call this"
    )
    created_at: dt.datetime

    @staticmethod
    def resolve_skills(obj: Any) -> list[str]:
        return [s.slug for s in obj.skills.all()]

    @staticmethod
    def resolve_emergency_number(obj: Any) -> str | None:
        return obj.community.emergency_number if obj.is_urgent else None


class NeedPrivateOut(Schema):
    address: str
    access_notes: str
    contact_phone: str
    person: dict[str, str]
    gender_wanted: str = Field(
        "", description="Same-gender needs: the person and coordinators only"
    )
    withheld_reason: str = Field(
        "", description="Why these details are not shown to you yet (the home-address gate)"
    )
    withheld_from: list[str] = Field(
        default_factory=list, description="Helpers who are not shown the details yet"
    )


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
    gender_wanted: GenderCode = Field(
        "",
        description="With same_gender: the helper's gender asked for (coordinators at intake; "
        "by default the person's own)",
    )
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


class CommitmentFeedbackOut(Schema):
    id: str = Field(alias="public_id")
    kind: str
    text: str
    author: str | None = Field(None, alias="author.public_id")
    recipient: str | None = Field(None, alias="recipient.public_id")
    created_at: dt.datetime


class ExpenseOut(Schema):
    id: str = Field(alias="public_id")
    amount: Decimal
    currency: str
    note: str
    repaid_at: dt.datetime | None
    created_at: dt.datetime


HOW_IT_WENT = "The helper, the person and coordinators only; null for other members"


def _how_it_went(obj: Any, value: Any) -> Any:
    """How the help went, for those with a side in it (set by `selectors.with_visible`)."""
    return value if getattr(obj, "viewer_side", "") else None


class CommitmentOut(Schema):
    id: str = Field(alias="public_id")
    need: str = Field(alias="need.public_id")
    need_title: str = Field("", alias="need.title")
    helper: str = Field(alias="helper.public_id")
    helper_name: str = ""
    status: str
    due_at: dt.datetime
    hours: Decimal | None = Field(None, description=HOW_IT_WENT)
    done_marked_by: str | None = Field(None, alias="done_marked_by.public_id")
    done_marked_at: dt.datetime | None = None
    confirmed_at: dt.datetime | None
    auto_confirmed: bool
    dispute_until: dt.datetime | None = None
    no_show_reported: bool | None = Field(None, description=HOW_IT_WENT)
    disputed: bool | None = Field(None, description=HOW_IT_WENT)
    follow_up: bool | None = Field(None, description=HOW_IT_WENT)
    my_side: str = Field(
        "", description="helper, person, coordinator, or empty: what you may do with it"
    )
    feedback: list[CommitmentFeedbackOut] = Field(
        default_factory=list,
        description="Thanks you wrote or received; coordinators also see private feedback",
    )
    expenses: list[ExpenseOut] = Field(
        default_factory=list, description="The helper, the person and coordinators only"
    )
    created_at: dt.datetime

    @staticmethod
    def resolve_helper_name(obj: Any) -> str:
        return str(obj.helper)

    @staticmethod
    def resolve_hours(obj: Any) -> Decimal | None:
        return _how_it_went(obj, obj.hours)

    @staticmethod
    def resolve_no_show_reported(obj: Any) -> bool | None:
        return _how_it_went(obj, obj.no_show_reported_at is not None)

    @staticmethod
    def resolve_disputed(obj: Any) -> bool | None:
        return _how_it_went(obj, obj.disputed_at is not None)

    @staticmethod
    def resolve_follow_up(obj: Any) -> bool | None:
        return _how_it_went(obj, obj.follow_up)

    @staticmethod
    def resolve_my_side(obj: Any) -> str:
        return getattr(obj, "viewer_side", "")

    @staticmethod
    def resolve_feedback(obj: Any) -> list:
        return getattr(obj, "visible_feedback", [])

    @staticmethod
    def resolve_expenses(obj: Any) -> list:
        return getattr(obj, "visible_expenses", [])


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


def _seen(request: HttpRequest, commitment: Commitment) -> Commitment:
    """The commitment with what this viewer may read of it (thanks, feedback, expenses)."""
    return selectors.with_visible(viewer=_viewer(request), commitments=[commitment])[0]


def _commitment(request, public_id: str) -> Commitment:
    return selectors.commitment_get(viewer=_viewer(request), public_id=public_id)


@router.get(
    "/communities/{slug}/needs",
    response=responses({200: Page[NeedOut]}),
    summary="Open needs, most urgent first, then oldest first",
    description="Ordered by urgency (immediate, day, week, flexible), then by age, oldest "
    "first, as on the web; `next_cursor` continues in the same order.",
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
    return paginate(qs, page, keys=selectors.NEED_ORDER)


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


class NeedCloseIn(In):
    status: Literal["done", "not_needed", "duplicate", "cancelled", "expired"] = Field(
        "not_needed", description="Why the need is closed: the status it ends in"
    )
    duplicate_of: PublicId | None = Field(
        None, description="With duplicate: the id of the need of the same community it repeats"
    )
    note: Str1000 = Field(
        "", description="Private: read only by the person, the helpers and coordinators"
    )


class NeedClosingOut(Schema):
    status: str
    duplicate_of: str | None = Field(None, description="The id of the need it repeats")
    note: str = Field("", description="Empty unless you are the person, a helper or coordinator")


@router.post("/needs/{need_id}/close", response=responses({200: NeedOut}), summary="Close a need")
def needs_close(request: HttpRequest, need_id: PublicId, payload: NeedCloseIn) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    return services.need_close(
        actor=_viewer(request),
        need=need,
        status=payload.status,
        note=payload.note,
        duplicate_of=payload.duplicate_of or "",
    )


@router.get(
    "/needs/{need_id}/closing",
    response=responses({200: NeedClosingOut}),
    summary="How a closed need ended (the note: the person, the helpers, coordinators)",
)
def needs_closing(request: HttpRequest, need_id: PublicId) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    closing = selectors.need_closing_for(viewer=_viewer(request), need=need)
    if closing is None:
        raise NotFound(_("This need is not closed."))
    original = closing["duplicate_of"]
    return {**closing, "duplicate_of": original.public_id if original else None}


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
    done = services.response_accept(actor=_viewer(request), response=response)
    return Status(201, _seen(request, done))


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
    done = services.need_self_assign(helper=_viewer(request), need=need)
    return Status(201, _seen(request, done))


# The rest of the exchange's endpoints join this router (one router per path: Ninja answers a
# path from one router only, and main.py mounts this one).
from mutua.exchange import api_commitments, api_offers, api_settings  # noqa: E402, F401
