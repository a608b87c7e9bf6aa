"""Reads: the directory, a member's page, the roster and the list of communities."""

from __future__ import annotations

import pytest

from mutua.communities.selectors import (
    community_get,
    community_list,
    member_directory,
    member_get,
    member_roster,
)
from mutua.communities.services import membership_set_attributes, membership_update_self
from mutua.core.errors import NotFound, PermissionDenied
from mutua.people.models import Skill
from mutua.people.services import profile_set_skills, profile_update
from tests.factories import add_member, make_area, make_community, make_user


def _directory_users(viewer, community, **filters):
    return {m.user for m in member_directory(viewer=viewer, community=community, **filters)}


def test_the_directory_lists_active_members(cast):
    people = _directory_users(cast.member, cast.community)

    assert people == {cast.steward, cast.coordinator, cast.caller, cast.member}


def test_the_directory_hides_unlisted_members(cast):
    membership_update_self(user=cast.caller, community=cast.community, listed_in_directory=False)

    assert cast.caller not in _directory_users(cast.member, cast.community)


def test_the_directory_hides_vulnerable_members_until_they_opt_in(cast):
    vulnerable = make_user("Vera Vulnerable")
    membership = add_member(cast.community, vulnerable)
    membership_set_attributes(actor=cast.coordinator, membership=membership, is_vulnerable=True)

    assert vulnerable not in _directory_users(cast.member, cast.community)
    assert vulnerable not in _directory_users(cast.coordinator, cast.community)

    membership_update_self(user=vulnerable, community=cast.community, listed_in_directory=True)

    assert vulnerable in _directory_users(cast.member, cast.community)


def test_the_directory_hides_former_members(cast):
    add_member(cast.community, cast.caller, status="left")

    assert cast.caller not in _directory_users(cast.coordinator, cast.community)


def test_the_directory_never_shows_another_communitys_members(cast):
    other = make_community(cast.outsider)
    add_member(other, cast.member)
    stranger = make_user()
    add_member(other, stranger)

    people = _directory_users(cast.member, cast.community)

    assert stranger not in people
    assert cast.outsider not in people


def test_the_directory_is_refused_to_outsiders(cast):
    with pytest.raises(PermissionDenied):
        member_directory(viewer=cast.outsider, community=cast.community)


def test_the_directory_filters_by_area_including_sub_areas(cast):
    town = make_area(cast.community, name="Town")
    street = make_area(cast.community, name="Street", parent=town)
    elsewhere = make_area(cast.community, name="Elsewhere")
    membership_update_self(user=cast.member, community=cast.community, service_area=street)
    membership_update_self(user=cast.caller, community=cast.community, service_area=town)
    membership_update_self(user=cast.coordinator, community=cast.community, service_area=elsewhere)

    assert _directory_users(cast.member, cast.community, area=town) == {cast.member, cast.caller}


def test_the_directory_filters_by_skill_and_by_name(cast):
    skill = Skill.objects.create(slug="zz-plumbing", name="Zz plumbing")
    profile_set_skills(user=cast.caller, skill_ids=[skill.id])
    profile_update(user=cast.coordinator, bio="Happy to fix bikes")

    assert _directory_users(cast.member, cast.community, skill=skill) == {cast.caller}
    assert _directory_users(cast.member, cast.community, q="bikes") == {cast.coordinator}
    assert _directory_users(cast.member, cast.community, q="sam") == {cast.steward}


def _add_members_with_skills(community, n):
    skill = Skill.objects.create(slug=f"zz-skill-{community.pk}-{n}", name="Zz")
    area = make_area(community)
    for _ in range(n):
        user = make_user()
        add_member(community, user, service_area=area)
        profile_set_skills(user=user, skill_ids=[skill.id])


def test_directory_query_count_does_not_grow_with_members(
    cast, django_assert_max_num_queries, django_assert_num_queries
):
    _add_members_with_skills(cast.community, 3)
    viewer = type(cast.member).objects.get(pk=cast.member.pk)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        rows = list(member_directory(viewer=viewer, community=cast.community))
        for m in rows:
            _ = [ps.skill.name for ps in m.user.profile.profile_skills.all()]
            _ = m.service_area and m.service_area.name
    _add_members_with_skills(cast.community, 20)
    viewer = type(cast.member).objects.get(pk=cast.member.pk)

    with django_assert_num_queries(len(small.captured_queries)):
        rows = list(member_directory(viewer=viewer, community=cast.community))
        for m in rows:
            _ = [ps.skill.name for ps in m.user.profile.profile_skills.all()]
            _ = m.service_area and m.service_area.name
    assert len(rows) == 4 + 3 + 20
    assert len(small.captured_queries) <= 5


