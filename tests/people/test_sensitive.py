"""Sensitive details: kept apart, health notes only with consent, every read by others logged."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.people.models import SensitiveDetails
from mutua.people.services import sensitive_read, sensitive_update
from tests.factories import add_member, make_user


def test_sensitive_update_stores_address_phone_and_access_notes(db):
    user = make_user()

    details = sensitive_update(
        user=user, address=" 1 Mill Lane ", phone="+44 20 7946 0000", access_notes="Key with No 3"
    )

    details.refresh_from_db()
    assert (details.address, details.phone, details.access_notes) == (
        "1 Mill Lane",
        "+44 20 7946 0000",
        "Key with No 3",
    )


def test_health_notes_are_refused_without_consent_and_nothing_is_stored(db):
    user = make_user()

    with pytest.raises(ValidationFailed) as exc:
        sensitive_update(user=user, phone="+44 20 7946 0000", health_notes="Type 1 diabetes")

    assert "health_notes" in exc.value.field_errors
    assert "consent" in exc.value.message
    assert not SensitiveDetails.objects.filter(user=user).exists()


def test_health_notes_are_kept_with_explicit_consent_and_its_time_recorded(db):
    user = make_user()

    details = sensitive_update(user=user, health_consent=True, health_notes="Type 1 diabetes")

    assert details.health_notes == "Type 1 diabetes"
    assert details.health_consent_at is not None


def test_withdrawing_consent_erases_the_health_notes(db):
    user = make_user()
    sensitive_update(user=user, health_consent=True, health_notes="Type 1 diabetes")

    sensitive_update(user=user, health_consent=False)

    details = SensitiveDetails.objects.get(user=user)
    assert details.health_notes == ""
    assert details.health_consent_at is None


def test_health_notes_sent_with_a_withdrawal_of_consent_are_refused(db):
    user = make_user()
    sensitive_update(user=user, health_consent=True, health_notes="Old note")
    before = model_to_dict(SensitiveDetails.objects.get(user=user))

    with pytest.raises(ValidationFailed):
        sensitive_update(user=user, health_consent=False, health_notes="New note")

    assert model_to_dict(SensitiveDetails.objects.get(user=user)) == before


def test_blank_health_notes_clear_them_without_needing_consent(db):
    user = make_user()
    sensitive_update(user=user, health_consent=True, health_notes="Old note")

    details = sensitive_update(user=user, health_notes="  ")

    assert details.health_notes == ""
    assert details.health_consent_at is not None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "12"}, "phone"),
        ({"phone": "1" * 21}, "phone"),
        ({"address": "x" * 501}, "address"),
        ({"access_notes": "x" * 1001}, "access_notes"),
        ({"health_consent": True, "health_notes": "x" * 2001}, "health_notes"),
    ],
)
def test_sensitive_update_refuses_bad_input_and_changes_nothing(db, changes, field):
    user = make_user()
    sensitive_update(user=user, address="1 Mill Lane", phone="+44 20 7946 0000")
    before = model_to_dict(SensitiveDetails.objects.get(user=user))

    with pytest.raises(ValidationFailed) as exc:
        sensitive_update(user=user, **changes)

    assert field in exc.value.field_errors
    assert model_to_dict(SensitiveDetails.objects.get(user=user)) == before


def test_an_empty_phone_number_clears_it(db):
    user = make_user()
    sensitive_update(user=user, phone="+44 20 7946 0000")

    assert sensitive_update(user=user, phone="").phone == ""


# ---- sensitive_read ---------------------------------------------------------------------


@pytest.fixture
def person(cast):
    person = make_user("Pat Person")
    add_member(cast.community, person)
    sensitive_update(
        user=person,
        address="1 Mill Lane",
        phone="+44 20 7946 0000",
        access_notes="Key with No 3",
        health_consent=True,
        health_notes="Type 1 diabetes",
    )
    return person


def test_a_person_reads_their_own_details_without_an_audit_entry(cast, person):
    values = sensitive_read(viewer=person, person=person)

    assert values["health_notes"] == "Type 1 diabetes"
    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_coordinators_read_every_detail_and_the_read_is_logged_as_safeguarding(cast, person, role):
    viewer = getattr(cast, role)

    values = sensitive_read(viewer=viewer, person=person, purpose="call list")

    assert values == {
        "address": "1 Mill Lane",
        "phone": "+44 20 7946 0000",
        "access_notes": "Key with No 3",
        "health_notes": "Type 1 diabetes",
    }
    entry = AuditEntry.objects.get(action="sensitive.read")
    assert entry.actor == viewer
    assert entry.subject == person
    assert entry.community == cast.community
    assert entry.is_safeguarding is True
    assert entry.after == {
        "fields": ["access_notes", "address", "health_notes", "phone"],
        "purpose": "call list",
    }
    # the values themselves never reach the log
    assert "Mill Lane" not in str(entry.before) + str(entry.after)


def test_a_caller_reads_only_the_phone_number_and_the_read_is_logged(cast, person):
    values = sensitive_read(viewer=cast.caller, person=person, purpose="call list")

    assert values == {"phone": "+44 20 7946 0000"}
    entry = AuditEntry.objects.get(action="sensitive.read")
    assert entry.after["fields"] == ["phone"]
    assert entry.is_safeguarding


def test_a_caller_cannot_read_the_phone_for_anything_but_a_call_list(cast, person):
    with pytest.raises(PermissionDenied):
        sensitive_read(viewer=cast.caller, person=person, purpose="coordinator view")

    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


@pytest.mark.parametrize("role", ["member", "outsider"])
def test_members_and_outsiders_cannot_read_anothers_details_and_nothing_is_logged(
    cast, person, role
):
    with pytest.raises(PermissionDenied):
        sensitive_read(viewer=getattr(cast, role), person=person)

    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


def test_reading_details_of_someone_who_has_none_gives_empty_values(cast):
    values = sensitive_read(viewer=cast.coordinator, person=cast.caller)

    assert values == {"address": "", "phone": "", "access_notes": "", "health_notes": ""}
