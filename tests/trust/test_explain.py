"""The evidence in words: coordinators see missed commitments; the member reads them kindly."""

from __future__ import annotations

from mutua.exchange import services as exchange
from mutua.trust import selectors, services
from mutua.trust.selectors import explain


def keep_one_miss_one(cast) -> None:
    """The member keeps one commitment and does not come to another (reported by the caller)."""
    kept = exchange.commitment_assign(
        actor=cast.coordinator,
        need=exchange.need_post(actor=cast.caller, community=cast.community, title="Soup"),
        helper=cast.member,
    )
    exchange.commitment_mark_done(actor=cast.member, commitment=kept)
    exchange.commitment_confirm(actor=cast.caller, commitment=kept)
    missed = exchange.commitment_assign(
        actor=cast.coordinator,
        need=exchange.need_post(actor=cast.caller, community=cast.community, title="Lift"),
        helper=cast.member,
    )
    exchange.commitment_report_no_show(actor=cast.caller, commitment=missed)


def test_coordinators_see_a_missed_commitment_in_the_why(cast):
    # given a member who kept one commitment and missed one
    keep_one_miss_one(cast)
    services.trust_recompute(cast.community)
    # when a coordinator reads the overview, the evidence says both
    rows = selectors.trust_overview(viewer=cast.coordinator, community=cast.community).rows
    why = next(w for m, _level, w in rows if m.user_id == cast.member.pk)
    assert "1 commitment kept" in why and "1 commitment missed" in why


def test_the_member_reads_their_own_missed_commitment_kindly(cast):
    keep_one_miss_one(cast)
    services.trust_recompute(cast.community)
    mine = selectors.my_trust(viewer=cast.member, community=cast.community)
    assert "1 commitment missed" in mine.explanation
    assert "Plans change for everyone" in mine.explanation


def test_late_and_short_notice_are_said_plainly_to_coordinators_and_gently_to_the_member():
    evidence = {"kept": 5, "late": 2, "no_show": 0, "short_notice": 1}
    assert explain(evidence) == (
        "5 commitments kept (2 of them late); 1 task given back less than a day ahead."
    )
    mine = explain(evidence, for_self=True)
    assert "5 commitments kept (2 a little later than planned)" in mine
    assert "giving the task back a day ahead costs you nothing" in mine


def test_evidence_written_before_these_counts_existed_still_reads(cast):
    assert explain({"vouches": 1, "vouchers": ["Ana"], "kept": 0}) == "vouched for by Ana."
    assert explain({}) == "No vouches or kept commitments yet."