# ---- member_get -------------------------------------------------------------------------


def test_a_member_opens_a_listed_members_page(cast):
    target = add_member(cast.community, cast.caller)

    assert member_get(viewer=cast.member, community=cast.community, public_id=target.public_id) == (
        target
    )


def test_an_unlisted_members_page_is_hidden_from_members_but_not_from_coordinators(cast):
    target = membership_update_self(
        user=cast.caller, community=cast.community, listed_in_directory=False
    )

    with pytest.raises(NotFound):
        member_get(viewer=cast.member, community=cast.community, public_id=target.public_id)
    assert (
        member_get(viewer=cast.coordinator, community=cast.community, public_id=target.public_id)
        == target
    )


def test_an_unlisted_member_still_sees_their_own_page(cast):
    target = membership_update_self(
        user=cast.caller, community=cast.community, listed_in_directory=False
    )

    assert member_get(viewer=cast.caller, community=cast.community, public_id=target.public_id)


def test_a_former_members_page_is_hidden_from_members(cast):
    target = add_member(cast.community, cast.caller, status="removed")

    with pytest.raises(NotFound):
        member_get(viewer=cast.member, community=cast.community, public_id=target.public_id)


def test_a_member_page_from_another_community_is_not_found(cast):
    other = make_community(cast.outsider)
    foreign = add_member(other, make_user())

    with pytest.raises(NotFound):
        member_get(viewer=cast.steward, community=cast.community, public_id=foreign.public_id)


def test_outsiders_cannot_open_member_pages(cast):
    target = add_member(cast.community, cast.caller)

    with pytest.raises(PermissionDenied):
        member_get(viewer=cast.outsider, community=cast.community, public_id=target.public_id)


# ---- member_roster ----------------------------------------------------------------------


def test_the_roster_shows_coordinators_everyone_including_the_unlisted(cast):
    vulnerable = add_member(
        cast.community, make_user(), is_vulnerable=True, listed_in_directory=False
    )

    roster = set(member_roster(viewer=cast.coordinator, community=cast.community))

    assert vulnerable in roster
    assert len(roster) == 5


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_the_roster_is_refused_to_non_coordinators(cast, role):
    with pytest.raises(PermissionDenied):
        member_roster(viewer=getattr(cast, role), community=cast.community)


# ---- community_list / community_get -----------------------------------------------------


@pytest.fixture
def communities(cast):
    unlisted = make_community(cast.outsider, name="Quiet Close", slug="quiet-close")
    unlisted.is_listed = False
    unlisted.save()
    listed = make_community(cast.outsider, name="Open Street", slug="open-street")
    return cast, listed, unlisted


def test_community_list_shows_listed_communities_and_ones_own(communities):
    cast, listed, unlisted = communities

    assert set(community_list(viewer=cast.member)) == {cast.community, listed}
    assert set(community_list(viewer=cast.outsider)) == {cast.community, listed, unlisted}


def test_community_list_mine_shows_only_ones_own(communities):
    cast, listed, unlisted = communities

    assert set(community_list(viewer=cast.member, mine=True)) == {cast.community}
    assert set(community_list(viewer=cast.outsider, mine=True)) == {listed, unlisted}


def test_community_list_for_a_visitor_shows_only_listed_communities(communities):
    cast, listed, _unlisted = communities
    from django.contrib.auth.models import AnonymousUser

    assert set(community_list(viewer=AnonymousUser())) == {cast.community, listed}
    assert set(community_list(viewer=None, mine=True)) == set()


def test_community_list_counts_active_members_once(communities):
    cast, listed, _unlisted = communities
    add_member(cast.community, make_user(), status="left")

    add_member(listed, make_user())

    for viewer in (cast.member, cast.outsider, None):
        counts = {c.slug: c.member_count for c in community_list(viewer=viewer)}
        assert counts["riverside"] == 4
        assert counts["open-street"] == 2


def test_a_former_member_no_longer_sees_an_unlisted_community_as_theirs(communities):
    cast, _listed, unlisted = communities
    add_member(unlisted, cast.member, status="left")

    assert unlisted not in set(community_list(viewer=cast.member))


def test_community_get_finds_by_slug_or_says_not_found(cast):
    assert community_get(slug="riverside") == cast.community
    with pytest.raises(NotFound):
        community_get(slug="nowhere")
