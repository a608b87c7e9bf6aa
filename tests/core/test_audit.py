"""The audit log: redacted, append-only, and safeguarding entries kept to those concerned."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.forms.models import model_to_dict

from mutua.communities.selectors import audit_list
from mutua.core.audit import REDACTED, audit_record, redact
from mutua.core.audit_guard import audit_unlocked
from mutua.core.errors import PermissionDenied
from mutua.core.models import AuditEntry
from tests.factories import make_user


def test_sensitive_fields_are_redacted_before_they_are_stored(cast):
    entry = audit_record(
        actor=cast.coordinator,
        action="test.edit",
        community=cast.community,
        before={"phone": "+44 20 7946 0000", "address": "1 Lane", "name": "Ann"},
        after={"health_notes": "diabetic", "email": "a@example.org", "name": "Anne"},
    )

    entry.refresh_from_db()
    assert entry.before == {"phone": REDACTED, "address": REDACTED, "name": "Ann"}
    assert entry.after == {"health_notes": REDACTED, "email": REDACTED, "name": "Anne"}


def test_redact_leaves_ordinary_fields_and_handles_nothing():
    assert redact(None) == {}
    assert redact({"role": "caller", "token_hash": "abc"}) == {
        "role": "caller",
        "token_hash": REDACTED,
    }


def test_an_entry_names_its_target_by_public_id_or_slug(cast):
    entry = audit_record(
        actor=cast.steward, action="test", community=cast.community, target=cast.community
    )

    assert (entry.target_type, entry.target_id) == ("community", "riverside")
    assert entry.target_label == "Riverside Mutual Aid"


def test_anonymous_actor_is_stored_as_nobody(cast):
    from django.contrib.auth.models import AnonymousUser

    entry = audit_record(actor=AnonymousUser(), action="test", community=cast.community)

    assert entry.actor is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("reason", "rewritten"),
        ("action", "something.else"),
        ("after", {"role": "steward"}),
        ("before", {"role": "member"}),
        ("is_safeguarding", True),
        ("target_label", "Someone else"),
        ("target_type", "user"),
        ("target_id", "x"),
        ("public_id", "0000000000000000"),
        ("created_at", dt.datetime(2020, 1, 1, tzinfo=dt.UTC)),
        ("community", None),
    ],
)
def test_audit_entries_cannot_be_updated(cast, field, value):
    # given an entry
    entry = audit_record(
        actor=cast.steward, action="member.role", community=cast.community, after={"role": "x"}
    )
    before = model_to_dict(AuditEntry.objects.get(pk=entry.pk))
    # when any of its content is rewritten in SQL, then the database refuses
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(**{field: value})
    assert model_to_dict(AuditEntry.objects.get(pk=entry.pk)) == before


@pytest.mark.parametrize("field", ["actor", "subject"])
def test_an_entry_cannot_be_pinned_on_someone_else(cast, field):
    # given an entry naming the coordinator as actor and subject
    entry = audit_record(
        actor=cast.coordinator, action="test", community=cast.community, subject=cast.coordinator
    )
    # when someone points it at another person, then the database refuses
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(**{field: cast.member})
    entry.refresh_from_db()
    assert (entry.actor, entry.subject) == (cast.coordinator, cast.coordinator)


def test_unlinking_actor_and_subject_is_the_one_change_allowed(cast):
    entry = audit_record(
        actor=cast.coordinator, action="test", community=cast.community, subject=cast.member
    )

    AuditEntry.objects.filter(pk=entry.pk).update(actor=None, subject=None)

    entry.refresh_from_db()
    assert (entry.actor_id, entry.subject_id, entry.action) == (None, None, "test")


def test_unlinking_together_with_another_change_is_refused(cast):
    entry = audit_record(actor=cast.coordinator, action="test", community=cast.community)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(actor=None, reason="hidden")

    assert AuditEntry.objects.get(pk=entry.pk).actor == cast.coordinator


def test_audit_entries_cannot_be_deleted_through_the_orm_or_sql(cast):
    entry = audit_record(actor=cast.steward, action="test", community=cast.community)

    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM core_auditentry")

    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_deleting_a_community_keeps_its_audit_trail(cast):
    # given a community whose creation is in the log
    count = AuditEntry.objects.filter(community=cast.community).count()
    assert count
    # when someone deletes the community, then it is refused and the trail stays
    with pytest.raises(ProtectedError), transaction.atomic():
        cast.community.delete()
    assert AuditEntry.objects.filter(community=cast.community).count() == count


def test_only_the_unlocked_maintenance_path_may_delete_entries(cast):
    entry = audit_record(actor=cast.steward, action="test", community=cast.community)

    with audit_unlocked():
        AuditEntry.objects.filter(pk=entry.pk).delete()

    assert not AuditEntry.objects.filter(pk=entry.pk).exists()


def test_the_guards_are_installed_on_sqlite(db):
    if connection.vendor != "sqlite":
        pytest.skip("tests/integration/postgres/test_foundation.py checks PostgreSQL")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'core_auditentry'"
        )
        names = {row[0] for row in cursor.fetchall()}
    # a table rebuild by a later migration would silently drop them: this notices
    assert names == {"core_auditentry_append_only", "core_auditentry_no_delete"}


def test_deleting_an_actor_unlinks_them_from_their_entries(cast):
    actor = make_user("Gone Soon")
    entry = audit_record(actor=actor, action="test", community=cast.community, subject=actor)

    actor.delete()

    entry.refresh_from_db()
    assert entry.actor is None
    assert entry.subject is None
    assert entry.action == "test"


def test_an_entry_about_a_person_stores_no_name(cast):
    # given a membership as the target (its text names the person)
    from mutua.communities.models import Membership

    membership = Membership.objects.get(community=cast.community, user=cast.member)
    # when it is logged
    entry = audit_record(
        actor=cast.steward,
        action="member.role",
        community=cast.community,
        target=membership,
        subject=cast.member,
    )
    # then the label is empty and the person is only linked
    entry.refresh_from_db()
    assert entry.target_label == ""
    assert "Member Person" not in str(model_to_dict(entry))
    assert entry.subject == cast.member


# ---- audit_list: who reads what ---------------------------------------------------------


@pytest.fixture
def entries(cast):
    plain = audit_record(actor=cast.coordinator, action="area.create", community=cast.community)
    about_member = audit_record(
        actor=cast.coordinator,
        action="sensitive.read",
        community=cast.community,
        subject=cast.member,
        is_safeguarding=True,
    )
    about_caller = audit_record(
        actor=cast.coordinator,
        action="member.attributes",
        community=cast.community,
        subject=cast.caller,
        is_safeguarding=True,
    )
    return plain, about_member, about_caller


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_coordinators_read_every_entry_including_safeguarding(cast, entries, role):
    seen = set(audit_list(viewer=getattr(cast, role), community=cast.community))

    assert set(entries) <= seen


def test_a_member_reads_ordinary_entries_and_safeguarding_ones_about_them_only(cast, entries):
    plain, about_member, about_caller = entries

    seen = set(audit_list(viewer=cast.member, community=cast.community))

    assert plain in seen
    assert about_member in seen
    assert about_caller not in seen


def test_a_caller_does_not_read_safeguarding_entries_about_others(cast, entries):
    _plain, about_member, about_caller = entries

    seen = set(audit_list(viewer=cast.caller, community=cast.community))

    assert about_member not in seen
    assert about_caller in seen


def test_an_outsider_cannot_read_the_audit_log(cast, entries):
    with pytest.raises(PermissionDenied):
        audit_list(viewer=cast.outsider, community=cast.community)


def test_audit_list_filters_by_action_prefix_and_actor(cast, entries):
    plain, *_ = entries
    audit_record(actor=cast.steward, action="area.delete", community=cast.community)

    by_action = list(audit_list(viewer=cast.steward, community=cast.community, action="area."))
    by_actor = list(
        audit_list(
            viewer=cast.steward,
            community=cast.community,
            action="area.",
            actor_public_id=cast.coordinator.public_id,
        )
    )

    assert {e.action for e in by_action} == {"area.create", "area.delete"}
    assert by_actor == [plain]


def test_audit_list_shows_no_other_communitys_entries(cast, entries):
    from tests.factories import make_community

    other = make_community(cast.outsider)

    seen = list(audit_list(viewer=cast.steward, community=cast.community))

    assert all(e.community_id == cast.community.pk for e in seen)
    assert not AuditEntry.objects.filter(community=other).filter(pk__in=[e.pk for e in seen])


def test_an_email_address_in_a_targets_label_is_redacted(cast):
    from mutua.people.models import User

    bare = User.objects.create_user("no.profile@example.org")  # str() falls back to the e-mail

    entry = audit_record(actor=cast.steward, action="test", community=cast.community, target=bare)

    assert "no.profile@example.org" not in entry.target_label
    assert entry.target_label == ""  # a user is named from the live row, never stored


def test_an_email_address_in_any_other_label_is_redacted(cast):
    from mutua.communities.models import Invitation

    class Labelled:  # a target whose label mentions an address
        _meta = Invitation._meta
        public_id = "abc"
        audit_label = "sent to a@example.org"

    entry = audit_record(
        actor=cast.steward, action="test", community=cast.community, target=Labelled()
    )

    assert entry.target_label == f"sent to {REDACTED}"
