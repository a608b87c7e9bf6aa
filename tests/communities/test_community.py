"""Creating a community and changing its settings."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from mutua.communities.models import Community, Membership
from mutua.communities.services import RESERVED_SLUGS, community_create, community_update
from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from tests.factories import make_user


def test_the_creator_becomes_the_first_steward(db):
    creator = make_user("Ann Founder")

    community = community_create(
        creator=creator, name="  Hill Street Neighbours ", time_zone="Europe/London"
    )

    assert community.slug == "hill-street-neighbours"
    assert community.name == "Hill Street Neighbours"
    assert community.time_zone == "Europe/London"
    membership = Membership.objects.get(community=community)
    assert (membership.user, membership.role, membership.status) == (creator, "steward", "active")


def test_community_creation_is_audit_logged(db):
    creator = make_user()

    community = community_create(creator=creator, name="Hill Street", slug="hill-st")

    actions = list(AuditEntry.objects.filter(community=community).values_list("action", "after"))
    assert ("community.create", {"name": "Hill Street", "slug": "hill-st"}) in actions
    assert ("member.role", {"role": "steward"}) in actions


@pytest.mark.parametrize(
    "slug",
    ["ab", "Hill", "--", "hill street", "hill_street", "hïll", "hill--"[:1]],
)
def test_a_badly_formed_web_address_is_refused(db, slug):
    with pytest.raises(ValidationFailed) as exc:
        community_create(creator=make_user(), name="Hill Street", slug=slug)

    assert "slug" in exc.value.field_errors
    assert Community.objects.count() == 0


@pytest.mark.parametrize(
    ("given", "stored"), [("-hill-", "hill"), ("x" * 61, "x" * 60), ("", "hill-street")]
)
def test_a_given_web_address_is_trimmed_of_edge_dashes_and_cut_to_sixty(db, given, stored):
    community = community_create(creator=make_user(), name="Hill Street", slug=given)

    assert community.slug == stored


@pytest.mark.parametrize("slug", sorted(RESERVED_SLUGS))
def test_reserved_web_addresses_are_refused(db, slug):
    with pytest.raises(ValidationFailed) as exc:
        community_create(creator=make_user(), name="Anything", slug=slug)

    assert "slug" in exc.value.field_errors
    assert Community.objects.count() == 0


def test_a_taken_web_address_is_refused_and_nothing_is_created(db):
    community_create(creator=make_user(), name="Hill Street")
    newcomer = make_user()

    with pytest.raises(ValidationFailed) as exc:
        community_create(creator=newcomer, name="Hill Street")

    assert "taken" in exc.value.field_errors["slug"][0]
    assert Community.objects.count() == 1
    assert not Membership.objects.filter(user=newcomer).exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "x"}, "name"),
        ({"name": "x" * 121}, "name"),
        ({"description": "x" * 4001}, "description"),
        ({"time_zone": "Mars/Olympus"}, "time_zone"),
        ({"join_policy": "whoever"}, "join_policy"),
        ({"emergency_number": "call me"}, "emergency_number"),
        ({"location_cell_m": 50}, "location_cell_m"),
        ({"location_cell_m": 50_001}, "location_cell_m"),
    ],
)
def test_community_create_refuses_bad_settings(db, changes, field):
    kwargs = {"name": "Hill Street", **changes}

    with pytest.raises(ValidationFailed) as exc:
        community_create(creator=make_user(), **kwargs)

    assert field in exc.value.field_errors
    assert Community.objects.count() == 0
    assert AuditEntry.objects.count() == 0


# ---- community_update -------------------------------------------------------------------


def test_a_steward_changes_settings_and_the_log_keeps_only_what_changed(cast):
    community = community_update(
        actor=cast.steward,
        community=cast.community,
        name="Riverside Mutual Aid",  # unchanged
        emergency_number="999",
        application_questions=["  Why join? ", "", "Where do you live?"],
    )

    assert community.emergency_number == "999"
    assert community.application_questions == ["Why join?", "Where do you live?"]
    entry = AuditEntry.objects.get(action="community.update")
    assert entry.actor == cast.steward
    assert entry.before == {"emergency_number": "112", "application_questions": []}
    assert entry.after == {
        "emergency_number": "999",
        "application_questions": ["Why join?", "Where do you live?"],
    }


def test_an_update_that_changes_nothing_writes_no_audit_entry(cast):
    community_update(actor=cast.steward, community=cast.community, name="Riverside Mutual Aid")

    assert not AuditEntry.objects.filter(action="community.update").exists()


@pytest.mark.parametrize("role", ["coordinator", "caller", "member", "outsider"])
def test_only_a_steward_changes_community_settings(cast, role):
    before = model_to_dict(Community.objects.get(pk=cast.community.pk))

    with pytest.raises(PermissionDenied):
        community_update(actor=getattr(cast, role), community=cast.community, name="Taken Over")

    assert model_to_dict(Community.objects.get(pk=cast.community.pk)) == before
    assert not AuditEntry.objects.filter(action="community.update").exists()


def test_community_update_refuses_unknown_settings(cast):
    with pytest.raises(ValidationFailed, match="slug"):
        community_update(actor=cast.steward, community=cast.community, slug="new-home")

    assert Community.objects.get(pk=cast.community.pk).slug == "riverside"


def test_community_update_refuses_bad_values_and_changes_nothing(cast):
    before = model_to_dict(Community.objects.get(pk=cast.community.pk))

    with pytest.raises(ValidationFailed) as exc:
        community_update(
            actor=cast.steward, community=cast.community, name="Fine Name", time_zone="Nowhere"
        )

    assert "time_zone" in exc.value.field_errors
    assert model_to_dict(Community.objects.get(pk=cast.community.pk)) == before


def test_more_than_ten_application_questions_are_refused(cast):
    with pytest.raises(ValidationFailed) as exc:
        community_update(
            actor=cast.steward,
            community=cast.community,
            application_questions=[f"Q{i}?" for i in range(11)],
        )

    assert "application_questions" in exc.value.field_errors
