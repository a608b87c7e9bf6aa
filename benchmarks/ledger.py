"""Ledger benchmark: transfers per second through the service layer, against the baseline.

Runs, in one process per database:
1. `transfers_per_second`: sustained member-to-member sends through `transfer_send` (each its
   own transaction: permission check, row locks, limit check, balanced entries, cached
   balances), median of 5 runs, on a SQLite file database;
2. `baseline_transfers_per_second`: the same transfers done the way simpler time banks do,
   recomputing the balances by summing entries before each one; the same checks, locks and
   raw-SQL inserts as ours, so that sum is the only difference;
3. `verify_seconds_1m`: `ledger verify` over 1,000,000 entries (bulk-inserted beforehand, not
   timed). `verify` must be clean, after the timed transfers and over the history, or the
   script exits non-zero (`verify_clean` is then false and no figures are printed).
The SQLite synchronous setting is named in the output. When DATABASE_URL points at PostgreSQL,
the same figures are measured there too, under `postgresql`, in a throwaway database of its
own (`<name>_bench_ledger`, created and dropped by the script).

Prints one JSON line last. `--small` runs every part at a tiny size (CI proves it works).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

RUNS = 5
MEMBERS = 50
SYNC_NAMES = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


def _setup_django(var_dir: str, engine: str) -> None:
    os.environ["MUTUA_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
    if engine == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()


def _community(name: str, members: int):
    from mutua.communities.models import Membership
    from mutua.communities.services import community_create
    from mutua.ledger.services import ledger_configure
    from mutua.people.models import User

    steward = User.objects.create_user(email=f"steward-{name}@bench.invalid", password=None)
    community = community_create(creator=steward, name=name, slug=name)
    users = [
        User.objects.create_user(email=f"m{i}-{name}@bench.invalid", password=None)
        for i in range(members)
    ]
    Membership.objects.bulk_create(
        [Membership(community=community, user=u, role="member") for u in users]
    )
    ledger_configure(
        actor=steward,
        community=community,
        is_enabled=True,
        floor_minutes=-60_000,
        ceiling_minutes=60_000,
    )
    return community, users


def _plan(users, count: int, seed: int):
    rng = random.Random(seed)
    return [(*rng.sample(users, 2), rng.randint(15, 180)) for _ in range(count)]


def ours(community, plan) -> float:
    from mutua.ledger.services import transfer_send

    start = time.perf_counter()
    for payer, payee, minutes in plan:
        transfer_send(actor=payer, community=community, recipient=payee, minutes=minutes)
    return len(plan) / (time.perf_counter() - start)


def baseline(community, plan) -> float:
    """The same transfers done the way simpler time banks do: no cached balance, each one
    recomputes the payer's and payee's balances by summing their entries.

    Everything else is ours, statement for statement: the same permission and input checks,
    the same row locks, the same limit check and the same raw-SQL INSERTs of the transfer and
    its entries. The one difference is the SUM instead of reading (and updating) a cached balance.
    """
    from django.db import connection, transaction

    from mutua.core.permissions import membership_of, require
    from mutua.ledger import engine
    from mutua.ledger.models import Transfer
    from mutua.ledger.services.common import (
        USE,
        accounts_for,
        clean_minutes,
        clean_reason,
        limits_of,
        require_on,
    )
    from mutua.ledger.services.posting import _insert, insert_entries

    start = time.perf_counter()
    for payer, payee, minutes in plan:
        with transaction.atomic():
            require(payer, USE, community)
            ledger = require_on(community)
            minutes, reason = clean_minutes(minutes), clean_reason("")
            if membership_of(payee, community) is None:
                raise RuntimeError("not a member")
            accounts = accounts_for(community, [payer, payee])
            a, b = accounts[payer.pk], accounts[payee.pk]
            legs = engine.merge_legs([(a.pk, -minutes), (b.pk, minutes)])
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT account_id, SUM(amount) FROM ledger_entry "
                    "WHERE account_id IN (%s, %s) GROUP BY account_id",
                    [a.pk, b.pk],
                )
                summed = dict.fromkeys(legs, 0) | {k: int(v) for k, v in cursor.fetchall()}
            limits = {a.pk: limits_of(a, ledger), b.pk: limits_of(b, ledger)}
            if engine.breaches(summed, legs, limits):
                raise RuntimeError("a limit")
            transfer = Transfer(community=community, kind="send", reason=reason, created_by=payer)
            _insert(transfer)
            insert_entries(transfer, legs)
    return len(plan) / (time.perf_counter() - start)


def cache_summed_balances(community) -> None:
    """The baseline keeps no cached balance: store the sums, so `verify` checks its entries."""
    from django.db.models import Sum

    from mutua.ledger.models import Account

    for account in Account.objects.filter(community=community):
        total = account.entries.aggregate(s=Sum("amount"))["s"] or 0
        Account.objects.filter(pk=account.pk).update(balance=total)


def require_clean(problems: list[str], when: str) -> None:
    if problems:
        sys.stderr.write("\n".join(problems[:50]) + "\n")
        raise SystemExit(f"ledger verify found {len(problems)} discrepancies {when}")


def bulk_history(community, users, entries: int) -> None:
    """Insert `entries` balanced entries (two per transfer) fast, and matching balances."""
    from django.db import connection, transaction
    from django.utils import timezone

    from mutua.ledger.models import Account
    from mutua.ledger.services import account_for

    accounts = [account_for(community, u).pk for u in users]
    rng = random.Random(7)
    transfers = entries // 2
    now = timezone.now()
    deltas = dict.fromkeys(accounts, 0)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM ledger_transfer")
        first = cursor.fetchone()[0] + 1
        rows = [
            (first + i, f"b{first + i:015x}"[-16:], community.pk, "send", "", "", "", False, now)
            for i in range(transfers)
        ]
        sql = (
            "INSERT INTO ledger_transfer (id, public_id, community_id, kind, reason, "
            "idempotency_key, request_hash, is_flagged, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        legs = []
        for i in range(transfers):
            a, b = rng.sample(accounts, 2)
            m = rng.randint(15, 180)
            deltas[a] -= m
            deltas[b] += m
            legs.append((first + i, a, -m, now))
            legs.append((first + i, b, m, now))
        if connection.vendor == "postgresql":
            raw = connection.connection.cursor()
            with raw.copy(
                "COPY ledger_transfer (id, public_id, community_id, kind, reason, "
                "idempotency_key, request_hash, is_flagged, created_at) FROM STDIN"
            ) as copy:
                for row in rows:
                    copy.write_row(row)
            with raw.copy(
                "COPY ledger_entry (transfer_id, account_id, amount, created_at) FROM STDIN"
            ) as copy:
                for leg in legs:
                    copy.write_row(leg)
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('ledger_transfer', 'id'), %s)",
                [first + transfers],
            )
        else:
            cursor.executemany(sql, rows)
            cursor.executemany(
                "INSERT INTO ledger_entry (transfer_id, account_id, amount, created_at) "
                "VALUES (%s, %s, %s, %s)",
                legs,
            )
        for pk, delta in deltas.items():
            Account.objects.filter(pk=pk).update(balance=delta)


def measure(engine: str, small: bool) -> dict:
    from django.db import connection

    created_test_db = False
    original_name = connection.settings_dict["NAME"]
    if engine == "postgresql":
        # A database of its own, so a test run's test database is never clobbered.
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{original_name}_bench_ledger"
        connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
        created_test_db = True
    else:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    try:
        from mutua.ledger.selectors import ledger_verify

        per_run = 100 if small else 2000
        verify_entries = 10_000 if small else 1_000_000
        community, users = _community("ours", MEMBERS)
        base_community, base_users = _community("baseline", MEMBERS)
        ours_rates, base_rates = [], []
        for run in range(RUNS):  # interleaved, so both see the same load on a shared machine
            ours_rates.append(ours(community, _plan(users, per_run, run)))
            base_rates.append(baseline(base_community, _plan(base_users, per_run, run)))
        cache_summed_balances(base_community)
        # Both communities' entries must sum to their balances and to zero, transfer by transfer.
        require_clean(ledger_verify(), "after the timed transfers")
        big, big_users = _community("history", 1000 if not small else 50)
        bulk_history(big, big_users, verify_entries)
        start = time.perf_counter()
        problems = ledger_verify()
        verify_seconds = time.perf_counter() - start
        figures = {
            "database": engine,
            "transfers_per_second": round(statistics.median(ours_rates), 1),
            "baseline_transfers_per_second": round(statistics.median(base_rates), 1),
            "transfers_per_run": per_run,
            "runs": RUNS,
            "verify_seconds_1m": round(verify_seconds, 3),
            "verify_entries": verify_entries + 4 * RUNS * per_run,
            "verify_clean": problems == [],
        }
        require_clean(problems, "over the history")
        figures["speedup_vs_baseline"] = round(
            figures["transfers_per_second"] / figures["baseline_transfers_per_second"], 2
        )
        if engine == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous")
                level = cursor.fetchone()[0]
                cursor.execute("PRAGMA journal_mode")
                journal = cursor.fetchone()[0]
            figures["sqlite_synchronous"] = SYNC_NAMES.get(level, str(level))
            figures["sqlite_journal_mode"] = journal
        return figures
    finally:
        if created_test_db:
            connection.creation.destroy_test_db(original_name, verbosity=0)


def _child(engine: str, small: bool) -> dict:
    env = dict(os.environ)
    if engine == "sqlite":
        env.pop("DATABASE_URL", None)
    args = [sys.executable, __file__, "--engine", engine] + (["--small"] if small else [])
    done = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"the {engine} run failed")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a tiny run, to prove it works")
    parser.add_argument("--engine", choices=["sqlite", "postgresql"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.engine:
        with tempfile.TemporaryDirectory(prefix="mutua-bench-ledger-") as var_dir:
            _setup_django(var_dir, args.engine)
            print(json.dumps(measure(args.engine, args.small)))
        return
    result = _child("sqlite", args.small)
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        result["postgresql"] = _child("postgresql", args.small)
    result["note"] = "measured on a shared machine; figures are noisy"
    print(json.dumps(result))


if __name__ == "__main__":
    main()
