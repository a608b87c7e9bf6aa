"""The ledger benchmark runs at a small size and prints its figures as one JSON line last."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_ledger_benchmark_small_prints_its_figures(tmp_path):
    env = {**os.environ, "MUTUA_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "mutua.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "ledger.py"), "--small"],
        capture_output=True,
        text=True,
        timeout=600,
        env=env,
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    for key in (
        "transfers_per_second",
        "baseline_transfers_per_second",
        "verify_seconds_1m",
        "sqlite_synchronous",
    ):
        assert key in figures
    assert figures["transfers_per_second"] > 0
    assert figures["verify_clean"] is True
    assert figures["sqlite_synchronous"] == "NORMAL"
