"""Integration tests run against real PostgreSQL and Redis; see tests/support/services.py.

PostgreSQL tests need Django itself pointed at PostgreSQL, which is decided when settings load.
So the tests in `postgres/` run only in a pytest process whose DATABASE_URL is PostgreSQL; the
ordinary (SQLite) run deselects them and `test_postgres_runner.py` starts that process.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.services import gate

POSTGRES_SUITE = Path(__file__).parent / "postgres"
POSTGRES_RUNNER = Path(__file__).parent / "test_postgres_runner.py"


def _django_on_postgres() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = _django_on_postgres()
    # In the PostgreSQL process the runner would start itself again; elsewhere the suite's
    # tests would run on SQLite.
    unwanted = POSTGRES_RUNNER if on_postgres else POSTGRES_SUITE

    def is_unwanted(item: pytest.Item) -> bool:
        return item.path == unwanted or unwanted in item.path.parents

    deselected = [item for item in items if is_unwanted(item)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not is_unwanted(item)]


def pytest_runtest_setup(item: pytest.Item) -> None:
    gate(item)
