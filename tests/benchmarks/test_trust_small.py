"""The trust benchmark runs at a small size and prints its figures as one JSON line last."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_trust_benchmark_small_prints_its_figures(tmp_path):
    env = {**os.environ, "MUTUA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "mutua.settings"}
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "trust.py"), "--small"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    for key in (
        "members",
        "edges",
        "seconds",
        "end_to_end_seconds",
        "speedup_vs_networkx",
        "spearman",
        "sybil_mass",
    ):
        assert key in figures
    assert figures["spearman"] > 0.99
    assert figures["sybil_mass"] < 0.05
    assert figures["sybil_trusted"] == 0
