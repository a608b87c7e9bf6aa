"""The care sweep benchmark runs at a small size and prints its JSON line last."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_care_sweep_benchmark_runs_small_and_reports_json():
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")
    }
    result = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "care_sweep.py"), "--small"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    )
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["plans"] == 4_000 and report["due"] == 100
    for key in ("sweep_seconds", "growth_ratio_1m_vs_10k", "baseline_sweep_seconds"):
        assert report[key] > 0
