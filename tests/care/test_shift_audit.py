"""The on-call rota is in the audit log: putting a coordinator on call and taking them off."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import services
from mutua.care.models import OnCallShift
from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.models import AuditEntry
from tests.care.helpers import START

H = dt.timedelta(hours=1)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _shift(cast, starts_at: dt.datetime, ends_at: dt.datetime) -> OnCallShift:
    return services.on_call_shift_add(
        actor=cast.steward,
        community=cast.community,
        coordinator=cast.coordinator,
        starts_at=starts_at,
        ends_at=ends_at,
    )


def test_adding_a_shift_is_audit_logged(cast, clock):
    shift = _shift(cast, START + H, START + 9 * H)
    entry = AuditEntry.objects.get(action="care.shift_add")
    assert (entry.actor, entry.subject, entry.community) == (
        cast.steward,
        cast.coordinator,
        cast.community,
    )
    assert entry.target_id == shift.public_id
    assert entry.after == {
        "starts_at": (START + H).isoformat(),
        "ends_at": (START + 9 * H).isoformat(),
    }


def test_ending_a_shift_under_way_is_audit_logged(cast, clock):
    shift = _shift(cast, START - H, START + 8 * H)
    services.on_call_shift_end(actor=cast.steward, shift=shift)
    entry = AuditEntry.objects.get(action="care.shift_end")
    assert (entry.actor, entry.subject) == (cast.steward, cast.coordinator)
    assert entry.target_id == shift.public_id
    assert entry.before["ends_at"] == (START + 8 * H).isoformat()
    assert entry.after == {"ends_at": START.isoformat()}


def test_taking_off_a_shift_not_yet_begun_is_audit_logged(cast, clock):
    shift = _shift(cast, START + H, START + 8 * H)
    services.on_call_shift_end(actor=cast.steward, shift=shift)
    assert not OnCallShift.objects.exists()
    entry = AuditEntry.objects.get(action="care.shift_end")
    assert entry.target_id == shift.public_id and entry.after == {"removed": True}


def test_the_rota_page_ending_a_shift_leaves_an_entry(client, cast, clock):
    shift = _shift(cast, START - H, START + 8 * H)
    client.force_login(cast.coordinator)
    assert client.post(f"/c/riverside/care/rota/{shift.public_id}/end/").status_code == 302
    assert AuditEntry.objects.filter(action="care.shift_end", actor=cast.coordinator).exists()


@pytest.mark.parametrize("role", ["member", "caller"])
def test_a_refused_shift_end_writes_no_entry(cast, clock, role):
    shift = _shift(cast, START - H, START + 8 * H)
    with pytest.raises(PermissionDenied):
        services.on_call_shift_end(actor=getattr(cast, role), shift=shift)
    assert not AuditEntry.objects.filter(action="care.shift_end").exists()
    assert OnCallShift.objects.get().ends_at == START + 8 * H


def test_ending_a_finished_shift_is_refused_without_an_entry(cast, clock):
    shift = _shift(cast, START - 3 * H, START - H)
    with pytest.raises(Conflict):
        services.on_call_shift_end(actor=cast.steward, shift=shift)
    assert not AuditEntry.objects.filter(action="care.shift_end").exists()
