"""The domain on a real PostgreSQL: migrations, the audit trigger, member flows, races.

These tests run only in a pytest process whose DATABASE_URL points at PostgreSQL;
test_postgres_runner.py starts that process from the ordinary run (see ../conftest.py).
"""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import DatabaseError, connection, connections, transaction
from django.db.migrations.executor import MigrationExecutor

from mutua.communities.models import (
    ApplicationStatus,
    Invitation,
    JoinApplication,
    Membership,
    MembershipStatus,
)
from mutua.communities.services import (
    application_decide,
    application_submit,
    invitation_accept,
    invitation_create,
    membership_change_role,
    membership_remove,
)
from mutua.core.errors import Conflict
from mutua.core.models import AuditEntry
from mutua.people.models import User
from mutua.people.services import account_delete, sensitive_read, sensitive_update
from tests.factories import add_member, make_community, make_user

pytestmark = [pytest.mark.postgres]


def test_the_database_is_postgresql(db):
    assert connection.vendor == "postgresql"


def test_every_migration_is_applied_and_models_match_them(db):
    # given the test database pytest-django migrated from scratch
    executor = MigrationExecutor(connection)
    # then nothing is left to apply and no model change lacks a migration
    assert executor.migration_plan(executor.loader.graph.leaf_nodes()) == []
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_audit_append_only_trigger_is_installed(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgname FROM pg_trigger WHERE tgrelid = 'core_auditentry'::regclass"
            " AND NOT tgisinternal"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert "core_auditentry_append_only" in names


def test_postgresql_refuses_to_edit_an_audit_entry(db):
    # given a community whose creation was audit-logged
    community = make_community(make_user("Ada Steward"))
    entry = AuditEntry.objects.filter(community=community).first()
    assert entry is not None
    # when someone rewrites the entry in SQL
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(reason="nothing happened")
    # then it is unchanged
    entry.refresh_from_db()
    assert entry.reason == ""


def test_postgresql_allows_unlinking_the_actor_of_an_audit_entry(db):
    # given an audit entry with an actor
    community = make_community(make_user("Ada Steward"))
    entry = AuditEntry.objects.filter(community=community, actor__isnull=False).first()
    assert entry is not None
    # when the actor is unlinked (what deleting a user row does)
    AuditEntry.objects.filter(pk=entry.pk).update(actor=None)
    # then the trigger lets it through
    entry.refresh_from_db()
    assert entry.actor_id is None


def test_invited_person_joins_through_the_emailed_invitation(
    db, django_capture_on_commit_callbacks
):
    # given a steward and a neighbour with an account
    steward = make_user("Ada Steward", "ada@example.org")
    community = make_community(steward, name="Hillside Aid", slug="hillside")
    neighbour = make_user("Ben Neighbour", "ben@example.org")
    # when the steward invites the neighbour by e-mail and the neighbour accepts
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            actor=steward, community=community, email="ben@example.org"
        )
    membership = invitation_accept(user=neighbour, token=token)
    # then the invitation was mailed, is used up, and the neighbour is an active member
    assert [m.to for m in mail.outbox] == [["ben@example.org"]]
    assert f"/join/{token}/" in mail.outbox[0].body
    invitation.refresh_from_db()
    assert invitation.used_by == neighbour
    assert membership.status == MembershipStatus.ACTIVE
    assert AuditEntry.objects.filter(community=community, action="invitation.create").exists()


def test_approved_application_makes_an_active_member(db, django_capture_on_commit_callbacks):
    # given a community that takes applications and a coordinator
    community = make_community(make_user("Ada Steward"), join_policy="application")
    coordinator = add_member(community, make_user("Cleo Coordinator"), role="coordinator").user
    applicant = make_user("Dan Applicant", "dan@example.org")
    # when the applicant applies and the coordinator approves
    application = application_submit(user=applicant, community=community, answers=[])
    with django_capture_on_commit_callbacks(execute=True):
        application_decide(actor=coordinator, application=application, approve=True)
    # then the applicant is a member, told by e-mail, and the decision is in the audit log
    assert JoinApplication.objects.get(pk=application.pk).status == ApplicationStatus.APPROVED
    assert Membership.objects.get(community=community, user=applicant).status == "active"
    assert [m.to for m in mail.outbox] == [["dan@example.org"]]
    assert AuditEntry.objects.filter(action="application.approve", subject=applicant).exists()


