"""Nobody is suggested, ranked or planned who could not be assigned: blocks (either way), a break
just set, the trust gate of needs with private details; the arrays' cache sees blocks and
profile edits; explanations say what they count; unmet needs say when nobody set a location."""

from __future__ import annotations

import pytest
from django.utils import timezone

from mutua.communities.models import Membership
from mutua.matching import arrays, engine, live, selectors, services, suggestions
from mutua.matching.explanations import explain, reason_words
from mutua.matching.models import Suggestion
from mutua.notify.models import Notification
from mutua.people.services import profile_update
from mutua.trust.models import TrustScore, TrustSettings
from mutua.trust.safeguarding import block_create, block_remove
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def _helper(community, name: str, km: float):
    return new_member(community, name, approx_lat=LAT + km / 111.195, approx_lon=LON)


def _need(cast, **kwargs):
    return post_need(cast.community, cast.member, lat=LAT, lon=LON, **kwargs)


def _told(need) -> set:
    return set(Suggestion.objects.filter(need=need).values_list("helper__email", flat=True))


def _suggested_to(user) -> int:
    return Notification.objects.filter(recipient=user, kind="matching_suggestion").count()


def _ranked(cast, need) -> list:
    return [m.user for m in selectors.matching_rank(viewer=cast.coordinator, need=need)]


# --- blocks and breaks set after the arrays were built ---------------------------------------


def test_a_helper_the_person_just_blocked_is_not_suggested_but_others_are(cast):
    # given two helpers and a warm matching cache that ranks both for the person's need
    blocked, other = _helper(cast.community, "Ben Blocked", 0.2), _helper(cast.community, "Ola", 1)
    need = _need(cast)
    assert _ranked(cast, need) == [blocked, other]
    # when the person blocks the nearer helper, and outreach runs
    block_create(user=cast.member, other=blocked)
    suggestions.need_suggest(need=need)
    # then only the other helper hears about the need, and the ranking no longer lists them
    assert _told(need) == {other.email}
    assert _suggested_to(blocked) == 0
    assert _ranked(cast, need) == [other]


def test_a_helper_who_blocked_the_person_is_not_ranked_or_suggested(cast):
    helper, other = _helper(cast.community, "Hana", 0.2), _helper(cast.community, "Ola", 1.0)
    need = _need(cast)
    assert _ranked(cast, need) == [helper, other]
    block_create(user=helper, other=cast.member)  # the other direction
    assert _ranked(cast, need) == [other]
    suggestions.need_suggest(need=need)
    assert _told(need) == {other.email}


def test_the_dispatch_board_leaves_out_a_helper_blocked_since_the_cache_was_built(cast):
    blocked, other = _helper(cast.community, "Ben Blocked", 0.2), _helper(cast.community, "Ola", 1)
    need = _need(cast)
    board = selectors.matching_rank_many(
        viewer=cast.coordinator, community=cast.community, needs=[need]
    )
    assert [m.user for m in board[need.pk]] == [blocked, other]
    block_create(user=cast.member, other=blocked)
    board = selectors.matching_rank_many(
        viewer=cast.coordinator, community=cast.community, needs=[need]
    )
    assert [m.user for m in board[need.pk]] == [other]


def test_a_helper_who_just_set_taking_a_break_is_not_suggested(cast, settings):
    # given a warm cache (its edits check not due for an hour) that ranks two helpers
    settings.MATCHING_EDITS_CHECK_SECONDS = 3600
    resting, other = _helper(cast.community, "Rae Resting", 0.2), _helper(cast.community, "Ola", 1)
    need = _need(cast)
    assert _ranked(cast, need) == [resting, other]
    # when the nearer one sets "taking a break" a moment later
    profile_update(user=resting, capacity_status="break")
    # then the live check keeps them out of the ranking and the suggestions
    assert _ranked(cast, need) == [other]
    suggestions.need_suggest(need=need)
    assert _told(need) == {other.email}
    assert _suggested_to(resting) == 0


def test_the_live_check_keeps_apart_a_pair_blocked_either_way_and_lets_others_through(cast):
    helper, other = _helper(cast.community, "Hana", 0.2), _helper(cast.community, "Ola", 1.0)
    need = _need(cast)
    block_create(user=helper, other=cast.member)
    check = live.live_check(
        community=cast.community, needs=[need], helper_ids=[helper.pk, other.pk], capacity=3
    )
    assert not check.fits(need, helper.pk)
    assert check.fits(need, other.pk)
    assert not check.fits(need, cast.outsider.pk)  # not a member here


# --- the cache key -------------------------------------------------------------------------


def test_making_or_removing_a_block_rebuilds_the_arrays(cast):
    helper = _helper(cast.community, "Hana", 0.2)
    first = arrays.community_arrays(cast.community)
    assert arrays.community_arrays(cast.community) is first  # nothing changed: reused
    block_create(user=cast.member, other=helper)
    blocked = arrays.community_arrays(cast.community)
    assert blocked is not first
    assert len(blocked.index.blocked) == 2  # the pair, both ways round
    block_remove(user=cast.member, other=helper)
    assert len(arrays.community_arrays(cast.community).index.blocked) == 0


