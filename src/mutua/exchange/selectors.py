"""Reads for the exchange: permission-aware, no N+1, never sensitive fields in lists.

Lists select from `Need` and `Offer` only; `NeedPrivate` and `SensitiveDetails` are read one
need at a time by `need_private_for`, which only the person, coordinators and the assigned
helper of an active commitment pass.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community, Membership
from mutua.core.errors import NotFound
from mutua.core.permissions import membership_of, require
from mutua.exchange.models import (
    LIVE_NEED_STATUSES,
    OPEN_NEED_STATUSES,
    PLACE_HOLDING,
    URGENCY_RANK,
    ExchangeSettings,
    Need,
    Offer,
    OfferRequest,
    Response,
    StandingArrangement,
)
from mutua.exchange.selectors_commitments import (  # noqa: F401 - part of this module
    commitment_get,
    commitment_list_for_need,
    expense_get,
    expense_list,
    feedback_visible,
    follow_up_queue,
    my_commitments,
    with_visible,
)
from mutua.exchange.selectors_private import (  # noqa: F401 - part of this module
    dispatch_call_list,
    need_private_for,
    need_role,
)
from mutua.exchange.services.common import (
    COORDINATE,
    is_coordinator,
    membership_fits,
    settings_for,
)
from mutua.people.models import Profile, User


@dataclass
class NeedFilters:
    area: str = ""
    kind: str = ""
    category: str = ""
    urgency: str = ""
    text: str = ""
    status: str = "open"  # "open" (open or partly committed), "all", or a status code


def _with_places(qs: QuerySet[Need]) -> QuerySet[Need]:
    return qs.annotate(
        places_taken=Count("commitments", filter=Q(commitments__status__in=PLACE_HOLDING))
    )


URGENCY_ORDER = Case(
    *[When(urgency=code, then=Value(rank)) for code, rank in URGENCY_RANK.items()],
    output_field=IntegerField(),
)
# The order of needs lists and the dispatch board: most urgent first, then oldest first; the
# public id breaks ties. API pages are cut on these keys (`paginate(..., keys=NEED_ORDER)`).
NEED_ORDER = ("urgency_rank", "created_at", "public_id")


def _not_blocked(viewer: User, field: str) -> Q:
    from mutua.trust.safeguarding import not_blocked  # blocks hide needs and offers both ways

    return not_blocked(viewer, field)


def _hidden_by_block(viewer: User | None, owner_id: int | None) -> bool:
    from mutua.trust.safeguarding import is_blocked  # blocks hide detail pages and links too

    return viewer is not None and viewer.pk != owner_id and is_blocked(viewer, owner_id)


def need_list(
    *, viewer: User, community: Community, filters: NeedFilters | None = None
) -> QuerySet[Need]:
    """Needs members see: public fields only (NeedPrivate is never joined)."""
    require(viewer, "community.view", community)
    f = filters or NeedFilters()
    qs = Need.objects.filter(community=community, is_private=False)
    if f.status == "open":
        qs = qs.filter(status__in=OPEN_NEED_STATUSES)
    elif f.status != "all":
        qs = qs.filter(status=f.status)
    if f.area:
        qs = qs.filter(Q(service_area__slug=f.area) | Q(service_area__parent__slug=f.area))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.category:
        qs = qs.filter(category__iexact=f.category)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.text:
        qs = qs.filter(Q(title__icontains=f.text) | Q(description__icontains=f.text))
    qs = qs.filter(_not_blocked(viewer, "author_id"))
    return (
        _with_places(qs)
        .select_related("community", "service_area", "author__profile", "duplicate_of")
        .prefetch_related("skills")
        .annotate(urgency_rank=URGENCY_ORDER)
        .order_by(*NEED_ORDER)
    )


def needs_i_could_help_with(*, viewer: User, community: Community) -> QuerySet[Need]:
    """Open needs that fit my skills, area, vehicle, vetting and weekly availability."""
    membership = require(viewer, "community.view", community)
    profile = Profile.objects.prefetch_related("profile_skills", "availability").get(user=viewer)
    today = timezone.localdate()
    qs = need_list(viewer=viewer, community=community).exclude(author=viewer)
    if profile.is_on_break(today):
        return qs.none()
    my_skills = [ps.skill_id for ps in profile.profile_skills.all()]
    qs = qs.filter(Q(skills__isnull=True) | Q(skills__in=my_skills))
    if membership.service_area_id:
        qs = qs.filter(
            Q(service_area__isnull=True)
            | Q(service_area_id=membership.service_area_id)
            | Q(service_area__parent_id=membership.service_area_id)
            | Q(service_area_id=membership.service_area.parent_id)
        )
    if not profile.has_car:
        qs = qs.exclude(requirements__icontains='"car"')
    if not profile.has_accessible_vehicle:
        qs = qs.exclude(requirements__icontains='"accessible_vehicle"')
    if not (membership.vetted_until and membership.vetted_until >= today):
        qs = qs.exclude(requirements__icontains='"vetted"')
    if profile.has_pets:
        qs = qs.exclude(requirements__icontains='"no_pets"')
    same_gender = Q(requirements__icontains='"same_gender"')
    if profile.gender:
        qs = qs.exclude(same_gender & ~Q(gender_wanted=profile.gender))
    else:
        qs = qs.exclude(same_gender)
    weekdays = sorted({w.weekday for w in profile.availability.all()})
    if weekdays:
        # Django's week_day is 1 = Sunday … 7 = Saturday; ours is 0 = Monday.
        django_days = [(d + 1) % 7 + 1 for d in weekdays]
        qs = qs.filter(Q(starts_at__isnull=True) | Q(starts_at__week_day__in=django_days))
    return qs.distinct()


def _need_or_404(public_id: str) -> Need:
    need = (
        Need.objects.select_related(
            "community", "service_area", "author__profile", "contact__profile", "duplicate_of"
        )
        .prefetch_related("skills")
        .filter(public_id=public_id)
        .first()
    )
    if need is None:
        raise NotFound(_("There is no such need."))
    return need


def sees_private_need(viewer: User | None, need: Need) -> bool:
    """A private need is for its person, its helpers and coordinators only."""
    if not need.is_private:
        return True
    if viewer is None or viewer.pk is None:
        return False
    if viewer.pk in (need.author_id, need.contact_id) or is_coordinator(viewer, need.community):
        return True
    return need.commitments.filter(helper=viewer).exists()


def need_get(*, viewer: User, public_id: str, community: Community | None = None) -> Need:
    """One need's public summary, for members of its community (a private need: for its
    person, its helpers and coordinators)."""
    need = _need_or_404(public_id)
    if community is not None and need.community_id != community.pk:
        raise NotFound(_("There is no such need."))
    require(viewer, "community.view", need.community)
    if _hidden_by_block(viewer, need.author_id) or not sees_private_need(viewer, need):
        raise NotFound(_("There is no such need."))
    need.places_taken = need.commitments.filter(status__in=PLACE_HOLDING).count()  # type: ignore[attr-defined]
    return need


def need_closing_for(*, viewer: User, need: Need) -> dict | None:
    """How a closed need ended (call after need_get): the reason and the need it repeats for
    every member who sees it; the note only for the person, its helpers and coordinators."""
    if need.status in LIVE_NEED_STATUSES:
        return None
    party = (
        viewer.pk in (need.author_id, need.contact_id)
        or is_coordinator(viewer, need.community)
        or need.commitments.filter(helper=viewer).exists()
    )
    return {
        "status": need.status,
        "duplicate_of": need.duplicate_of,
        "note": need.close_note if party else "",
    }


def need_get_for_edit(*, viewer: User, public_id: str, community: Community) -> Need:
    """A need its person or a coordinator may change; anyone else is refused."""
    from mutua.exchange.services.common import require_person_or_coordinator

    need = need_get(viewer=viewer, public_id=public_id, community=community)
    require_person_or_coordinator(viewer, need)
    return need


def response_list(*, viewer: User, need: Need) -> QuerySet[Response]:
    """The person and coordinators see every response; a helper sees their own."""
    qs = Response.objects.filter(need=need).select_related("helper__profile")
    if need_role(viewer, need) in ("person", "coordinator"):
        return qs
    return qs.filter(helper=viewer)


def dispatch_board(
    *, viewer: User, community: Community, filters: NeedFilters | None = None, skill: int = 0
) -> QuerySet[Need]:
    """Unanswered needs for coordinators, by urgency then age (oldest first)."""
    require(viewer, COORDINATE, community)
    qs = need_list(viewer=viewer, community=community, filters=filters)
    if skill:
        qs = qs.filter(skills__id=skill)
    return qs.annotate(
        pending_responses=Count("responses", filter=Q(responses__status="pending"), distinct=True)
    )


def offer_list(
    *, viewer: User, community: Community, filters: NeedFilters | None = None
) -> QuerySet[Offer]:
    require(viewer, "community.view", community)
    f = filters or NeedFilters()
    qs = Offer.objects.filter(community=community, status="open")
    if f.area:  # an area takes in its sub-areas, as for needs
        qs = qs.filter(Q(service_area__slug=f.area) | Q(service_area__parent__slug=f.area))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.category:
        qs = qs.filter(category__iexact=f.category)
    if f.text:
        qs = qs.filter(Q(title__icontains=f.text) | Q(description__icontains=f.text))
    qs = qs.filter(_not_blocked(viewer, "owner_id"))
    return qs.select_related("service_area", "owner__profile").prefetch_related("skills")


def offer_get(*, viewer: User, public_id: str, community: Community | None = None) -> Offer:
    offer = (
        Offer.objects.select_related("community", "owner__profile", "service_area")
        .filter(public_id=public_id)
        .first()
    )
    if offer is None or (community is not None and offer.community_id != community.pk):
        raise NotFound(_("There is no such offer."))
    require(viewer, "community.view", offer.community)
    if _hidden_by_block(viewer, offer.owner_id):
        raise NotFound(_("There is no such offer."))
    return offer


def need_share_summary(*, viewer: User | None, public_id: str) -> tuple[Need, bool]:
    """The shareable link: (need, is_member). Non-members learn only the community's name."""
    need = _need_or_404(public_id)
    if not sees_private_need(viewer, need):
        raise NotFound(_("There is no such need."))
    return need, membership_of(viewer, need.community) is not None  # type: ignore[arg-type]


