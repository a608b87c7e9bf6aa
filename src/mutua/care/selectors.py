"""Reads of the care app: a member's own plans, the circle view, the coordinator board."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.care.health import HEARTBEAT, stale_after_seconds, stuck_after
from mutua.care.history import event_words
from mutua.care.models import (
    Alert,
    AlertEvent,
    CarePlan,
    CareSettings,
    CircleContact,
    OnCallShift,
)
from mutua.care.services.common import (
    care_settings,
    community_drilling,
    drilling_now,
    is_active_member,
)
from mutua.communities.models import Community
from mutua.core.errors import NotFound
from mutua.core.health import heartbeat_age_ok
from mutua.core.permissions import can, require
from mutua.people.models import User

DUE_SOON = dt.timedelta(hours=2)


def _plans() -> QuerySet[CarePlan]:
    return CarePlan.objects.select_related(
        "community", "person__profile", "current_alert__held_by__profile"
    )


def plan_get(*, viewer: User, public_id: str) -> CarePlan:
    """The person, their accepted circle and coordinators may see a plan."""
    plan = _plans().filter(public_id=public_id).first()
    if plan is None or not plan_visible(viewer, plan):
        raise NotFound(_("This care plan was not found."))
    return plan


def plan_visible(viewer: User, plan: CarePlan) -> bool:
    """The person, coordinators, and accepted circle contacts who are still active members of
    the community. Someone only invited sees the invitation (`my_circles`), not the plan."""
    if not viewer.is_authenticated:
        return False
    if viewer.pk == plan.person_id or can(viewer, "care.coordinate", plan.community):
        return True
    return CircleContact.objects.filter(
        plan=plan, member=viewer, status="accepted"
    ).exists() and is_active_member(viewer, plan.community)


def drills_mark(plans: list[CarePlan], now: dt.datetime | None = None) -> list[CarePlan]:
    """Remember on each plan whether it runs as a drill (its own switch or its community's
    drill, while it runs), with one query for all, so pages label every drill TEST without a
    query per plan."""
    ids = {p.community_id for p in plans if "_care_drill" not in p.__dict__}
    drilling = (
        set(
            CareSettings.objects.filter(drilling_now(now), community_id__in=ids).values_list(
                "community_id", flat=True
            )
        )
        if ids
        else set()
    )
    for plan in plans:
        if "_care_drill" not in plan.__dict__:
            plan.__dict__["_care_drill"] = plan.is_drill or plan.community_id in drilling
    return plans


def can_manage(viewer: User, plan: CarePlan) -> bool:
    """What the pages offer: the person, or a coordinator (the services decide)."""
    return viewer.pk == plan.person_id or can(viewer, "care.coordinate", plan.community)


def plan_contacts(*, plan: CarePlan, viewer: User | None = None) -> list[CircleContact]:
    """The circle in order. How an outside contact agreed (`shows_consent`) is for those who
    manage the plan only: the person and coordinators, not the rest of the circle."""
    contacts = list(
        plan.contacts.select_related("member__profile", "consent_recorded_by__profile").order_by(
            "order", "id"
        )
    )
    manages = viewer is not None and can_manage(viewer, plan)
    for contact in contacts:
        contact.shows_consent = manages and contact.kind == "outside"
    return contacts


def plan_contact_get(*, plan: CarePlan, public_id: str) -> CircleContact:
    contact = (
        CircleContact.objects.select_related("plan__community", "member__profile")
        .filter(plan=plan, public_id=public_id)
        .first()
    )
    if contact is None:
        raise NotFound(_("This contact is not in the circle."))
    return contact


def care_settings_get(*, viewer: User, community: Community) -> CareSettings:
    """The community's care settings (coordinators), defaults when never saved."""
    require(viewer, "care.coordinate", community)
    return CareSettings.objects.filter(community=community).first() or CareSettings(
        community=community
    )


def care_defaults(*, community: Community) -> CareSettings:
    """The defaults new plans start from (shown beside a plan's own settings on its form)."""
    return care_settings(community)


def alert_get(*, viewer: User, public_id: str) -> Alert:
    alert = (
        Alert.objects.select_related("plan__community", "held_by__profile")
        .filter(public_id=public_id)
        .first()
    )
    if alert is None or not plan_visible(viewer, alert.plan):
        raise NotFound(_("This alert was not found."))
    return alert


def contact_get(*, viewer: User, public_id: str) -> CircleContact:
    contact = (
        CircleContact.objects.select_related("plan__community", "plan__person__profile")
        .filter(public_id=public_id, member=viewer)
        .first()
    )
    if contact is None:
        raise NotFound(_("This invitation was not found."))
    return contact


def my_plans(*, viewer: User) -> list[CarePlan]:
    return drills_mark(list(_plans().filter(person=viewer).exclude(status="ended")))


def my_circles(*, viewer: User) -> list[CircleContact]:
    """Plans where the viewer is (or is asked to be) in the circle, with any open alert; only
    in communities where the viewer is still an active member. For an invitation, pages and the
    API show only who asks: the plan is not theirs to read until they accept."""
    if not viewer.is_active:
        return []
    contacts = list(
        CircleContact.objects.filter(member=viewer, status__in=("invited", "accepted"))
        .filter(
            plan__community__memberships__user=viewer,
            plan__community__memberships__status="active",
        )
        .exclude(plan__status="ended")
        .select_related(
            "plan__community", "plan__person__profile", "plan__current_alert__held_by__profile"
        )
        .order_by("plan__current_due_at", "id")
    )
    drills_mark([c.plan for c in contacts])
    return contacts


