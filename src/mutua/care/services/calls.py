"""The care call list: who to phone about an open alert, with the number to call, and what came
of each call (who recorded it and when).

The numbers are private: a person's phone is read through people's `sensitive_read` (each read
audit-logged, the only way a caller sees it); an outside contact's number was given to the
circle with their consent and is shown to the same viewers. Only those who may use call lists
(callers, coordinators) see it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutua.care import flags
from mutua.care import notifications as kinds
from mutua.care.models import Alert, AlertEvent, CarePlan, CircleContact
from mutua.care.services.alerts import (
    CALL_CONTACT,
    CALL_PERSON,
    alert_context,
    alert_hold,
    alert_lock,
    alert_resolve,
    is_responder,
)
from mutua.care.services.circle import contact_mark_ineligible, plan_flag_refresh
from mutua.care.services.common import coordinators, first_name, invalid, log, now_or
from mutua.communities.models import Community
from mutua.core.errors import Conflict, NotFound, PermissionDenied
from mutua.core.permissions import can, require
from mutua.people.models import User
from mutua.people.services import (
    phone_fingerprint,
    phone_fingerprint_matches,
    sensitive_details_lock,
    sensitive_phone_matches,
    sensitive_phone_report_wrong,
)

CALL_OUTCOME = "call_outcome"  # the log's kind; its detail is one of CALL_OUTCOMES
FINE, GOING, NO_ANSWER, WRONG_NUMBER = "fine", "going", "no_answer", "wrong_number"
CALL_OUTCOMES = {
    FINE: gettext_lazy("Reached: they are fine"),
    GOING: gettext_lazy("Reached: help is needed, I'm going"),
    NO_ANSWER: gettext_lazy("No answer"),
    WRONG_NUMBER: gettext_lazy("Wrong or dead number"),
}


class NumberChanged(Conflict):
    """The number on file is not the one the caller was shown."""

    code = "number-changed"


@dataclass
class CallOutcome:
    outcome: str
    by: str  # the first name of whoever recorded it
    at: dt.datetime

    @property
    def label(self) -> str:
        return str(CALL_OUTCOMES.get(self.outcome, self.outcome))


@dataclass
class Call:
    alert: Alert
    callee: str
    phone: str
    is_person: bool  # the person themselves, else an outside contact of their circle
    contact_id: str = ""  # the outside contact's public id ("" for the person)
    outcomes: list[CallOutcome] = field(default_factory=list)  # oldest first

    @property
    def number_ref(self) -> str:
        """Which number was shown (or that none was): sent back with a "wrong number", so that
        a number changed since the list was read is never the one marked wrong."""
        return phone_fingerprint(self.phone, scope=_scope(self.alert, self.contact_id))


def _scope(alert: Alert, contact_id: str) -> str:
    return f"care-call:{alert.public_id}:{contact_id}"


def _phones(viewer: User, people: list[User]) -> dict[int, str]:
    """Each person's phone through `sensitive_read`, one audit-logged read per person.
    (people has no batch read: this loop is its stand-in, a few queries per number.)"""
    from mutua.people.services import sensitive_read

    return {
        person.pk: sensitive_read(viewer=viewer, person=person, purpose="care call list").get(
            "phone", ""
        )
        for person in people
    }


@transaction.atomic
def care_call_list(*, viewer: User, community: Community) -> list[Call]:
    """Open alerts' calls, cries for help first, each with its recorded outcomes: a fixed number
    of queries for the list, plus one audited read per person whose own number is shown."""
    require(viewer, "calllist.view", community)
    alerts = list(
        Alert.objects.filter(plan__community=community, resolved_at__isnull=True)
        .select_related("plan__community", "plan__person__profile", "held_by__profile")
        .order_by("opened_at", "id")
    )
    by_id = {a.pk: a for a in alerts}
    events = (
        AlertEvent.objects.filter(
            alert_id__in=list(by_id), kind__in=(CALL_PERSON, CALL_CONTACT, CALL_OUTCOME)
        )
        .select_related("recipient__profile")
        .order_by("at", "id")
    )
    wanted: list[tuple[int, int | None]] = []
    outcomes: dict[tuple[int, int | None], list[CallOutcome]] = {}
    for event in events:
        assert event.alert_id is not None  # filtered on it
        if event.kind == CALL_OUTCOME:
            by = first_name(event.recipient) if event.recipient else ""
            outcome = CallOutcome(event.detail, by, event.at)
            outcomes.setdefault((event.alert_id, event.contact_id), []).append(outcome)
            continue
        key = (event.alert_id, event.contact_id if event.kind == CALL_CONTACT else None)
        if key not in wanted and (event.kind == CALL_PERSON or event.contact_id is not None):
            wanted.append(key)
    contacts = CircleContact.objects.in_bulk([c for _a, c in wanted if c is not None])
    people = {by_id[a].plan.person_id: by_id[a].plan.person for a, c in wanted if c is None}
    phones = _phones(viewer, list(people.values()))
    calls = []
    for alert_id, contact_id in wanted:
        alert = by_id[alert_id]
        done = outcomes.get((alert_id, contact_id), [])
        if contact_id is None:
            person = alert.plan.person
            calls.append(Call(alert, str(person), phones[person.pk], True, "", done))
        elif contact_id in contacts:  # a contact since removed from the circle is not called
            contact = contacts[contact_id]
            calls.append(Call(alert, contact.name, contact.phone, False, contact.public_id, done))
    calls.sort(key=lambda c: (c.alert.reason != "help", c.alert.opened_at, c.alert.pk))
    return calls


def _number_wrong(
    plan: CarePlan, alert: Alert, contact: CircleContact | None, *, actor: User, now: dt.datetime
) -> None:
    """An outside contact's dead number: they are no longer relied on and the plan is flagged
    until coordinators mend the circle. The person's own number: coordinators are told now, and
    the person's plans stay flagged until the number on file changes."""
    if contact is not None:
        contact_mark_ineligible(contact, plan=plan, now=now)
        plan_flag_refresh(plan, now=now, reason=flags.CONTACT_NUMBER)
        return
    if sensitive_phone_report_wrong(user=plan.person, now=now):  # flags their other plans too
        kinds.notify(
            plan.person,
            kinds.YOUR_NUMBER,
            alert_context(plan, alert, url=reverse("people:private")),
            community=plan.community,
            dedupe_key=f"care:alert:{alert.pk}:your_number",
        )
    plan_flag_refresh(plan, now=now)  # this one, as held here
    for user in coordinators(plan.community):
        kinds.notify(
            user,
            kinds.NUMBER_WRONG,
            alert_context(plan, alert, caller=first_name(actor)),
            community=plan.community,
            dedupe_key=f"care:alert:{alert.pk}:number_wrong:{user.pk}",
        )