def helper_pool(*, viewer: User, community: Community) -> list[Membership]:
    """Active members a coordinator may pick as helpers, not on a break, by name (one query)."""
    require(viewer, COORDINATE, community)
    today = timezone.localdate()
    on_break = Q(user__profile__capacity_status="break") & (
        Q(user__profile__break_until__isnull=True) | Q(user__profile__break_until__gte=today)
    )
    return list(
        Membership.objects.filter(community=community, status="active", user__is_active=True)
        .exclude(on_break)
        .select_related("user__profile")
        .order_by("user__profile__display_name", "pk")
    )


def helpers_for(
    pool: list[Membership], need: Need, blocked: set[tuple[int, int]] | None = None
) -> list[Membership]:
    """The members of `pool` who meet this need's requirements and are not kept apart from
    its person by a block (`blocked`, from `blocked_pairs`; no queries)."""
    today = timezone.localdate()
    pairs = blocked or set()
    return [m for m in pool if membership_fits(m, need, today, pairs)]


def blocked_pairs(user_ids: set[int]) -> set[tuple[int, int]]:
    """(a, b) for every block between one of `user_ids` and anyone, both ways (one query)."""
    from mutua.trust.models import Block

    rows = Block.objects.filter(Q(blocker_id__in=user_ids) | Q(blocked_id__in=user_ids))
    pairs: set[tuple[int, int]] = set()
    for a, b in rows.values_list("blocker_id", "blocked_id"):
        pairs.update({(a, b), (b, a)})
    return pairs


