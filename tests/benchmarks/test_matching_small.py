"""The matching benchmark runs at a small size and prints its figures as one JSON line last."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_matching_benchmark_small_prints_its_figures(tmp_path):
    # The benchmark chooses its own SQLite file, whatever the environment points Django at.
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    env["MUTUA_VAR_DIR"] = str(tmp_path)
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "matching.py"), "--small"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    for key in (
        "rank_median_ms",
        "plan_seconds",
        "plan_end_to_end_seconds",
        "day_plan_end_to_end_seconds",
        "speedup_vs_highs",
        "speedup_vs_networkx",
    ):
        assert figures[key] > 0, key
    assert figures["same_cost"] is True
    assert 0 <= figures["plan_index_seconds"] <= figures["plan_seconds"]
    assert figures["rank_found"] == 20
    assert figures["plan_end_to_end_assignments"] > 0
