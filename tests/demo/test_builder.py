"""The demo builds through the services, the same way every time, with working logins."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction

from mutua.communities.models import Community, JoinApplication, Membership
from mutua.core.models import AuditEntry
from mutua.demo.builder import DEMO_LOGINS, DEMO_PASSWORD, build_demo
from mutua.demo.plan import plan_people
from mutua.people.models import Profile, User

SMALL = 30


def _cast(community_slug: str) -> list[tuple[str, str, str]]:
    return sorted(
        Membership.objects.filter(community__slug=community_slug).values_list(
            "user__email", "user__profile__display_name", "role"
        )
    )


@pytest.fixture
def demo(db):
    return build_demo(seed=7, size=SMALL)


def test_demo_builds_both_communities_with_the_requested_size(demo):
    riverside = Community.objects.get(slug="riverside")
    assert riverside.time_zone == "Europe/London"
    assert riverside.emergency_number == "999"
    assert riverside.join_policy == "application"
    assert len(riverside.application_questions) == 2
    assert Membership.objects.filter(community=riverside).count() >= SMALL
    assert riverside.areas.filter(parent__isnull=False).count() >= 5
    assert Community.objects.get(slug="hillside").join_policy == "open"


def test_some_people_belong_to_both_communities(demo):
    both = User.objects.filter(memberships__community__slug="riverside").filter(
        memberships__community__slug="hillside"
    )
    assert both.filter(email="member@demo.mutua.local").exists()
    assert both.count() >= 3


def test_every_demo_login_has_its_role_and_a_verified_email(demo):
    for role, email in DEMO_LOGINS:
        user = User.objects.get(email=email)
        assert Membership.objects.get(community__slug="riverside", user=user).role == role
        assert EmailAddress.objects.filter(user=user, email=email, verified=True).exists()
        assert authenticate(email=email, password=DEMO_PASSWORD) == user


def test_staff_roles_pending_work_and_safeguarding_are_present(demo):
    riverside = Membership.objects.filter(community__slug="riverside")
    assert riverside.filter(role="steward").count() == 2
    assert riverside.filter(role="coordinator").count() == 4
    assert riverside.filter(role="caller").count() == 3
    assert riverside.filter(custom_roles__isnull=False).count() == 2
    assert JoinApplication.objects.filter(status="pending").count() == 4
    vulnerable = riverside.filter(is_vulnerable=True)
    assert vulnerable.count() >= 2
    assert vulnerable.filter(listed_in_directory=True).count() == 1
    assert riverside.filter(vetted_until__isnull=False).exists()
    assert Profile.objects.filter(capacity_status="break").exists()


def test_the_audit_log_records_what_coordinators_and_stewards_did(demo):
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "community.create",
        "area.create",
        "member.role",
        "member.attributes",
        "role.create",
        "invitation.create",
        "application.approve",
        "sensitive.read",
    } <= actions
    assert AuditEntry.objects.filter(is_safeguarding=True).exists()


def _cast_of_a_build(seed: int) -> object:
    """Build inside a transaction that is rolled back (ledger entries cannot be deleted)."""
    with transaction.atomic():
        build_demo(seed=seed, size=SMALL)
        cast = _cast("riverside")
        transaction.set_rollback(True)
    return cast


def test_same_seed_gives_the_same_people_and_roles(db):
    first = _cast_of_a_build(11)
    assert Community.objects.count() == 0
    assert _cast_of_a_build(11) == first


def test_another_seed_gives_other_people(db):
    def names(seed):
        return [p.name for p in plan_people(seed, SMALL)]

    assert names(1) == names(1)
    assert names(1) != names(2)


def test_if_empty_does_nothing_when_a_community_exists(demo):
    users, entries = User.objects.count(), AuditEntry.objects.count()
    call_command("demo", "--if-empty", "--size", str(SMALL))
    assert User.objects.count() == users
    assert AuditEntry.objects.count() == entries


def test_command_loads_the_demo_into_an_empty_database(db, capsys):
    call_command("demo", "--if-empty", "--size", str(SMALL), "--seed", "3")
    assert Community.objects.filter(slug="riverside").exists()
    out = capsys.readouterr().out
    assert "members 25/" in out
    assert "member@demo.mutua.local" in out


def test_command_refuses_to_load_the_demo_twice(demo):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("demo", "--size", str(SMALL))
