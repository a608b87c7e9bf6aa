"""Ledger fixtures: the cast's community with the ledger on, and cleanup for transactional tests."""

from __future__ import annotations

import importlib

import pytest
from django.db import connection

from mutua.ledger.services import ledger_configure

TRIGGERS = importlib.import_module("mutua.ledger.migrations.0002_entries_append_only")


@pytest.fixture
def ledger(cast):
    """The cast's community keeps a ledger, with the default limits (-10 h, +40 h, block)."""
    ledger_configure(actor=cast.steward, community=cast.community, is_enabled=True)
    return cast


def purge_entries() -> None:
    """Entries are append-only, so a flushing test teardown lifts the triggers for a moment.

    PostgreSQL flushes with TRUNCATE, which row triggers do not see; SQLite flushes with DELETE.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("BEGIN IMMEDIATE")
        for sql in TRIGGERS.SQLITE_DOWN:
            cursor.execute(sql)
        cursor.execute("DELETE FROM ledger_entry")
        for sql in TRIGGERS.SQLITE_UP:
            cursor.execute(sql)
        cursor.execute("COMMIT")


@pytest.fixture
def flushable_ledger(transactional_db):
    """For `transaction=True` tests: entries are removed before pytest-django's flush."""
    yield
    purge_entries()
