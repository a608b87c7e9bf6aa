"""One plan's escalation ladder, advanced by the sweep under the plan's row lock.

waiting → reminders → deadline → grace → ask again on every channel → circle contacts one by
one (a time-out each) → coordinator on call (final step) → all coordinators, repeating until
someone holds the alert. Every step is logged with its due time; one acted on after its time
(the worker was down) is marked late but still happens. After such a late step of the ladder
the next wait counts from when it was actually taken, so each person asked gets their full
time-out: a sweep after downtime takes one escalation step, not the whole ladder at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from mutua.care import notifications as kinds
from mutua.care import schedule
from mutua.care.models import Alert, AlertEvent, CarePlan
from mutua.care.services.alerts import (
    CHECKIN_LINK,
    alert_context,
    alert_everyone,
    alert_open,
    alert_user,
    call_list_add,
    call_list_url,
    is_responder,
    may_hold,
)
from mutua.care.services.circle import contact_mark_ineligible
from mutua.care.services.common import (
    HOLD_CHECK,
    LATE_AFTER,
    circle_in_order,
    context,
    first_name,
    is_drill,
    log,
    on_call,
    schedule_next,
)
from mutua.communities.models import Community
from mutua.core.bulk import gettext_once
from mutua.core.signed_links import signed_link_create
from mutua.notify.services.render import absolute_url
from mutua.people.models import User

MAX_STEPS_PER_SWEEP = 100
OK_LABEL = gettext_noop("I'm OK")


class Effects:
    """Where a step's writes go. These write at once, one plan at a time; the sweep's batch
    (sweep.py) collects the common steps' writes and writes a whole batch together."""

    def link(
        self, *, user: User, action: str, target_id: str, ttl: dt.timedelta, now: dt.datetime
    ) -> str:
        return signed_link_create(user=user, action=action, target_id=target_id, ttl=ttl, now=now)

    def notify(
        self,
        recipient: User,
        kind: str,
        context: dict[str, Any],
        *,
        community: Community,
        dedupe_key: str,
        actions: list[dict],
    ) -> None:
        kinds.notify(
            recipient, kind, context, community=community, dedupe_key=dedupe_key, actions=actions
        )

    def log(self, plan: CarePlan, kind: str, **fields: Any) -> None:
        log(plan, kind, **fields)

    def alert_open(
        self, plan: CarePlan, *, reason: str, at: dt.datetime, now: dt.datetime
    ) -> Alert:
        return alert_open(plan, reason=reason, at=at, now=now)

    def rare_step(self) -> None:
        """Called before a rare step (escalating, a held alert, the phone call list). A batch
        gives such a plan back, to be advanced on its own; here it already is."""

    def save(self, plan: CarePlan) -> None:
        plan.save()


AT_ONCE = Effects()


def _ask_person(
    plan: CarePlan,
    base: str,
    key: str,
    *,
    at: dt.datetime,
    now: dt.datetime,
    alert: Alert | None,
    drill: bool,
    effects: Effects,
) -> None:
    due = plan.current_due_at
    assert due is not None
    # Reminders go where the plan says; asking again goes on every channel the person can be
    # reached on (a channel without an address is recorded as such by notify, not sent).
    channels = plan.channels if base == kinds.REMINDER else ["email", "sms"]
    link = effects.link(
        user=plan.person,
        action=CHECKIN_LINK,
        target_id=plan.public_id,
        ttl=max(due + dt.timedelta(hours=24) - now, dt.timedelta(hours=1)),
        now=now,
    )
    effects.notify(
        plan.person,
        kinds.person_kind(base, channels),
        context(plan, link=absolute_url(link), is_drill=drill),
        community=plan.community,
        dedupe_key=f"care:{plan.pk}:{due.isoformat()}:{key}",
        actions=[{"label": gettext_once(OK_LABEL), "url": link}],
    )
    effects.log(
        plan,
        base.removeprefix("care_") + ":" + key,
        at=at,
        now=now,
        alert=alert,
        recipient=plan.person,
        drill=drill,
    )


def _wait_from(at: dt.datetime, now: dt.datetime) -> dt.datetime:
    """When a step's time-out starts: its due time, or `now` if it was taken late (late as the
    log's `is_late` says, see `alert_event_fields`): the message only went out now."""
    return now if now - at > LATE_AFTER else at


def _collapse(at: dt.datetime, every: dt.timedelta, now: dt.datetime) -> dt.datetime:
    """A repeating step after downtime happens once now, not once per missed interval."""
    nxt = at + every
    return nxt if nxt > now else now + every


