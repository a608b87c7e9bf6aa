"""Alerts: asking for help, "I'm on it" (holding), the all-clear, and access instructions."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from mutua.care import notifications as kinds
from mutua.care.models import Alert, CarePlan, CircleContact
from mutua.care.services.circle import contact_mark_ineligible
from mutua.care.services.common import (
    HOLD_CHECK,
    STAFF_ROLES,
    circle_in_order,
    context,
    coordinators,
    everyone_alerted,
    first_name,
    invalid,
    is_active_member,
    is_drill,
    log,
    now_or,
    on_call,
    schedule_next,
)
from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.permissions import can
from mutua.core.signed_links import signed_link_create
from mutua.people.models import User

ACK_LINK = "care.ack"
CHECKIN_LINK = "care.checkin"
OUTCOMES = ("was_fine", "needed_help", "emergency", "other")


def is_responder(user: User, plan: CarePlan, at: dt.datetime | None = None) -> bool:
    """Coordinators, the coordinator on call and accepted members of the circle who are still
    active members of the community may respond."""
    if can(user, "care.coordinate", plan.community):
        return True
    return CircleContact.objects.filter(
        plan=plan, member=user, status="accepted", kind="member"
    ).exists() and is_active_member(user, plan.community)


def alert_context(plan: CarePlan, alert: Alert, **extra) -> dict:
    """A message about an alert says TEST exactly when the alert is a drill (help never is)."""
    return context(plan, **{"is_drill": alert.is_drill, **extra})


def alert_user(
    plan: CarePlan,
    alert: Alert,
    user: User,
    kind: str,
    *,
    at: dt.datetime,
    now: dt.datetime,
    event: str,
    extra: dict | None = None,
    contact: CircleContact | None = None,
) -> None:
    """Tell one responder, with an "I'm on it" link, once per alert step; log it."""
    drill = alert.is_drill
    link = signed_link_create(
        user=user, action=ACK_LINK, target_id=alert.public_id, ttl=dt.timedelta(hours=48)
    )
    kinds.notify(
        user,
        kind,
        alert_context(plan, alert, holder="", **(extra or {})),
        community=plan.community,
        dedupe_key=f"care:alert:{alert.pk}:{alert.step}:{kind}:{user.pk}",
        actions=[{"label": _("I'm on it"), "url": link}],
    )
    log(plan, event, at=at, now=now, alert=alert, recipient=user, drill=drill, contact=contact)


CALL_PERSON = "call"  # the person themselves, on the plan's phone channel
CALL_CONTACT = "call_contact"  # an outside contact of the circle


def callers(plan: CarePlan) -> list[User]:
    """Members named to use call lists (callers, custom roles) who do not coordinate: the
    coordinators are asked by the ladder in their turn. Never the person themselves."""
    from mutua.communities.models import Membership

    memberships = (
        Membership.objects.filter(
            community=plan.community,
            status="active",
            user__is_active=True,
            user__is_anonymised=False,
        )
        .exclude(role__in=STAFF_ROLES)
        .exclude(user_id=plan.person_id)
        .filter(Q(role="caller") | Q(custom_roles__isnull=False))
        .select_related("user__profile")
        .distinct()
        .order_by("user_id")
    )
    return [m.user for m in memberships if can(m.user, "calllist.view", plan.community)]


def call_list_url(plan: CarePlan) -> str:
    from mutua.core.bulk import reverse_one

    return reverse_one("care:calls", plan.community.slug)


def call_list_add(
    plan: CarePlan,
    alert: Alert,
    callee: str,
    *,
    at: dt.datetime,
    now: dt.datetime,
    contact: CircleContact | None = None,
) -> None:
    """The manual phone channel: the coordinator on call and the community's callers get a call
    to make, with a link to the care call list where the number is (the person's, or the
    outside contact's): the message itself never carries the number."""
    calls = call_list_url(plan)
    seen: set[int] = set()
    for user in [*on_call(plan.community, at), *callers(plan)]:
        if user.pk in seen or user.pk == plan.person_id:
            continue
        seen.add(user.pk)
        kinds.notify(
            user,
            kinds.CALL,
            alert_context(plan, alert, callee=callee, url=calls),
            community=plan.community,
            dedupe_key=f"care:alert:{alert.pk}:{alert.step}:call:{callee}:{user.pk}"[:200],
            actions=[{"label": _("Open the call list"), "url": calls}],
        )
        log(
            plan,
            CALL_CONTACT if contact is not None else CALL_PERSON,
            at=at,
            now=now,
            alert=alert,
            recipient=user,
            detail=callee,
            drill=alert.is_drill,
            contact=contact,
        )


def alert_new(plan: CarePlan, *, reason: str, now: dt.datetime) -> Alert:
    """An alert for the plan's current occurrence, unsaved. A cry for help is always live,
    even in a drill: only missed check-ins are rehearsed."""
    drill = is_drill(plan) and reason != "help"
    return Alert(
        plan=plan, reason=reason, due_at=plan.current_due_at, opened_at=now, is_drill=drill
    )


def alert_open(plan: CarePlan, *, reason: str, at: dt.datetime, now: dt.datetime) -> Alert:
    alert = alert_new(plan, reason=reason, now=now)
    alert.save(force_insert=True)
    plan.current_alert = alert
    return alert


def alert_everyone(
    plan: CarePlan, alert: Alert, kind: str, *, at: dt.datetime, now: dt.datetime
) -> None:
    """The on-call coordinator and every coordinator (the repeating top of the ladder)."""
    seen = set()
    for user in [*on_call(plan.community, at), *coordinators(plan.community)]:
        if user.pk not in seen and user.pk != plan.person_id:
            seen.add(user.pk)
            alert_user(plan, alert, user, kind, at=at, now=now, event="coordinators")


@transaction.atomic
def care_help(*, actor: User, plan: CarePlan, now: dt.datetime | None = None) -> Alert:
    """ "I need help": the circle and coordinators at once, never the whole community."""
    now = now_or(now)
    plan = (
        CarePlan.objects.select_for_update().select_related("community", "person").get(pk=plan.pk)
    )
    if actor.pk != plan.person_id and not is_responder(actor, plan):
        raise PermissionDenied(_("Only the person or their circle can ask for help here."))
    alert = plan.current_alert or alert_open(plan, reason="help", at=now, now=now)
    if alert.reason != "help":  # a missed check-in becomes a cry for help: a new step
        alert.step += 1
    alert.reason, alert.is_drill = "help", False  # always live (see alert_new)
    alert.reached_final_step = True
    alert.save()
    log(plan, "help", at=now, alert=alert, recipient=None, drill=False)
    for contact in circle_in_order(plan):
        if not contact.is_eligible:
            contact_mark_ineligible(contact, plan=plan, now=now)
        elif contact.kind == "member" and contact.member:
            alert_user(
                plan,
                alert,
                contact.member,
                kinds.HELP,
                at=now,
                now=now,
                event="contact",
                contact=contact,
            )
        elif contact.kind == "outside":
            call_list_add(plan, alert, contact.name, at=now, now=now, contact=contact)
    alert_everyone(plan, alert, kinds.HELP, at=now, now=now)
    if plan.status == "paused":  # asking for help ends a pause (holiday, hospital)
        plan.status, plan.paused_until = "active", None
    plan.step = alert.step
    if alert.held_by_id:  # someone already holds it: they stay in charge
        plan.state, plan.next_due_at = "held", now + HOLD_CHECK
    else:
        plan.state = "escalating"
        plan.next_due_at = now + dt.timedelta(minutes=plan.repeat_minutes)
    plan.save()
    return alert


def alert_lock(alert: Alert) -> tuple[CarePlan, Alert]:
    plan = (
        CarePlan.objects.select_for_update()
        .select_related("community", "person")
        .get(pk=alert.plan_id)
    )
    return plan, Alert.objects.select_for_update().get(pk=alert.pk)


def may_hold(user: User, plan: CarePlan) -> bool:
    """Responders, and callers who took it on from the call list, may hold an alert."""
    return is_responder(user, plan) or can(user, "calllist.view", plan.community)


def alert_hold(plan: CarePlan, alert: Alert, *, actor: User, now: dt.datetime) -> Alert:
    """The actor holds the (locked, open) alert and everyone alerted is told who; a second
    responder is refused: whoever holds it stays in charge."""
    if alert.held_by_id == actor.pk:
        return alert
    if alert.held_by_id is not None:
        holder = first_name(alert.held_by) if alert.held_by else ""
        raise Conflict(_("%(name)s is already on it.") % {"name": holder})
    alert.held_by, alert.held_at = actor, now
    alert.save()
    log(plan, "held", at=now, alert=alert, recipient=None, detail=str(actor), drill=alert.is_drill)
    for user in everyone_alerted(alert):
        if user.pk != actor.pk:
            kinds.notify(
                user,
                kinds.HELD,
                alert_context(plan, alert, holder=str(actor)),
                community=plan.community,
                dedupe_key=f"care:alert:{alert.pk}:held:{user.pk}",
            )
    plan.state = "held"
    plan.next_due_at = now + HOLD_CHECK
    plan.save()
    return alert


@transaction.atomic
def care_alert_acknowledge(*, actor: User, alert: Alert, now: dt.datetime | None = None) -> Alert:
    """ "I'm on it": the first responder holds the alert and everyone alerted is told who."""
    now = now_or(now)
    plan, alert = alert_lock(alert)
    if not is_responder(actor, plan):
        raise PermissionDenied(_("Only the circle and coordinators can take this alert."))
    if alert.resolved_at is not None:
        raise Conflict(_("This alert is already closed: all clear."))
    return alert_hold(plan, alert, actor=actor, now=now)


def alert_resolve(
    plan: CarePlan, alert: Alert, *, actor: User | None, outcome: str, now: dt.datetime
) -> None:
    """Close the alert; the all-clear goes to everyone who was alerted; plan moves on."""
    alert.resolved_at, alert.resolved_by, alert.outcome = now, actor, outcome
    alert.save()
    log(plan, "all_clear", at=now, alert=alert, detail=outcome, drill=alert.is_drill)
    for user in everyone_alerted(alert):
        kinds.notify(
            user,
            kinds.ALL_CLEAR,
            alert_context(plan, alert),
            community=plan.community,
            dedupe_key=f"care:alert:{alert.pk}:all_clear:{user.pk}",
        )
    plan.current_alert = None
    plan.state = "all_clear"
    due = plan.current_due_at
    schedule_next(plan, after=max(due, now) if due else now)


@transaction.atomic
def care_alert_all_clear(
    *, actor: User, alert: Alert, outcome: str = "was_fine", now: dt.datetime | None = None
) -> Alert:
    """The holder, a coordinator or a circle member records that all is well (or what was)."""
    now = now_or(now)
    if outcome not in OUTCOMES:
        raise invalid("outcome", _("Choose what happened."))
    plan, alert = alert_lock(alert)
    if not (alert.held_by_id == actor.pk or is_responder(actor, plan)):
        raise PermissionDenied(_("Only the circle and coordinators can close this alert."))
    if alert.resolved_at is not None:
        raise Conflict(_("This alert is already closed: all clear."))
    alert_resolve(plan, alert, actor=actor, outcome=outcome, now=now)
    plan.save()
    return alert


def may_see_access_details(viewer: User, alert: Alert) -> bool:
    """Only whoever holds an open, live (not drill) alert at its final step: the moment
    someone may need to get in. Nobody else gets the details through an alert."""
    return (
        alert.resolved_at is None
        and not alert.is_drill
        and alert.reached_final_step
        and alert.held_by_id == viewer.pk
    )


ACCESS_FIELDS = ("address", "access_notes")


@transaction.atomic
def care_access_details(
    *, viewer: User, alert: Alert, now: dt.datetime | None = None
) -> dict[str, str]:
    """The person's address and how to get in, and nothing else of their private details, to
    whoever holds a live alert at its final step; each read is audit-logged and in the plan log."""
    from mutua.core.audit import audit_record
    from mutua.people.models import SensitiveDetails

    now = now_or(now)
    plan, alert = alert_lock(alert)
    if alert.resolved_at is not None or alert.held_by_id != viewer.pk:
        raise PermissionDenied(_("Access instructions are shown to whoever is on it."))
    if alert.is_drill:
        raise PermissionDenied(_("A drill never shows how to get in."))
    if not may_see_access_details(viewer, alert):
        raise PermissionDenied(_("Access instructions are shown only at the last step."))
    row = SensitiveDetails.objects.filter(user=plan.person).values(*ACCESS_FIELDS).first()
    details = {f: (row or {}).get(f, "") or "" for f in ACCESS_FIELDS}
    audit_record(
        actor=viewer,
        action="sensitive.read",
        community=plan.community,
        subject=plan.person,
        target=plan.person,
        after={"fields": list(ACCESS_FIELDS), "purpose": "care alert"},
        is_safeguarding=True,
    )
    log(plan, "instructions_shown", at=now, alert=alert, recipient=viewer, drill=alert.is_drill)
    return details


def care_access_instructions(*, viewer: User, alert: Alert, now: dt.datetime | None = None) -> str:
    """How to get in (the access notes alone), under the rule of `care_access_details`."""
    return care_access_details(viewer=viewer, alert=alert, now=now)["access_notes"]
