"""The care sweep on a real PostgreSQL: two workers sweeping at once never send twice.

Run in the PostgreSQL process (DATABASE_URL pointing at PostgreSQL); see tests/integration.
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections

from mutua.care import services
from mutua.care.models import AlertEvent, CarePlan
from mutua.notify.models import Notification, OutboxMessage
from tests.factories import add_member, make_community, make_user

pytestmark = [pytest.mark.postgres]

START = dt.datetime(2026, 5, 4, 8, 0, tzinfo=dt.UTC)


def _plans(n: int) -> list[CarePlan]:
    community = make_community(make_user("Ada Steward"))
    coordinator = make_user("Cora Coordinator")
    add_member(community, coordinator, role="coordinator")
    plans = []
    for i in range(n):
        person = make_user(f"Person {i}")
        add_member(community, person)
        plans.append(
            services.care_plan_create(
                actor=person, community=community, person=person, times=["09:00"], now=START
            )
        )
    return plans


def _sweep_together(workers: int, moment: dt.datetime) -> list[object]:
    barrier = threading.Barrier(workers)
    results: list[object] = [None] * workers

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = services.care_sweep(now=moment, batch=7)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    return results


def test_two_workers_sweeping_at_once_send_each_reminder_exactly_once(transactional_db):
    # given 40 plans whose reminders are all due
    plans = _plans(40)
    moment = START + dt.timedelta(minutes=30)
    # when two workers sweep at the same moment
    results = _sweep_together(2, moment)
    # then neither failed, every plan was advanced once, and nothing was sent twice
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(r.plans for r in results) == 40  # type: ignore[union-attr]
    assert Notification.objects.filter(kind__startswith="care_reminder").count() == 40
    assert OutboxMessage.objects.filter(kind__startswith="care_reminder").count() == 40
    assert AlertEvent.objects.filter(kind="reminder:reminder:0").count() == 40
    assert set(CarePlan.objects.values_list("state", flat=True)) == {"reminded"}
    assert len(plans) == 40


def test_workers_racing_through_the_whole_ladder_never_duplicate(transactional_db):
    _plans(12)
    for minutes in (30, 60, 90, 110, 130, 150):
        _sweep_together(3, START + dt.timedelta(minutes=minutes))
    keys = list(OutboxMessage.objects.values_list("recipient_id", "kind", "channel", "dedupe_key"))
    assert len(keys) == len(set(keys))
    # each of the 12 people was reminded once and asked again once
    assert Notification.objects.filter(kind__startswith="care_ask").count() == 12
    assert Notification.objects.filter(kind__startswith="care_reminder").count() == 12


def test_callers_and_the_person_changing_their_number_at_once_never_deadlock(transactional_db):
    """Two callers in two communities say the person's number is dead while the person saves
    a new one: the locks are taken in one order (their details, then their plans), so all three
    finish, and each plan is flagged exactly when the number on file is known to be wrong."""
    from mutua.care.services.calls import care_call_outcome_record
    from mutua.people.models import SensitiveDetails
    from mutua.people.services import phone_reported_wrong, sensitive_update
    from tests.support.threads import at_once

    person = make_user("Pat Person")
    SensitiveDetails.objects.create(user=person, phone="+44 7700 900123")
    plans, callers = [], []
    for name in ("Mill", "Dale"):
        community = make_community(make_user(f"{name} Steward"), name=name, slug=name.lower())
        caller = make_user(f"{name} Caller")
        add_member(community, caller, role="caller")
        add_member(community, person)
        plans.append(
            services.care_plan_create(
                actor=person,
                community=community,
                person=person,
                times=["09:00"],
                channels=["web", "phone"],
                now=START,
            )
        )
        callers.append(caller)
    for minutes in (30, 60, 90):
        services.care_sweep(now=START + dt.timedelta(minutes=minutes))
    fresh = [CarePlan.objects.select_related("current_alert").get(pk=p.pk) for p in plans]
    moment = START + dt.timedelta(minutes=91)

    def wrong(i: int):
        return lambda: care_call_outcome_record(
            actor=callers[i],
            community=fresh[i].community,
            alert_id=fresh[i].current_alert.public_id,
            outcome="wrong_number",
            now=moment,
        )

    results = at_once(
        [wrong(0), wrong(1), lambda: sensitive_update(user=person, phone="+44 7700 900456")]
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    known_wrong = phone_reported_wrong(person)
    for plan in CarePlan.objects.filter(pk__in=[p.pk for p in plans]):
        assert plan.is_flagged == known_wrong
