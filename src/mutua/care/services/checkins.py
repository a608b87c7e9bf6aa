"""Checking in: "I'm OK" from the web, a signed link or a reply; on someone's behalf."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from mutua.care.models import CarePlan, CheckIn
from mutua.care.services.alerts import alert_resolve, care_help, is_responder
from mutua.care.services.common import CHECKIN_WINDOW, log, now_or, schedule_next
from mutua.care.services.replies import care_reply_forward
from mutua.core.errors import Conflict, PermissionDenied
from mutua.notify import engine
from mutua.people.models import SensitiveDetails

SELF_HOW = ("web", "link", "sms", "reply")


@transaction.atomic
def care_checkin(
    *, actor, plan: CarePlan, how: str = "web", note: str = "", now: dt.datetime | None = None
) -> CheckIn:
    """The person says they are OK (or someone in the circle saw them: recorded as such).

    It counts for the check-in due within the next 12 hours. An open alert for a missed
    check-in closes as "was fine" and everyone who was alerted gets the all-clear; a cry for
    help stays open until someone gives the all-clear on it (being seen is not being safe).
    """
    now = now_or(now)
    plan = (
        CarePlan.objects.select_for_update().select_related("community", "person").get(pk=plan.pk)
    )
    if how in SELF_HOW:
        if actor.pk != plan.person_id:
            raise PermissionDenied(_("Only the person can check in for themselves here."))
    elif how in ("circle", "coordinator"):
        if actor.pk == plan.person_id or not is_responder(actor, plan):
            raise PermissionDenied(_("Only the circle and coordinators can check in for someone."))
        how = "coordinator" if how == "coordinator" else "circle"
    else:
        raise PermissionDenied(_("This way of checking in is not known."))
    if plan.status == "ended":
        raise Conflict(_("This care plan has ended."))
    due = plan.current_due_at
    counts = plan.status == "active" and due is not None and due - CHECKIN_WINDOW <= now
    checkin = CheckIn.objects.create(
        plan=plan,
        due_at=due if counts else None,
        answered_at=now,
        how=how,
        by=actor,
        by_name=str(actor) if how in ("circle", "coordinator") else "",
        note=note[:300],
    )
    plan.last_checkin_at = now
    log(plan, "checkin", at=now, alert=plan.current_alert, detail=how)
    alert = plan.current_alert
    if alert is not None:
        # A cry for help is not answered by "I'm OK" or "I saw them": its ladder goes on.
        if alert.reason == "missed":
            alert_resolve(plan, alert, actor=actor, outcome="was_fine", now=now)
    elif counts:
        plan.state = "waiting"
        schedule_next(plan, after=max(due, now))  # type: ignore[type-var]
    plan.save()
    return checkin


def _plans_for_reply(inbound, code: str) -> list[CarePlan]:
    """Plans a reply is about. Where a phone is shared, the plan's reply code decides."""
    phone = inbound.from_address
    same_phone = [
        s.user_id
        for s in SensitiveDetails.objects.exclude(phone="")
        .only("user_id", "phone")
        .filter(user__care_plans__status__in=("active", "paused"))
        if engine.normalise_phone(s.phone) == phone
    ]
    people = set(same_phone) | ({inbound.sender_id} if inbound.sender_id else set())
    plans = list(
        CarePlan.objects.filter(person_id__in=people, status__in=("active", "paused"))
        .select_related("community", "person")
        .order_by("pk")
    )
    if code:
        return [p for p in plans if p.reply_code == code]
    return plans


def care_reply_handle(inbound, reply) -> bool:
    """Reply handler for notify: OK checks in; HELP (and NOT OK) raises the alarm at once; a
    reply not understood ("I fell", "not well") goes at once to the circle and coordinators."""
    if reply.kind not in (engine.OK, engine.HELP, engine.UNKNOWN):
        return False
    plans = _plans_for_reply(inbound, reply.code)
    if not plans:
        return False
    if reply.kind == engine.HELP:  # a cry for help on a shared phone alerts every plan on it
        for plan in plans:
            care_help(actor=plan.person, plan=plan)
        return True
    if reply.kind == engine.UNKNOWN:  # a person reads it (every plan on a shared phone)
        if not inbound.text.strip():
            return False
        for plan in plans:
            care_reply_forward(plan=plan, text=inbound.text, reply_id=inbound.public_id)
        return True
    if len(plans) != 1:
        return False  # a shared phone without a reply code: we cannot know who is OK
    plan = plans[0]
    care_checkin(actor=plan.person, plan=plan, how="reply")
    return True
