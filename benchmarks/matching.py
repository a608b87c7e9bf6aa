"""Matching benchmark: our engine (OR-Tools min-cost flow) vs HiGHS and networkx, and the
service layer on a SQLite file database. Fixed seeds.

1. `plan_seconds`: engine time from arrays to a plan (building the spatial index, candidates
   under the hard rules, costs, flow; `plan_index_seconds` is the index part) for 10,000 needs
   x 100,000 helpers, up to 50 candidates a need, capacity 3, convex load costs.
   `speedup_vs_highs`: the same model solved as a linear programme by scipy's HiGHS, same run
   (solver time against solver time). `speedup_vs_networkx`: network_simplex at 1,000 x 10,000.
   `same_cost`: every solver reached the same optimal (integer) cost on each instance.
2. `rank_median_ms`: top 20 of 100,000 helpers for one need through `matching_rank` (as the
   need page calls it), cache warm. `plan_end_to_end_seconds`: `dispatch_plan_create` for the
   10,000 open needs of that community, from database rows to a stored plan.
   `day_plan_end_to_end_seconds`: a realistic day, 200 needs x 2,000 helpers (each from a cold
   cache). Timed plans are the median of `--repeats` runs (3; the day plan at least 5), the
   ranking the median of 30; HiGHS and networkx run once. The database is always a fresh
   SQLite file, whatever DATABASE_URL says.

Prints one JSON line last. `--small` runs every part at a tiny size (CI proves it works).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mutua.matching import engine, solvers, synthetic  # noqa: E402

LAT0, LON0 = 51.5, -0.12
DEG_M = 111_195.0


def _median(samples: list[float]) -> float:
    return float(statistics.median(samples))


def engine_figures(m: int, n: int, nx_m: int, nx_n: int, repeats: int) -> dict:
    """Engine time from arrays to a plan: spatial index, candidates under the hard rules,
    costs, flow. The median of `repeats` runs; HiGHS and networkx once each (they are slow)."""
    w = engine.Weights()
    hs, blocked, nd = synthetic.instance_parts(m, n, seed=7, timed=True)
    index_s, model_s, solve_s, total_s = [], [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        ix = engine.index_build(hs, blocked)
        indexed = time.perf_counter()
        model = solvers.model_build(ix, nd, w, max_candidates=50, capacity=3)
        built = time.perf_counter()
        ours = solvers.plan_solve(ix, nd, model, capacity=3)
        done = time.perf_counter()
        index_s.append(indexed - start)
        model_s.append(built - indexed)
        solve_s.append(done - built)
        total_s.append(done - start)
    start_h = time.perf_counter()
    highs = solvers.plan_highs(ix, nd, model, capacity=3)
    highs_seconds = time.perf_counter() - start_h

    ix2, nd2 = synthetic.instance(nx_m, nx_n, seed=8, timed=True)
    model2 = solvers.model_build(ix2, nd2, w, max_candidates=50, capacity=3)
    ours2_s = []
    for _ in range(max(repeats, 5)):
        t = time.perf_counter()
        ours2 = solvers.plan_solve(ix2, nd2, model2, capacity=3)
        ours2_s.append(time.perf_counter() - t)
    t = time.perf_counter()
    nxp = solvers.plan_networkx(ix2, nd2, model2, capacity=3)
    nx_seconds = time.perf_counter() - t
    highs2 = solvers.plan_highs(ix2, nd2, model2, capacity=3)
    return {
        "plan_needs": m,
        "plan_helpers": n,
        "plan_arcs": len(model.tails),
        "plan_assigned": len(ours.assignments),
        "plan_unmet_places": int(sum(ours.unmet.values())),
        "plan_seconds": round(_median(total_s), 3),
        "plan_runs": repeats,
        "plan_index_seconds": round(_median(index_s), 3),
        "plan_model_seconds": round(_median(model_s), 3),
        "plan_solve_seconds": round(_median(solve_s), 3),
        "highs_seconds": round(highs_seconds, 3),
        "speedup_vs_highs": round(highs_seconds / _median(solve_s), 1),
        "networkx_needs": nx_m,
        "networkx_helpers": nx_n,
        "networkx_seconds": round(nx_seconds, 3),
        "speedup_vs_networkx": round(nx_seconds / _median(ours2_s), 1),
        "same_cost": bool(ours.cost == highs.cost and ours2.cost == nxp.cost == highs2.cost),
    }


def _django():
    """A fresh SQLite file database, whatever DATABASE_URL the environment has."""
    var_dir = tempfile.mkdtemp(prefix="mutua-bench-matching-")
    os.environ["MUTUA_VAR_DIR"] = var_dir
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir}/bench.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "mutua.settings"
    os.environ.setdefault("SECRET_KEY", "benchmark-only")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    assert connection.vendor == "sqlite", connection.vendor


def populate(slug: str, n: int, m: int, rng: np.random.Generator, skill_ids: list[int]):
    """A community with n helpers and m open needs, bulk-inserted (not timed)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from mutua.communities.models import Community, Membership
    from mutua.exchange.models import Need
    from mutua.people.models import Profile, User

    community = Community.objects.create(name=slug.title(), slug=slug)
    side = 1000.0 * np.sqrt(n / 40.0)
    xy = rng.uniform(0, side, size=(n, 2))
    lat = LAT0 + xy[:, 1] / DEG_M
    lon = LON0 + xy[:, 0] / (DEG_M * np.cos(np.radians(LAT0)))
    users = User.objects.bulk_create(
        [User(email=f"{slug}{i}@example.org", password="!") for i in range(n)], batch_size=5000
    )
    langs = [["en"], ["en", "es"], ["en", "pl"], ["en", "ar"]]
    status = rng.choice(["available"] * 17 + ["limited"] * 2 + ["break"], n)
    Profile.objects.bulk_create(
        [
            Profile(
                user=u,
                display_name=f"Neighbour {i}",
                languages=langs[i % 4],
                capacity_status=str(status[i]),
                has_car=bool(rng.random() < 0.4),
                has_pets=bool(rng.random() < 0.3),
                gender=str(
                    rng.choice(["", "woman", "man", "non_binary"], p=[0.2, 0.4, 0.35, 0.05])
                ),
            )
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    roles = ["member"] * n
    roles[0] = "coordinator"
    today = timezone.localdate()
    vetted = rng.random(n) < 0.3
    Membership.objects.bulk_create(
        [
            Membership(
                community=community,
                user=u,
                role=roles[i],
                approx_lat=float(lat[i]),
                approx_lon=float(lon[i]),
                vetted_until=today + dt.timedelta(days=300) if vetted[i] else None,
            )
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    profile_ids = dict(Profile.objects.filter(user__in=users).values_list("user_id", "id"))
    uids = np.array([u.pk for u in users], dtype=np.int64)
    skill_rows, window_rows = [], []
    for uid in uids:
        pid = profile_ids[int(uid)]
        for s in np.flatnonzero(rng.random(len(skill_ids)) < 0.15):
            skill_rows.append((pid, skill_ids[int(s)]))
        if rng.random() < 0.7:
            for day in rng.choice(7, 3, replace=False):
                hour = int(rng.choice([8, 12, 16]))
                window_rows.append((pid, int(day), f"{hour:02d}:00:00", f"{hour + 4:02d}:00:00"))
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO people_profileskill (profile_id, skill_id) VALUES (%s, %s)", skill_rows
        )
        cursor.executemany(
            'INSERT INTO people_availabilitywindow (profile_id, weekday, start, "end")'
            " VALUES (%s, %s, %s, %s)",
            window_rows,
        )
    now = timezone.now()
    nxy = rng.uniform(0, side, size=(m, 2))
    authors = rng.integers(0, n, m)
    reqs = [[], [], [], [], [], [], [], ["no_pets"], ["vetted"], ["car"], [], ["same_gender"]]
    needs = Need.objects.bulk_create(
        [
            Need(
                community=community,
                author_id=int(uids[authors[j]]),
                posted_by_id=int(uids[authors[j]]),
                title=f"Need {j}",
                kind="errand",
                urgency=str(rng.choice(["immediate", "day", "week", "flexible"])),
                approx_lat=float(LAT0 + nxy[j, 1] / DEG_M),
                approx_lon=float(LON0 + nxy[j, 0] / (DEG_M * np.cos(np.radians(LAT0)))),
                helpers_wanted=int(rng.choice([1, 1, 1, 2, 3])),
                requirements=reqs[j % len(reqs)],
                gender_wanted="woman" if "same_gender" in reqs[j % len(reqs)] else "",
                expires_at=now + dt.timedelta(days=14),
            )
            for j in range(m)
        ],
        batch_size=5000,
    )
    through = Need.skills.through
    picks = rng.integers(0, len(skill_ids), m)
    through.objects.bulk_create(
        [
            through(need_id=nd.pk, skill_id=skill_ids[int(picks[j])])
            for j, nd in enumerate(needs)
            if j % 5
        ],
        batch_size=5000,
    )
    return community, users[0], needs


def service_figures(
    n: int, m: int, day_n: int, day_m: int, rng: np.random.Generator, repeats: int
) -> dict:
    _django()
    from mutua.matching import arrays, selectors, services
    from mutua.matching.models import PlanAssignment
    from mutua.people.models import Skill

    skills = Skill.objects.bulk_create(
        [Skill(slug=f"bench-{i}", name=f"Skill {i}") for i in range(synthetic.N_SKILLS)]
    )
    skill_ids = [s.pk for s in skills]
    city, coordinator, needs = populate("city", n, m, rng, skill_ids)
    day, day_coordinator, _ = populate("day", day_n, day_m, rng, skill_ids)

    need = needs[len(needs) // 2]
    selectors.matching_rank(viewer=coordinator, need=need, k=20)  # warm the cache
    samples = []
    for _ in range(30):
        t = time.perf_counter()
        found = selectors.matching_rank(viewer=coordinator, need=need, k=20)
        samples.append((time.perf_counter() - t) * 1000)

    plan_s = []
    for _ in range(repeats):
        arrays.cache_clear()
        t = time.perf_counter()
        plan = services.dispatch_plan_create(actor=coordinator, community=city)
        plan_s.append(time.perf_counter() - t)
    day_s = []
    for _ in range(max(repeats, 5)):
        arrays.cache_clear()
        t = time.perf_counter()
        day_plan = services.dispatch_plan_create(actor=day_coordinator, community=day)
        day_s.append(time.perf_counter() - t)
    return {
        "rank_helpers": n,
        "rank_found": len(found),
        "rank_median_ms": round(statistics.median(samples), 2),
        "plan_end_to_end_seconds": round(_median(plan_s), 3),
        "plan_end_to_end_assignments": PlanAssignment.objects.filter(plan=plan).count(),
        "day_plan_end_to_end_seconds": round(_median(day_s), 3),
        "day_plan_assignments": PlanAssignment.objects.filter(plan=day_plan).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="tiny sizes, to prove it works")
    parser.add_argument("--repeats", type=int, default=3, help="runs per timed plan (median)")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    if args.small:
        sizes = {"m": 100, "n": 1_000, "nx_m": 30, "nx_n": 300, "day_n": 200, "day_m": 20}
    else:
        sizes = {"m": 10_000, "n": 100_000, "nx_m": 1_000, "nx_n": 10_000}
        sizes.update(day_n=2_000, day_m=200)
    out: dict = {"small": args.small}
    repeats = 1 if args.small else args.repeats
    out.update(engine_figures(sizes["m"], sizes["n"], sizes["nx_m"], sizes["nx_n"], repeats))
    out.update(
        service_figures(sizes["n"], sizes["m"], sizes["day_n"], sizes["day_m"], rng, repeats)
    )
    out["machine"] = f"{os.cpu_count()} cores, shared and noisy"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
