"""The demo hook leaves a plan to review and suggestions sent."""

from __future__ import annotations

from django.utils import timezone

from mutua.communities.models import Membership
from mutua.exchange.models import Need
from mutua.matching import arrays
from mutua.matching.demo import UNMET_TITLE, build_arrangement_terms, build_matching
from mutua.matching.explanations import reason_words
from mutua.matching.models import ArrangementTerm, MatchingSettings, Suggestion
from mutua.trust.models import TrustScore
from tests.exchange.helpers import new_member, post_need


def test_build_matching_stores_a_plan_with_an_unmet_need_and_sends_suggestions(cast):
    arrays.cache_clear()
    # given a helper near one need and another member further away (the demo's unmet need is
    # posted by the first member with a place)
    helper = new_member(cast.community, "Hana", approx_lat=51.501, approx_lon=-0.12)
    new_member(cast.community, "Ivo", approx_lat=51.52, approx_lon=-0.12)
    need = post_need(cast.community, cast.member, lat=51.5, lon=-0.12)
    # when the demo builds matching
    plan = build_matching(cast.community)
    # then a draft plan proposes the helper, shows the interpreter need unmet and why
    assert plan is not None and plan.status == "draft"
    assert list(plan.assignments.values_list("need", "helper")) == [(need.pk, helper.pk)]
    unmet = Need.objects.get(title=UNMET_TITLE)
    assert plan.unmet == [
        {"need": unmet.public_id, "title": UNMET_TITLE, "missing": 1, "reason": "nobody_with_skill"}
    ]
    assert reason_words(plan.unmet[0]["reason"]) == "Nobody with that skill in that area."
    # and suggestions went out
    assert Suggestion.objects.filter(helper=helper, need=need).exists()
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