def test_a_profile_edit_rebuilds_the_arrays_once_the_edits_check_is_due(cast, settings):
    settings.MATCHING_EDITS_CHECK_SECONDS = 0
    helper = _helper(cast.community, "Hana", 0.2)
    first = arrays.community_arrays(cast.community)
    assert arrays.community_arrays(cast.community) is first
    profile_update(user=helper, capacity_status="break")
    rebuilt = arrays.community_arrays(cast.community)
    assert rebuilt is not first
    assert rebuilt.index.helpers.on_break[rebuilt.user_index[helper.pk]]


def test_a_membership_edit_rebuilds_the_arrays_once_the_edits_check_is_due(cast, settings):
    settings.MATCHING_EDITS_CHECK_SECONDS = 0
    helper = _helper(cast.community, "Hana", 0.2)
    first = arrays.community_arrays(cast.community)
    membership = Membership.objects.get(user=helper, community=cast.community)
    membership.vetted_until = timezone.localdate()
    membership.save()
    rebuilt = arrays.community_arrays(cast.community)
    assert rebuilt.index.helpers.vetted[rebuilt.user_index[helper.pk]]
    assert not first.index.helpers.vetted[first.user_index[helper.pk]]


# --- the trust gate of needs with private details ------------------------------------------


def _trust_computed(community, **levels_by_user) -> None:
    TrustSettings.objects.update_or_create(
        community=community, defaults={"gates_enabled": True, "computed_at": timezone.now()}
    )
    now = timezone.now()
    for membership in Membership.objects.filter(community=community):
        level = levels_by_user.get(membership.user.email, "new")
        TrustScore.objects.update_or_create(
            membership=membership, defaults={"level": level, "computed_at": now}
        )


def test_a_need_with_a_home_address_is_ranked_and_suggested_only_to_helpers_past_the_gate(cast):
    # given a new helper nearby and a known one further away
    newcomer, known = _helper(cast.community, "Nia New", 0.2), _helper(cast.community, "Kim", 1.5)
    _trust_computed(cast.community, **{known.email: "known"})
    private = _need(cast, title="Help at home", address="1 River Lane")
    public = _need(cast, title="Post a letter")
    # then the need with an address ranks only the known helper; the other need ranks both
    assert _ranked(cast, private) == [known]
    assert _ranked(cast, public) == [newcomer, known]
    suggestions.need_suggest(need=private)
    assert _told(private) == {known.email}


def test_a_plan_never_proposes_a_helper_below_the_gate_for_a_need_with_a_home_address(cast):
    # given only a new helper nearby
    newcomer = _helper(cast.community, "Nia New", 0.2)
    _trust_computed(cast.community)
    private = _need(cast, title="Help at home", address="1 River Lane")
    public = _need(cast, title="Post a letter")
    # when a plan is made
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    # then the new helper is proposed for the other need only, and the unmet need says why
    assert {(r.need_id, r.helper_id) for r in plan.assignments.all()} == {(public.pk, newcomer.pk)}
    assert [(u["need"], u["reason"]) for u in plan.unmet] == [
        (private.public_id, engine.NOT_KNOWN_ENOUGH)
    ]
    assert "known here well enough" in reason_words(engine.NOT_KNOWN_ENOUGH)


def test_a_known_helper_is_proposed_for_a_need_with_a_home_address(cast):
    known = _helper(cast.community, "Kim Known", 0.2)
    _trust_computed(cast.community, **{known.email: "known"})
    private = _need(cast, title="Help at home", address="1 River Lane")
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    assert {(r.need_id, r.helper_id) for r in plan.assignments.all()} == {(private.pk, known.pk)}
    assert plan.unmet == []


# --- words --------------------------------------------------------------------------------


def test_the_explanation_counts_notifications_of_the_last_24_hours():
    # the arrays count notifications received in a rolling day, not since midnight
    assert "2 notifications in the last 24 hours" in explain({"notified": 2})
    assert "1 notification in the last 24 hours" in explain({"notified": 1})
    assert "today" not in explain({"notified": 2})


def test_an_unmet_need_says_when_nobody_nearby_has_set_a_location(cast):
    # given helpers who set no location (the cast) and a need with a place
    need = _need(cast)
    plan = services.dispatch_plan_create(actor=cast.coordinator, community=cast.community)
    assert [u["reason"] for u in plan.unmet] == [engine.NO_LOCATION]
    assert selectors.unmet_reason_of(need) == engine.NO_LOCATION
    assert "location" in reason_words(engine.NO_LOCATION)


def test_an_unmet_need_far_from_everyone_located_says_nobody_is_near(cast):
    # given every member has a location, all far from the need
    Membership.objects.filter(community=cast.community).update(approx_lat=LAT + 1.0, approx_lon=LON)
    need = _need(cast)
    assert selectors.unmet_reason_of(need) == engine.NO_ONE_NEAR
