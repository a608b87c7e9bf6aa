"""Run the tests in postgres/ in their own pytest process with Django pointed at PostgreSQL.

Django picks its database when settings load, so the PostgreSQL tests cannot share the
ordinary SQLite process (nor its xdist workers). This test is the bridge: it is gated on
MUTUA_TEST_POSTGRES_URL like any `postgres` test and fails if any PostgreSQL test fails.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.services import postgres_url

ROOT = Path(__file__).resolve().parents[2]
SUITE = Path(__file__).with_name("postgres")


@pytest.mark.postgres
@pytest.mark.xdist_group("postgres")
def test_postgresql_integration_suite_passes(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": postgres_url(),
        "DJANGO_SETTINGS_MODULE": "mutua.settings_test",
        "MUTUA_VAR_DIR": str(tmp_path / "var"),
    }
    env.pop("PYTEST_XDIST_WORKER", None)
    env.pop("PYTEST_ADDOPTS", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", str(SUITE), "-p", "no:randomly", "-q", "-rfE"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    print(output)  # shown with -rA or on failure
    assert result.returncode == 0, f"PostgreSQL tests failed:\n{output[-8000:]}"
    assert " passed" in output and "skipped" not in output
