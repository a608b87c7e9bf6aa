"""The care call list: who to phone about an open alert, with the number to call.

The numbers are private: a person's phone is read through people's `sensitive_read` (each read
audit-logged, the only way a caller sees it); an outside contact's number was given to the
circle with their consent and is shown to the same viewers. Only those who may use call lists
(callers, coordinators) see it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from mutua.care.models import Alert, AlertEvent, CircleContact
from mutua.care.services.alerts import CALL_CONTACT, CALL_PERSON
from mutua.communities.models import Community
from mutua.core.permissions import require
from mutua.people.models import User


@dataclass
class Call:
    alert: Alert
    callee: str
    phone: str
    is_person: bool  # the person themselves, else an outside contact of their circle


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
    """Open alerts' calls, cries for help first: a fixed number of queries for the list, plus
    one audited read per person whose own number is shown."""
    require(viewer, "calllist.view", community)
    alerts = list(
        Alert.objects.filter(plan__community=community, resolved_at__isnull=True)
        .select_related("plan__community", "plan__person__profile", "held_by__profile")
        .order_by("opened_at", "id")
    )
    by_id = {a.pk: a for a in alerts}
    events = (
        AlertEvent.objects.filter(alert_id__in=list(by_id), kind__in=(CALL_PERSON, CALL_CONTACT))
        .order_by("at", "id")
        .values_list("alert_id", "kind", "contact_id")
    )
    wanted: list[tuple[int, int | None]] = []
    for alert_id, kind, contact_id in events:
        key = (alert_id, contact_id if kind == CALL_CONTACT else None)
        if key not in wanted and (kind == CALL_PERSON or contact_id is not None):
            wanted.append(key)
    contacts = CircleContact.objects.in_bulk([c for _a, c in wanted if c is not None])
    people = {by_id[a].plan.person_id: by_id[a].plan.person for a, c in wanted if c is None}
    phones = _phones(viewer, list(people.values()))
    calls = []
    for alert_id, contact_id in wanted:
        alert = by_id[alert_id]
        if contact_id is None:
            person = alert.plan.person
            calls.append(Call(alert, str(person), phones[person.pk], True))
        elif contact_id in contacts:  # a contact since removed from the circle is not called
            contact = contacts[contact_id]
            calls.append(Call(alert, contact.name, contact.phone, False))
    calls.sort(key=lambda c: (c.alert.reason != "help", c.alert.opened_at, c.alert.pk))
    return calls
