"""The ledger on real PostgreSQL: row locks hold a floor under 20 threads; triggers refuse edits."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from mutua.ledger.models import Entry
from mutua.ledger.services import ledger_configure, transfer_send
from tests.factories import add_member, make_community, make_user
from tests.ledger.concurrency import race_against_the_floor

pytestmark = pytest.mark.postgres


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_sends_never_pass_the_floor_on_postgresql():
    assert connection.vendor == "postgresql"
    race_against_the_floor(20)


@pytest.mark.django_db
def test_postgresql_refuses_to_update_or_delete_an_entry():
    steward = make_user("Steward")
    community = make_community(steward)
    ledger_configure(actor=steward, community=community, is_enabled=True)
    member = add_member(community).user
    transfer_send(actor=member, community=community, recipient=steward, minutes=30)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.update(amount=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        Entry.objects.all().delete()
    assert sorted(Entry.objects.values_list("amount", flat=True)) == [-30, 30]