def member_user(
    *, community: Community, public_id: str, field: str = "helper", by_membership: bool = False
) -> User:
    """An active member of the community by their user id (or membership id), or a field error."""
    key = "public_id" if by_membership else "user__public_id"
    membership = (
        Membership.objects.filter(community=community, status="active", **{key: public_id or "-"})
        .select_related("user__profile")
        .first()
    )
    if membership is None:
        from mutua.exchange.services.common import invalid

        raise invalid(field, _("Please choose a member of this community."))
    return membership.user


def arrangement_list(*, viewer: User, community: Community) -> QuerySet[StandingArrangement]:
    """Coordinators see every standing arrangement; others those they receive or give."""
    require(viewer, "community.view", community)
    qs = StandingArrangement.objects.filter(community=community)
    if not is_coordinator(viewer, community):
        qs = qs.filter(Q(person=viewer) | Q(helper=viewer))
    return qs.select_related("person__profile", "helper__profile", "contact__profile").order_by(
        "created_at", "id"
    )


def arrangement_get(
    *, viewer: User, public_id: str, community: Community | None = None
) -> StandingArrangement:
    arrangement = (
        StandingArrangement.objects.select_related(
            "community", "person__profile", "helper__profile", "contact__profile"
        )
        .filter(public_id=public_id)
        .first()
    )
    if arrangement is None or (community is not None and arrangement.community_id != community.pk):
        raise NotFound(_("There is no such arrangement."))
    if not arrangement_list(viewer=viewer, community=arrangement.community).filter(
        pk=arrangement.pk
    ):
        raise NotFound(_("There is no such arrangement."))
    return arrangement


def arrangement_occurrences(*, arrangement: StandingArrangement) -> QuerySet[Need]:
    """The needs an arrangement made, soonest first (call after arrangement_get)."""
    return Need.objects.filter(arrangement=arrangement).order_by("starts_at", "id")


def offer_request_list(*, viewer: User, offer: Offer) -> QuerySet[OfferRequest]:
    """The owner sees every request for their offer; anyone else only their own."""
    qs = OfferRequest.objects.filter(offer=offer).select_related("requester__profile")
    if viewer.pk == offer.owner_id:
        return qs
    return qs.filter(requester=viewer)


def offer_request_get(*, viewer: User, public_id: str) -> OfferRequest:
    """A request, for its owner-of-offer or its requester only."""
    request = (
        OfferRequest.objects.select_related("offer__community", "requester")
        .filter(public_id=public_id)
        .filter(Q(requester=viewer) | Q(offer__owner=viewer))
        .first()
    )
    if request is None:
        raise NotFound(_("There is no such request."))
    require(viewer, "community.view", request.offer.community)
    return request


def exchange_settings_get(*, viewer: User, community: Community) -> ExchangeSettings:
    """The community's categories and timings: every member may read them (posting needs the
    categories)."""
    require(viewer, "community.view", community)
    return settings_for(community)
