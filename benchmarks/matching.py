"""Matching benchmark: our engine (OR-Tools min-cost flow) vs HiGHS and networkx, and the
service layer on a SQLite file database. Fixed seeds.

1. `plan_seconds`: engine time (candidates from the k-d tree, hard filters, costs, flow) for
   10,000 needs x 100,000 helpers, up to 50 candidates a need, capacity 3, convex load costs.
   `speedup_vs_highs`: the same model solved as a linear programme by scipy's HiGHS, same run
   (solver time against solver time). `speedup_vs_networkx`: network_simplex at 1,000 x 10,000.
   `same_cost`: every solver reached the same optimal (integer) cost on each instance.
2. `rank_median_ms`: top 20 of 100,000 helpers for one need through `matching_rank` (as the
   need page calls it), cache warm. `plan_end_to_end_seconds`: `dispatch_plan_create` for the
   10,000 open needs of that community, from database rows to a stored plan.
   `day_plan_end_to_end_seconds`: a realistic day, 200 needs x 2,000 helpers.

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


def engine_figures(m: int, n: int, nx_m: int, nx_n: int) -> dict:
    w = engine.Weights()
    ix, nd = synthetic.instance(m, n, seed=7)
    start = time.perf_counter()
    model = solvers.model_build(ix, nd, w, max_candidates=50, capacity=3)
    built = time.perf_counter()
    ours = solvers.plan_solve(ix, nd, model, capacity=3)
    done = time.perf_counter()
    ours_solve = done - built
    start_h = time.perf_counter()
    highs = solvers.plan_highs(ix, nd, model, capacity=3)
    highs_seconds = time.perf_counter() - start_h

    ix2, nd2 = synthetic.instance(nx_m, nx_n, seed=8)
    model2 = solvers.model_build(ix2, nd2, w, max_candidates=50, capacity=3)
    t = time.perf_counter()
    ours2 = solvers.plan_solve(ix2, nd2, model2, capacity=3)
    ours2_seconds = time.perf_counter() - t
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
        "plan_seconds": round(done - start, 3),
        "plan_model_seconds": round(built - start, 3),
        "plan_solve_seconds": round(ours_solve, 3),
        "highs_seconds": round(highs_seconds, 3),
        "speedup_vs_highs": round(highs_seconds / ours_solve, 1),
        "networkx_needs": nx_m,
        "networkx_helpers": nx_n,
        "networkx_seconds": round(nx_seconds, 3),
        "speedup_vs_networkx": round(nx_seconds / ours2_seconds, 1),
        "same_cost": bool(ours.cost == highs.cost and ours2.cost == nxp.cost == highs2.cost),
    }


def _django():
    var_dir = tempfile.mkdtemp(prefix="mutua-bench-matching-")
    os.environ["MUTUA_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mutua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


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
    reqs = [[], [], [], [], [], [], [], [], ["vetted"], ["car"]]
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


def service_figures(n: int, m: int, day_n: int, day_m: int, rng: np.random.Generator) -> dict:
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
    arrays.cache_clear()

    t = time.perf_counter()
    plan = services.dispatch_plan_create(actor=coordinator, community=city)
    plan_e2e = time.perf_counter() - t
    t = time.perf_counter()
    day_plan = services.dispatch_plan_create(actor=day_coordinator, community=day)
    day_e2e = time.perf_counter() - t
    return {
        "rank_helpers": n,
        "rank_found": len(found),
        "rank_median_ms": round(statistics.median(samples), 2),
        "plan_end_to_end_seconds": round(plan_e2e, 3),
        "plan_end_to_end_assignments": PlanAssignment.objects.filter(plan=plan).count(),
        "day_plan_end_to_end_seconds": round(day_e2e, 3),
        "day_plan_assignments": PlanAssignment.objects.filter(plan=day_plan).count(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="tiny sizes, to prove it works")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    if args.small:
        sizes = {"m": 100, "n": 1_000, "nx_m": 30, "nx_n": 300, "day_n": 200, "day_m": 20}
    else:
        sizes = {"m": 10_000, "n": 100_000, "nx_m": 1_000, "nx_n": 10_000}
        sizes.update(day_n=2_000, day_m=200)
    out: dict = {"small": args.small}
    out.update(engine_figures(sizes["m"], sizes["n"], sizes["nx_m"], sizes["nx_n"]))
    out.update(service_figures(sizes["n"], sizes["m"], sizes["day_n"], sizes["day_m"], rng))
    out["machine"] = f"{os.cpu_count()} cores, shared and noisy"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