def _still_shown(
    alert: Alert, contact: CircleContact | None, number_ref: str, person: User
) -> bool:
    """Whether the number on file is the one the caller was shown."""
    if contact is not None:
        scope = _scope(alert, contact.public_id)
        return phone_fingerprint_matches(contact.phone, scope=scope, fingerprint=number_ref)
    return sensitive_phone_matches(user=person, scope=_scope(alert, ""), fingerprint=number_ref)


@transaction.atomic
def care_call_outcome_record(
    *,
    actor: User,
    community: Community,
    alert_id: str,
    contact_id: str = "",
    outcome: str,
    number_ref: str = "",
    now: dt.datetime | None = None,
) -> AlertEvent:
    """What came of a call on the call list, logged with who and when. "Fine" gives the
    all-clear, "going" holds the alert (as "I'm on it"), a wrong number flags the circle.
    Callers and the alert's responders may record it, while the alert is open.

    `number_ref` is the `Call.number_ref` of the number the caller was shown: a wrong number
    is refused, with nothing recorded, if the number on file has changed since."""
    now = now_or(now)
    found = (
        Alert.objects.filter(public_id=alert_id, plan__community=community)
        .select_related("plan")
        .first()
    )
    if found is None:
        raise NotFound(_("This call is not on the call list."))
    if outcome == WRONG_NUMBER and not contact_id:
        # The person's details before their plan, in the order `sensitive_update` takes them
        # (it refreshes their plans' flags), so the two never wait on each other.
        sensitive_details_lock(user=found.plan.person)
    plan, alert = alert_lock(found)
    callers = can(actor, "calllist.view", community)
    if not (callers or is_responder(actor, plan)):
        raise PermissionDenied(_("Only callers, the circle and coordinators can record calls."))
    if outcome not in CALL_OUTCOMES:
        raise invalid("outcome", _("Choose what happened on the call."))
    if outcome == WRONG_NUMBER and not contact_id and not callers:
        raise PermissionDenied(
            _("Only callers and coordinators, who see the person's number, can say it is wrong.")
        )
    contact = None
    if contact_id:
        contact = CircleContact.objects.filter(plan=plan, public_id=contact_id).first()
        if contact is None:
            raise invalid("contact", _("This contact is not on the call list."))
    kind = CALL_CONTACT if contact is not None else CALL_PERSON
    if not AlertEvent.objects.filter(alert=alert, kind=kind, contact=contact).exists():
        raise NotFound(_("This call is not on the call list."))
    if alert.resolved_at is not None:
        raise Conflict(_("This alert is already closed: all clear. There is nobody to call."))
    if (
        outcome == WRONG_NUMBER
        and number_ref
        and not _still_shown(alert, contact, number_ref, plan.person)
    ):
        raise NumberChanged(
            _(
                "The number on file has changed since the call list was opened, so nothing"
                " was marked wrong. The list now shows the number on file."
            )
        )
    event = log(
        plan,
        CALL_OUTCOME,
        at=now,
        alert=alert,
        recipient=actor,
        contact=contact,
        detail=outcome,
        drill=alert.is_drill,
    )
    if outcome == FINE:
        alert_resolve(plan, alert, actor=actor, outcome="was_fine", now=now)
        plan.save()
    elif outcome == GOING:
        alert_hold(plan, alert, actor=actor, now=now)
    elif outcome == WRONG_NUMBER:
        _number_wrong(plan, alert, contact, actor=actor, now=now)
    return event
