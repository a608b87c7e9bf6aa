"""Replies no machine could read ("I fell", "not well"): a person must read them, at once."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from mutua.care import notifications as kinds
from mutua.care.models import CarePlan
from mutua.care.services.common import (
    accepted_contacts,
    context,
    coordinators,
    log,
    now_or,
    on_call,
)
from mutua.people.models import User

REPLY_SHOWN = 600  # characters of the reply put in the message (an SMS is cut shorter)


def reply_readers(plan: CarePlan, at: dt.datetime) -> list[User]:
    """Who reads it: the accepted member contacts of the circle still able to serve, the
    coordinator on call and every coordinator; never the person, each once."""
    people = [c.member for c in accepted_contacts(plan) if c.kind == "member" and c.member]
    seen: set[int] = {plan.person_id}
    readers = []
    for user in [*people, *on_call(plan.community, at), *coordinators(plan.community)]:
        if user.pk not in seen:
            seen.add(user.pk)
            readers.append(user)
    return readers


@transaction.atomic
def care_reply_forward(
    *, plan: CarePlan, text: str, reply_id: str, now: dt.datetime | None = None
) -> list[User]:
    """Pass a reply we could not understand to the circle and the coordinators as a critical
    message with its words, and note it in the plan's history; it is never taken as OK."""
    now = now_or(now)
    shown = " ".join(text.split())[:REPLY_SHOWN]
    # Real words from a real person: never labelled TEST, even while the plan is a drill.
    ctx = context(plan, reply_text=shown, is_drill=False)
    log(plan, "reply", at=now, alert=plan.current_alert, detail=shown)
    readers = reply_readers(plan, now)
    for user in readers:
        kinds.notify(
            user,
            kinds.REPLY,
            ctx,
            community=plan.community,
            dedupe_key=f"care:reply:{reply_id}:{plan.pk}:{user.pk}",
        )
        log(plan, "reply_forwarded", at=now, recipient=user)
    return readers
