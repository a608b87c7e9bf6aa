"""The sweep's database work is a fixed number of queries per batch, whatever the batch holds."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mutua.care import services
from mutua.care.models import CarePlan, CareSettings
from tests.care.helpers import START
from tests.factories import add_member, make_user

# Per batch of due reminders: claim the plans, their communities and the drill switch, then
# write the signed links, the members' preferences, the notifications (their unique dedupe index
# is the check: the keys name steps just taken), their outbox rows, the step log and the plans,
# each as one statement for the whole batch;
# then the flag reminders and the heartbeat. Savepoints are not counted. Both sweeps below are
# hours apart, so each also runs the hourly circle eligibility pass: when it last ran, the one
# indexed scan of member contacts, and recording that it ran (a read and a write).
QUERIES_PER_BATCH = 13 + 4


def _plans(cast, first: int, n: int, time: str) -> list:
    plans = []
    for i in range(first, first + n):
        person = make_user(f"Pat{i} Person", f"pat{i}@example.org")
        add_member(cast.community, person)
        plans.append(
            services.care_plan_create(
                actor=person, community=cast.community, person=person, times=[time]
            )
        )
    return plans


def _sweep_queries(now: dt.datetime) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        report = services.care_sweep(now=now)
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    return report.plans, len(statements)


@pytest.mark.parametrize("drill", [False, True])
def test_a_batch_costs_the_same_queries_whatever_the_number_of_due_plans(cast, drill):
    # given a community (in drill mode or not) where 3, and later 6 other plans have a reminder due
    CareSettings.objects.create(community=cast.community, is_drill=drill)
    with time_machine.travel(START, tick=False) as clock:
        first = _plans(cast, 0, 3, "09:00")
        small = _sweep_queries(START + dt.timedelta(minutes=30))
        for plan in first:  # they answer, so only the next six are due at 11:30
            services.care_checkin(actor=plan.person, plan=plan, how="web")
        _plans(cast, 3, 6, "12:00")
        clock.move_to(START + dt.timedelta(hours=3, minutes=30), tick=False)
        large = _sweep_queries(START + dt.timedelta(hours=3, minutes=30))
    # then twice the due plans cost no extra query: the writes are made once per batch
    assert small[0] == 3 and large[0] == 6
    assert large[1] == small[1]
    assert small[1] == QUERIES_PER_BATCH


@pytest.mark.skipif(connection.vendor != "sqlite", reason="reads SQLite's query plans")
def test_no_sweep_query_walks_every_plan(cast):
    # given due plans and a flagged plan whose daily reminder to coordinators is due
    with time_machine.travel(START, tick=False):
        plans = _plans(cast, 0, 3, "09:00")
        CarePlan.objects.filter(pk=plans[0].pk).update(
            is_flagged=True, flag_reason="contact_left", flag_remind_at=START
        )
        with CaptureQueriesContext(connection) as queries:
            services.care_sweep(now=START + dt.timedelta(minutes=30))
    # then every read of the plans is a search by an index, never a walk through all of them
    walks = []
    with connection.cursor() as cursor:
        for query in queries.captured_queries:
            sql = query["sql"]
            if "care_careplan" not in sql or not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            steps = [row[3] for row in cursor.fetchall()]
            walks += [(step, sql) for step in steps if step.startswith("SCAN care_careplan")]
    assert walks == []
