"""Trust engine benchmark: ours vs networkx pagerank on the same generated vouch graphs.

Runs, in one process:
1. the largest graph (1,000,000 members, exactly 10,000,000 distinct edges): time to compute
   every score and level from arrays with the guards on (`seconds`);
2. 100,000 members (exactly 1,000,000 distinct edges): networkx `pagerank` with the same seeds
   (personalisation and dangling), weights and absolute L1 tolerance (networkx stops at error
   < N * tol, so it gets tol = abs_tol / N) against our engine in plain mode (same
   mathematics): `speedup_vs_networkx`, and `spearman` rank agreement;
3. `end_to_end_seconds`: `trust_recompute` on 100,000 members read from and written back to a
   SQLite file database (set up beforehand, not timed). The script always uses a fresh SQLite
   file, whatever DATABASE_URL or DJANGO_SETTINGS_MODULE say;
4. `sybil_mass`: the fakes' share in the issue's attack scenario (1,000 honest members with
   vouches and exchanges, 200 fakes, 5 attack edges), scored with TrustSettings' defaults.

Prints one JSON line last. `--small` runs every part at a tiny size (CI proves it works).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from mutua.trust import engine  # noqa: E402
from mutua.trust.graphs import distinct_edges, sybil_attack  # noqa: E402

ABS_TOL = 1e-8
DEGREE = 10


def setup_django() -> str:
    """A fresh SQLite file database, whatever the environment says; returns its path."""
    var_dir = tempfile.mkdtemp(prefix="mutua-bench-trust-")
    os.environ["MUTUA_VAR_DIR"] = var_dir
    os.environ.pop("DATABASE_URL", None)  # never a configured PostgreSQL
    os.environ["DJANGO_SETTINGS_MODULE"] = "mutua.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    path = str(connection.settings_dict["NAME"])
    if connection.vendor != "sqlite" or not path.startswith(var_dir):
        raise SystemExit(f"expected a SQLite file under {var_dir}, got {connection.vendor} {path}")
    call_command("migrate", verbosity=0)
    return path


def defaults() -> dict:
    """A new community's scoring settings (TrustSettings' defaults)."""
    from mutua.trust.models import TrustSettings

    field = TrustSettings._meta.get_field
    return {
        "known_at": field("known_at").default,
        "trusted_at": field("trusted_at").default,
        "min_backers": field("min_backers").default,
        "params": engine.Params(tol=ABS_TOL, damping=field("damping").default),
    }


def weighted_graph(n: int, edges: int, rng: np.random.Generator):
    """Exactly `edges` distinct weighted edges (networkx keeps one arc per pair, so both see
    the same graph)."""
    src, dst = distinct_edges(n, edges, DEGREE, rng)
    weight = rng.uniform(0.25, 1.5, size=src.shape[0])
    seeds = np.linspace(0, n - 1, 5).astype(np.int64)
    return src, dst, weight, seeds


def largest(n: int, edges: int, rng: np.random.Generator) -> dict:
    src, dst, weight, seeds = weighted_graph(n, edges, rng)
    conf = defaults()
    start = time.perf_counter()
    result, _norm, codes = engine.score_levels(n, src, dst, weight, seeds, **conf)
    seconds = time.perf_counter() - start
    return {
        "members": n,
        "edges": int(src.shape[0]),
        "seconds": round(seconds, 3),
        "iterations": result.iterations,
        "converged": bool(result.converged),
        "trusted_share": round(float((codes == 2).mean()), 4),
    }


def versus_networkx(n: int, edges: int, rng: np.random.Generator) -> dict:
    import networkx as nx
    from scipy.stats import spearmanr

    src, dst, weight, seeds = weighted_graph(n, edges, rng)
    plain = engine.Params(tol=ABS_TOL, min_out_weight=0.0, full_depth=-1, max_iter=1000)
    start = time.perf_counter()
    ours = engine.personalised_pagerank(n, src, dst, weight, seeds, plain)
    ours_seconds = time.perf_counter() - start
    guarded = engine.personalised_pagerank(
        n, src, dst, weight, seeds, engine.Params(tol=ABS_TOL, max_iter=1000)
    )

    graph = nx.DiGraph()
    graph.add_nodes_from(range(n))
    graph.add_weighted_edges_from(zip(src.tolist(), dst.tolist(), weight.tolist(), strict=True))
    personal = {int(s): 1.0 for s in seeds}
    start = time.perf_counter()
    theirs = nx.pagerank(
        graph,
        alpha=0.85,
        personalization=personal,
        dangling=personal,
        weight="weight",
        tol=ABS_TOL / n,
        max_iter=1000,
    )
    nx_seconds = time.perf_counter() - start
    theirs_arr = np.array([theirs[i] for i in range(n)])
    return {
        "nx_members": n,
        "nx_edges": int(src.shape[0]),
        "ours_plain_seconds": round(ours_seconds, 4),
        "networkx_seconds": round(nx_seconds, 3),
        "speedup_vs_networkx": round(nx_seconds / ours_seconds, 1),
        "spearman": round(float(spearmanr(ours.scores, theirs_arr).statistic), 6),
        "max_abs_diff_vs_networkx": float(np.abs(ours.scores - theirs_arr).max()),
        "spearman_guarded_vs_networkx": round(
            float(spearmanr(guarded.scores, theirs_arr).statistic), 4
        ),
    }


def sybil(rng: np.random.Generator, small: bool) -> dict:
    honest, fakes = (300, 60) if small else (1000, 200)
    a = sybil_attack(rng, honest=honest, fakes=fakes)
    src, dst, w = a.edges()
    result, _norm, codes = engine.score_levels(a.n, src, dst, w, a.seeds, **defaults())
    return {
        "sybil_mass": round(float(result.scores[a.honest :].sum()), 6),
        "sybil_trusted": int((codes[a.honest :] == 2).sum()),
    }


def end_to_end(n: int, edges: int, rng: np.random.Generator) -> dict:
    """Fill the SQLite file with n members and their vouches, then time a recompute."""
    from django.db import connection, transaction
    from django.utils import timezone

    from mutua.communities.models import Community, Membership
    from mutua.core.ids import new_public_id
    from mutua.people.models import Profile, User
    from mutua.trust.models import TrustScore
    from mutua.trust.recompute import WRITE_BATCH, trust_recompute

    community = Community.objects.create(name="Bench", slug="bench")
    users = User.objects.bulk_create(
        [User(email=f"b{i}@example.org", password="!") for i in range(n)], batch_size=5000
    )
    Profile.objects.bulk_create(
        [Profile(user=u, display_name=f"Neighbour {i}") for i, u in enumerate(users)],
        batch_size=5000,
    )
    roles = ["member"] * n
    for s in np.linspace(0, n - 1, 5).astype(int):
        roles[int(s)] = "steward"
    Membership.objects.bulk_create(
        [
            Membership(community=community, user=u, role=r)
            for u, r in zip(users, roles, strict=True)
        ],
        batch_size=5000,
    )
    src, dst, _weight, _seeds = weighted_graph(n, edges, rng)
    ids = np.array([u.pk for u in users], dtype=np.int64)
    now = timezone.now().isoformat()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO trust_vouch (public_id, created_at, updated_at, community_id, voucher_id,"
            " vouchee_id, note, revoked_at) VALUES (%s, %s, %s, %s, %s, %s, '', NULL)",
            [
                (new_public_id(), now, now, community.pk, int(a), int(b))
                for a, b in zip(ids[src], ids[dst], strict=True)
            ],
        )
    start = time.perf_counter()
    written = trust_recompute(community)
    seconds = time.perf_counter() - start
    assert written == n and TrustScore.objects.filter(membership__community=community).count() == n
    return {
        "end_to_end_members": n,
        "end_to_end_edges": int(src.shape[0]),
        "end_to_end_seconds": round(seconds, 3),
        "end_to_end_database": connection.vendor,
        "write_batch": WRITE_BATCH,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", action="store_true", help="tiny sizes, to prove it works")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    big, mid = (20_000, 2_000) if args.small else (1_000_000, 100_000)
    out: dict = {"small": args.small}
    out["database_file"] = setup_django()
    out.update(largest(big, big * DEGREE, rng))
    out.update(versus_networkx(mid, mid * DEGREE, rng))
    out.update(sybil(rng, args.small))
    out.update(end_to_end(mid, mid * DEGREE, rng))
    out["machine"] = f"{os.cpu_count()} cores, shared and noisy"
    print(json.dumps(out))


if __name__ == "__main__":
    main()
