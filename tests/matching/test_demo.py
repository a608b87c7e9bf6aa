"""The demo hook leaves a plan to review and suggestions sent."""

from __future__ import annotations

from django.utils import timezone

from mutua.communities.models import Membership
from mutua.matching import arrays
from mutua.matching.demo import build_arrangement_terms, build_matching
from mutua.matching.models import ArrangementTerm, MatchingSettings, Suggestion
from mutua.trust.models import TrustScore
from tests.exchange.helpers import new_member, post_need


def test_build_matching_stores_a_plan_and_sends_suggestions(cast):
    arrays.cache_clear()
    helper = new_member(cast.community, "Hana", approx_lat=51.501, approx_lon=-0.12)
    post_need(cast.community, cast.member, lat=51.5, lon=-0.12)
    plan = build_matching(cast.community)
    assert plan is not None and plan.status == "draft"
    assert list(plan.assignments.values_list("helper", flat=True)) == [helper.pk]
    assert Suggestion.objects.filter(helper=helper).exists()
    arrays.cache_clear()


def test_demo_shows_an_arrangement_between_trusted_members_that_renewed_by_itself(cast):
    # given two trusted members (the trust demo runs before matching's)
    for user in (cast.member, cast.caller):
        membership = Membership.objects.get(community=cast.community, user=user)
        TrustScore.objects.create(
            membership=membership, level="trusted", computed_at=timezone.now()
        )
    # when the demo builds arrangement terms
    arrangement = build_arrangement_terms(cast.community, cast.coordinator)
    # then the community uses terms and the arrangement's term renewed without anyone
    assert arrangement is not None
    assert MatchingSettings.objects.get(community=cast.community).trusted_arrangements_renew
    term = ArrangementTerm.objects.get(arrangement=arrangement)
    assert term.renewals == 1 and term.renewed_by is None
    assert {arrangement.person, arrangement.helper} == {cast.member, cast.caller}
