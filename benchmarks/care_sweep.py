"""Benchmark: one real care sweep handling N due check-ins among 10k, 100k and 1M active plans.

Fills a SQLite file database (bulk inserts; every member has a profile, as in a community),
then times `care_sweep`: claiming due rows by the indexed `next_due_at`, advancing each plan
(a reminder), writing notification and outbox rows, committing. One untimed sweep runs first,
as a running worker has already run one. The baseline is the same sweep at the largest size
with the due-time index dropped. Cost should follow the due work, not the number of plans.

    python benchmarks/care_sweep.py           # 10k / 100k / 1M plans, 10,000 due
    python benchmarks/care_sweep.py --small   # 1k / 2k / 4k plans, 100 due (CI)
    python benchmarks/care_sweep.py --sizes 20000,100000   # while iterating (10,000 due)

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
NOW = dt.datetime(2030, 1, 7, 8, 30, tzinfo=dt.UTC)
PEOPLE = 10_000  # persons shared by the filler plans (the due ones each have their own)


def setup_django(var_dir: str) -> None:
    os.environ["MUTUA_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mutua.settings"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_people(n: int) -> list[int]:
    from django.db import connection, transaction

    from mutua.people.models import User

    start = User.objects.count()
    now = connection.ops.adapt_datetimefield_value(NOW)
    rows = [
        (f"bench{start + i}@example.org", f"u{start + i:015d}", "!", 0, 0, 1, now, 0)
        for i in range(n)
    ]
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO people_user (email, public_id, password, is_superuser, is_staff,"
            " is_active, date_joined, is_anonymised) VALUES (%s,%s,%s,%s,%s,%s,%s,%s)",
            rows,
        )
    ids = list(User.objects.order_by("-pk").values_list("pk", flat=True)[:n])
    # Every member has a profile (name, language, preferred channel): the sweep reads them.
    profiles = [
        (now, now, pk, f"Neighbour {pk}", "", "[]", "[]", "available", 0, 0, "", 0, "email", "en")
        for pk in ids
    ]
    with transaction.atomic(), connection.cursor() as cur:
        cur.executemany(
            "INSERT INTO people_profile (created_at, updated_at, user_id, display_name, bio,"
            " languages, free_tags, capacity_status, has_car, has_accessible_vehicle, gender,"
            " has_pets, preferred_channel, preferred_language)"
            " VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
            profiles,
        )
    return ids


_plan_seq = 0


def add_plans(community_id: int, people: list[int], n: int, *, due: bool) -> None:
    """Bulk insert `n` active daily plans; due ones have a reminder due at NOW."""
    global _plan_seq
    from django.db import connection, transaction

    adapt = connection.ops.adapt_datetimefield_value
    rows = []
    for i in range(n):
        _plan_seq += 1
        if due:
            deadline, next_due = NOW + dt.timedelta(minutes=30), NOW
        else:  # spread over the rest of the day
            offset = dt.timedelta(seconds=60 + (i * 7919) % 86_000)
            deadline, next_due = NOW + offset + dt.timedelta(minutes=30), NOW + offset
        rows.append(
            (
                f"p{_plan_seq:015d}", adapt(NOW), adapt(NOW), community_id, people[i % len(people)],
                "FREQ=DAILY", '["09:00"]', "2030-01-01", '["web", "email"]', 30, "[30]", 20, 15,
                0, "active", "waiting", 0, adapt(deadline), adapt(next_due),
                f"AB{_plan_seq % 100:02d}", 0, "", "",
            )
        )  # fmt: skip
    columns = (
        "public_id, created_at, updated_at, community_id, person_id, rrule, times, starts_on,"
        " channels, grace_minutes, reminder_leads, contact_timeout_minutes, repeat_minutes,"
        " is_drill, status, state, step, current_due_at, next_due_at, reply_code, is_flagged,"
        " flag_reason, consent_note"
    )
    marks = ",".join(["%s"] * 23)
    with connection.cursor() as cur:
        for chunk in range(0, len(rows), 50_000):
            with transaction.atomic():
                cur.executemany(
                    f"INSERT INTO care_careplan ({columns}) VALUES ({marks})",
                    rows[chunk : chunk + 50_000],
                )


def reset_due(due_people: list[int]) -> None:
    """Put the due plans back to "reminder due now" and clear what the last sweep wrote."""
    from django.db import transaction

    from mutua.care.models import AlertEvent, CarePlan
    from mutua.notify.models import Notification, OutboxMessage, SignedLink

    with transaction.atomic():
        OutboxMessage.objects.all().delete()
        Notification.objects.all().delete()
        SignedLink.objects.all().delete()
        AlertEvent.objects.all().delete()
        CarePlan.objects.filter(person_id__in=due_people).update(
            state="waiting", step=0, next_due_at=NOW, current_due_at=NOW + dt.timedelta(minutes=30)
        )


def timed_sweep(expected: int) -> float:
    from mutua.care.services import care_sweep

    start = time.perf_counter()
    report = care_sweep(now=NOW, batch=1000)
    elapsed = time.perf_counter() - start
    if report.plans != expected or report.failed:
        raise SystemExit(f"sweep handled {report.plans} (failed {report.failed}), not {expected}")
    return elapsed


def drop_due_index() -> None:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='care_careplan'"
            " AND sql LIKE '%next_due_at%'"
        )
        for (name,) in cur.fetchall():
            cur.execute(f'DROP INDEX "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", action="store_true")
    parser.add_argument("--sizes", help="plan counts, comma-separated, e.g. 20000,100000")
    args = parser.parse_args()
    sizes = [1_000, 2_000, 4_000] if args.small else [10_000, 100_000, 1_000_000]
    if args.sizes:
        sizes = sorted(int(n) for n in args.sizes.split(","))
    due = 100 if args.small else 10_000
    if sizes[0] < due:
        parser.error(f"every size must hold the {due} due plans")

    with tempfile.TemporaryDirectory(prefix="care-bench-") as var_dir:
        setup_django(var_dir)
        from huey.contrib.djhuey import HUEY
        from huey.storage import MemoryStorage

        from mutua.communities.models import Community

        # The sender's wake-ups are queued, not run: delivery is not part of the sweep.
        HUEY.immediate = False
        HUEY.storage = MemoryStorage("care-bench")
        from django.urls import reverse

        reverse("care:mine")  # load the URL configuration once, as a running worker has
        community = Community.objects.create(name="Bench", slug="bench", time_zone="UTC")
        due_people = make_people(due)
        filler_people = make_people(PEOPLE)
        add_plans(community.pk, due_people, due, due=True)
        # One untimed sweep first: a running worker has its templates, translations and
        # statements loaded, and the first size would otherwise pay for them.
        timed_sweep(due)
        total = due
        seconds = {}
        for size in sizes:
            t0 = time.perf_counter()
            add_plans(community.pk, filler_people, size - total, due=False)
            total = size
            reset_due(due_people)
            print(f"filled {size} plans in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
            seconds[size] = timed_sweep(due)
            print(f"  sweep of {due} due: {seconds[size]:.3f}s", file=sys.stderr)
        reset_due(due_people)
        drop_due_index()
        baseline = timed_sweep(due)
        print(f"  without the index: {baseline:.3f}s", file=sys.stderr)

    largest, smallest = sizes[-1], sizes[0]
    print(
        json.dumps(
            {
                "benchmark": "care_sweep",
                "plans": largest,
                "due": due,
                "sizes": {str(k): round(v, 4) for k, v in seconds.items()},
                "sweep_seconds": round(seconds[largest], 4),
                "growth_ratio_1m_vs_10k": round(seconds[largest] / seconds[smallest], 3),
                "baseline_sweep_seconds": round(baseline, 4),
                "baseline_ratio": round(baseline / seconds[largest], 3),
                "small": args.small,
            }
        )
    )


if __name__ == "__main__":
    main()
