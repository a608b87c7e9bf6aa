"""Gating for tests that need real services: skip with a hint locally, fail in CI.

A test marked `postgres`, `redis` or `browser` needs the matching environment variable
(`bash .ci/run` sets all three). Without it the test is skipped with a message saying how
to enable it — except when CI is "true", where a missing service is a failure: a skipped
test in CI is a defect.
"""

from __future__ import annotations

import functools
import os
import shutil
import socket
from dataclasses import dataclass
from urllib.parse import urlparse

import pytest

ENABLE_HINT = "run `bash .ci/run`, which installs and starts everything and sets it"


@dataclass(frozen=True)
class Service:
    marker: str
    env: str
    example: str


SERVICES = (
    Service("postgres", "MUTUA_TEST_POSTGRES_URL", "postgres://user:pass@127.0.0.1:5432/db"),
    Service("redis", "MUTUA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0"),
    Service("browser", "MUTUA_TEST_CHROMIUM", "/usr/bin/chromium"),
)


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def postgres_url() -> str:
    return os.environ.get("MUTUA_TEST_POSTGRES_URL", "")


def redis_url() -> str:
    return os.environ.get("MUTUA_TEST_REDIS_URL", "")


def chromium_path() -> str:
    return os.environ.get("MUTUA_TEST_CHROMIUM", "")


def _tcp_reachable(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=3
        ):
            return True
    except OSError:
        return False


@functools.cache
def unavailable_reason(marker: str) -> str:
    """Why the service behind `marker` cannot be used, or "" when it can."""
    service = next(s for s in SERVICES if s.marker == marker)
    value = os.environ.get(service.env, "")
    if not value:
        return (
            f"needs {service.env} (e.g. {service.env}={service.example}); "
            f"to enable, set it or {ENABLE_HINT}"
        )
    if marker == "postgres" and not _tcp_reachable(value, 5432):
        return f"{service.env}={value} is set but PostgreSQL does not answer there"
    if marker == "redis" and not _tcp_reachable(value, 6379):
        return f"{service.env}={value} is set but Redis does not answer there"
    if marker == "browser":
        if not (os.path.isfile(value) or shutil.which(value)):
            return f"{service.env}={value} is set but there is no such executable"
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            return "the playwright package is not installed (`make install`)"
    return ""


def gate(item: pytest.Item) -> None:
    """Call from `pytest_runtest_setup`: skip (or fail, in CI) when a needed service is absent."""
    for service in SERVICES:
        if item.get_closest_marker(service.marker) is None:
            continue
        reason = unavailable_reason(service.marker)
        if not reason:
            continue
        if in_ci():
            pytest.fail(f"CI=true but this {service.marker} test cannot run: {reason}")
        pytest.skip(f"{service.marker} test skipped: {reason}")