def test_role_change_and_removal_are_audited(db):
    # given a steward and two members
    steward = make_user("Ada Steward")
    community = make_community(steward)
    helper = add_member(community, make_user("Eve Helper"))
    other = add_member(community, make_user("Fay Other"))
    # when the steward makes one a coordinator and removes the other
    membership_change_role(actor=steward, membership=helper, role="coordinator")
    membership_remove(actor=steward, membership=other, reason="Asked to leave the group.")
    # then both changes stuck and are in the audit log with before and after
    assert Membership.objects.get(pk=helper.pk).role == "coordinator"
    assert Membership.objects.get(pk=other.pk).status == MembershipStatus.REMOVED
    role_entry = AuditEntry.objects.get(action="member.role", subject=helper.user)
    assert (role_entry.before, role_entry.after) == ({"role": "member"}, {"role": "coordinator"})
    assert AuditEntry.objects.get(action="member.remove").reason == "Asked to leave the group."


def test_coordinator_reading_sensitive_details_is_audit_logged(db):
    # given a member who keeps a phone number and a coordinator of their community
    community = make_community(make_user("Ada Steward"))
    member = add_member(community, make_user("Gus Member")).user
    coordinator = add_member(community, make_user("Cleo Coordinator"), role="coordinator").user
    sensitive_update(user=member, phone="+44 20 7946 0000", address="1 River Lane")
    # when the coordinator reads them
    values = sensitive_read(viewer=coordinator, person=member, purpose="check-in call")
    # then they see them and the read is a safeguarding audit entry about the member
    assert values["phone"] == "+44 20 7946 0000"
    entry = AuditEntry.objects.get(action="sensitive.read", subject=member)
    assert entry.actor == coordinator
    assert entry.is_safeguarding is True
    assert entry.after["purpose"] == "check-in call"


def test_deleted_account_is_anonymised_but_history_stays(db):
    # given a member with sensitive details in a community
    community = make_community(make_user("Ada Steward"))
    member = add_member(community, make_user("Hal Leaving", "hal@example.org")).user
    sensitive_update(user=member, phone="+44 20 7946 0001")
    audit_count = AuditEntry.objects.count()
    # when they delete their account
    account_delete(user=member)
    # then nothing identifies them, their membership ended, and the audit log is intact
    member = User.objects.get(pk=member.pk)
    assert member.is_anonymised and not member.is_active
    assert "hal" not in member.email
    assert not member.has_usable_password()
    assert Membership.objects.get(user=member).status == MembershipStatus.LEFT
    assert AuditEntry.objects.count() == audit_count


def test_only_one_of_many_simultaneous_acceptances_of_a_single_use_link_wins(transactional_db):
    # given a shareable single-use invitation link and six people holding it
    steward = make_user("Ada Steward")
    community = make_community(steward)
    _invitation, token = invitation_create(actor=steward, community=community)
    people = [make_user(f"Racer {i}") for i in range(6)]
    barrier = threading.Barrier(len(people))
    outcomes: list[str] = []
    lock = threading.Lock()

    def accept(user: User) -> None:
        try:
            barrier.wait(timeout=10)
            invitation_accept(user=user, token=token)
            result = "joined"
        except Conflict:
            result = "refused"
        except Exception as exc:  # recorded, so the assertion shows it
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    # when they all accept at the same moment
    threads = [threading.Thread(target=accept, args=(p,)) for p in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # then exactly one joined and the link records that person
    assert sorted(outcomes) == ["joined"] + ["refused"] * 5
    invitation = Invitation.objects.get(community=community)
    assert invitation.used_by is not None
    assert Membership.objects.filter(community=community, user__in=people).count() == 1
