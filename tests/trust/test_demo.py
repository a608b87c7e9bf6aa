"""The demo shows every trust level, built through the services within their rules."""

from __future__ import annotations

from django.db.models import Count

from mutua.trust import services
from mutua.trust.demo import build_trust
from mutua.trust.models import TrustSettings, Verification, Vouch
from tests.factories import add_member
from tests.trust.helpers import member


def test_build_trust_shows_every_level(cast):
    for _ in range(9):
        member(cast.community)
    counts = build_trust(cast.community)
    assert counts["new"] >= 1
    assert counts["known"] >= 1
    assert counts["trusted"] >= 2  # the steward and at least one member


def test_the_demo_keeps_the_monthly_limit_and_the_standing_rule(cast):
    # given a community the size of a small demo, with a second steward and more coordinators
    add_member(cast.community, member(cast.community), role="steward")
    for _ in range(2):
        add_member(cast.community, member(cast.community), role="coordinator")
    for _ in range(40):
        member(cast.community)
    # when the demo builds trust
    counts = build_trust(cast.community)
    # then nobody vouched more than the limit allows, and only members with standing vouched
    limit = TrustSettings.objects.get(community=cast.community).vouch_monthly_limit
    given = Vouch.objects.filter(community=cast.community).values("voucher").annotate(c=Count("id"))
    assert given and max(row["c"] for row in given) <= limit
    for voucher_id in {row["voucher"] for row in given}:
        voucher = type(cast.steward).objects.get(pk=voucher_id)
        assert services.trust_level_of(voucher, cast.community) != "new"
    # and every level is there, with a visit in person among the evidence
    assert counts["new"] and counts["known"] and counts["trusted"] >= 3
    assert Verification.objects.filter(community=cast.community).exists()
