"""Simultaneous transfers on the file SQLite database never together pass a floor."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.ledger.concurrency import race_against_the_floor


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_sends_never_pass_the_floor(flushable_ledger):
    assert connection.vendor != "sqlite" or "memory" not in str(connection.settings_dict["NAME"])
    race_against_the_floor(8)