def _escalate(
    plan: CarePlan, alert: Alert, *, at: dt.datetime, now: dt.datetime
) -> dt.timedelta | None:
    """Act on the alert's next step; return the wait before the one after (None: repeat).

    The next circle contact is the first accepted one not yet tried for this alert (the log
    says who was), so a contact who leaves or joins meanwhile never makes the ladder skip
    anyone. A member who can no longer serve is marked, the plan flagged, and skipped at once.
    """
    tried = set(
        AlertEvent.objects.filter(alert=alert, contact__isnull=False).values_list(
            "contact_id", flat=True
        )
    )
    timeout = dt.timedelta(minutes=plan.contact_timeout_minutes)
    for contact in circle_in_order(plan):
        if contact.pk in tried:
            continue
        if not contact.is_eligible:
            contact_mark_ineligible(contact, plan=plan, now=now)
            log(
                plan,
                "contact_skipped",
                at=at,
                now=now,
                alert=alert,
                contact=contact,
                detail=_("no longer able to be in the circle"),
                drill=alert.is_drill,
            )
            continue
        if contact.kind == "member":
            alert_user(
                plan,
                alert,
                contact.member,  # type: ignore[arg-type]
                kinds.ALERT,
                at=at,
                now=now,
                event="contact",
                contact=contact,
            )
        elif contact.kind == "outside":
            call_list_add(plan, alert, contact.name, at=at, now=now, contact=contact)
        else:
            for user in on_call(plan.community, at):
                alert_user(
                    plan, alert, user, kinds.ALERT, at=at, now=now, event="on_call", contact=contact
                )
        return timeout
    if not alert.reached_final_step:
        alert.reached_final_step = True
        for user in on_call(plan.community, at):
            alert_user(plan, alert, user, kinds.ALERT, at=at, now=now, event="on_call")
        return timeout
    alert_everyone(plan, alert, kinds.ALERT, at=at, now=now)
    return None


def plan_advance(plan: CarePlan, *, now: dt.datetime, effects: Effects = AT_ONCE) -> int:
    """Take every step of this (locked) plan that is due by `now`; return how many."""
    steps = 0
    while plan.next_due_at is not None and plan.next_due_at <= now and steps < MAX_STEPS_PER_SWEEP:
        at = plan.next_due_at
        steps += 1
        if plan.status == "paused":
            plan.status, plan.paused_until, plan.state = "active", None, "waiting"
            effects.log(plan, "resumed", at=at, now=now)
            schedule_next(plan, after=at)
            continue
        if plan.status != "active":
            plan.next_due_at = None
            break
        due = plan.current_due_at
        if due is None:
            schedule_next(plan, after=at)
            if plan.next_due_at is None:
                break
            continue
        drill = is_drill(plan)
        if plan.state in ("waiting", "reminded", "all_clear"):
            if at < due:
                reminders = schedule.reminder_times(due, plan.reminder_leads)
                index = reminders.index(at) if at in reminders else 0
                if due > now:
                    _ask_person(
                        plan,
                        kinds.REMINDER,
                        f"reminder:{index}",
                        at=at,
                        now=now,
                        alert=None,
                        drill=drill,
                        effects=effects,
                    )
                else:  # caught up after the deadline: the reminder is pointless now
                    effects.log(plan, "reminder_skipped", at=at, now=now, drill=drill)
                plan.state = "reminded"
                later = [r for r in reminders if r > at]
                plan.next_due_at = later[0] if later else due
            else:
                effects.log(plan, "deadline", at=at, now=now, drill=drill)
                plan.state = "grace"
                plan.next_due_at = due + dt.timedelta(minutes=plan.grace_minutes)
        elif plan.state == "grace":
            if "phone" in plan.channels:
                effects.rare_step()
            alert = effects.alert_open(plan, reason="missed", at=at, now=now)
            _ask_person(
                plan, kinds.ASK, "ask", at=at, now=now, alert=alert, drill=drill, effects=effects
            )
            if "phone" in plan.channels:
                call_list_add(plan, alert, first_name(plan.person), at=at, now=now)
            plan.state, plan.step = "asking", 0
            timeout = dt.timedelta(minutes=plan.contact_timeout_minutes)
            plan.next_due_at = _wait_from(at, now) + timeout
        elif plan.state in ("asking", "escalating"):
            effects.rare_step()
            alert = plan.current_alert
            if alert is None:  # defensive: an escalation always has its alert
                alert = alert_open(plan, reason="missed", at=at, now=now)
            alert.step += 1
            wait = _escalate(plan, alert, at=at, now=now)
            alert.save()
            plan.state, plan.step = "escalating", alert.step
            every = dt.timedelta(minutes=plan.repeat_minutes)
            start = _wait_from(at, now)
            plan.next_due_at = _collapse(start, every, now) if wait is None else start + wait
        elif plan.state == "held":
            effects.rare_step()
            alert = plan.current_alert
            if alert is not None and (alert.held_by is None or not may_hold(alert.held_by, plan)):
                # The holder left the circle, lost their place or their role: nobody may
                # assume they are still on it, so the ladder goes on from where it was.
                log(plan, "hold_released", at=at, now=now, alert=alert, drill=alert.is_drill)
                alert.held_by, alert.held_at = None, None
                alert.save()
                plan.state, plan.next_due_at = "escalating", at
                continue
            if alert is not None and alert.held_by is not None:
                # A caller who took it on from the call list records the all-clear there.
                extra = {} if is_responder(alert.held_by, plan) else {"url": call_list_url(plan)}
                kinds.notify(
                    alert.held_by,
                    kinds.STILL_HELD,
                    alert_context(plan, alert, **extra),
                    community=plan.community,
                    dedupe_key=f"care:alert:{alert.pk}:still_held:{at.isoformat()}",
                )
                log(plan, "still_held", at=at, now=now, alert=alert, drill=alert.is_drill)
            plan.next_due_at = _collapse(at, HOLD_CHECK, now)
        else:
            plan.state = "waiting"
            schedule_next(plan, after=now)
    if plan.failing_since is not None:  # it moves again
        plan.failing_since = None
    effects.save(plan)
    return steps