@dataclass
class Board:
    community: Community
    escalating: list[CarePlan] = field(default_factory=list)
    held: list[CarePlan] = field(default_factory=list)
    overdue: list[CarePlan] = field(default_factory=list)
    due: list[CarePlan] = field(default_factory=list)
    paused: list[CarePlan] = field(default_factory=list)
    flagged: list[CarePlan] = field(default_factory=list)
    failing: list[CarePlan] = field(default_factory=list)
    waiting: int = 0
    sweep_ok: bool = True
    sweep_last_beat: str | None = None
    false_alarms: dict[str, int] = field(default_factory=dict)  # by plan public id
    is_drill: bool = False  # the community's drill is running now
    drill_until: dt.datetime | None = None  # when it ends (None: until switched off)


def care_board(*, viewer: User, community: Community, now: dt.datetime | None = None) -> Board:
    """Everything a coordinator needs at a glance (a fixed number of queries)."""
    require(viewer, "care.coordinate", community)
    now = now or timezone.now()
    board = Board(community=community)
    stuck = now - stuck_after()
    plans = list(
        _plans()
        .filter(community=community, status__in=("active", "paused"))
        .filter(
            Q(status="paused")
            | Q(is_flagged=True)
            | ~Q(state__in=("waiting", "all_clear", "reminded"))
            | Q(current_due_at__lte=now + DUE_SOON)
            | Q(failing_since__isnull=False)
            | Q(next_due_at__lte=stuck)
        )
        .order_by("current_due_at", "id")[:500]
    )
    drill = care_settings(community)
    board.is_drill = community_drilling(drill, now)
    board.drill_until = drill.drill_until if board.is_drill else None
    for plan in plans:
        plan.__dict__["_care_drill"] = plan.is_drill or board.is_drill
    for plan in plans:
        if plan.failing_since is not None or (plan.next_due_at and plan.next_due_at <= stuck):
            board.failing.append(plan)  # the sweep cannot move it: shown in red, first
        if plan.is_flagged:
            board.flagged.append(plan)
        if plan.status == "paused":
            board.paused.append(plan)
        elif plan.state == "held":
            board.held.append(plan)
        elif plan.state in ("asking", "escalating"):
            board.escalating.append(plan)
        elif plan.state == "grace":
            board.overdue.append(plan)
        else:
            board.due.append(plan)
    board.waiting = CarePlan.objects.filter(community=community, status="active").count()
    board.false_alarms = false_alarm_counts(community=community)
    board.sweep_ok, board.sweep_last_beat = heartbeat_age_ok(HEARTBEAT, now, stale_after_seconds())
    return board


def false_alarm_counts(*, community: Community) -> dict[str, int]:
    """Per plan (by its public id): how many escalations ended as "was fine" (alert fatigue)."""
    rows = (
        Alert.objects.filter(plan__community=community, outcome="was_fine", is_drill=False)
        .values("plan__public_id")
        .annotate(n=Count("id"))
    )
    return {r["plan__public_id"]: r["n"] for r in rows}


def plan_history(*, plan: CarePlan, limit: int = 200) -> dict:
    """The step log (newest first, each step in words), check-ins, alerts and the circle."""
    events = list(
        AlertEvent.objects.filter(plan=plan)
        .select_related("recipient__profile")
        .order_by("-at", "-id")[:limit]
    )
    for event in events:
        event.words = event_words(event.kind, event.detail)
    return {
        "events": events,
        "checkins": list(plan.checkins.select_related("by__profile")[:50]),
        "alerts": list(plan.alerts.select_related("held_by__profile")[:50]),
        "contacts": plan_contacts(plan=plan),
        "false_alarms": plan.alerts.filter(outcome="was_fine", is_drill=False).count(),
    }


def person_by_public_id(*, public_id: str) -> User:
    """A person named in an API request; the services decide what they may be."""
    person = User.objects.filter(public_id=public_id, is_active=True).first()
    if person is None:
        raise NotFound(_("This person was not found."))
    return person


def member_by_email(*, community: Community, email: str) -> User | None:
    """An active member of the community with this e-mail address, or None."""
    return (
        User.objects.filter(
            email__iexact=email.strip(),
            is_active=True,
            memberships__community=community,
            memberships__status="active",
        )
        .select_related("profile")
        .first()
    )


def on_call_rota(
    *, viewer: User, community: Community, now: dt.datetime | None = None
) -> list[OnCallShift]:
    """Current and coming on-call shifts (coordinators only)."""
    require(viewer, "care.coordinate", community)
    now = now or timezone.now()
    return list(
        OnCallShift.objects.filter(community=community, ends_at__gt=now)
        .select_related("coordinator__profile")
        .order_by("starts_at", "id")[:200]
    )


def on_call_shift_get(*, viewer: User, community: Community, public_id: str) -> OnCallShift:
    """One shift of the community's rota (coordinators only)."""
    require(viewer, "care.coordinate", community)
    shift = (
        OnCallShift.objects.select_related("community", "coordinator__profile")
        .filter(community=community, public_id=public_id)
        .first()
    )
    if shift is None:
        raise NotFound(_("This shift is not on the rota."))
    return shift
