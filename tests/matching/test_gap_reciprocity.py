"""Reciprocity: hours given minus received lately, read from the ledger in bulk, make a gentle,
tunable cost that spares those who gave far more, never leaves anyone out, and is said in words."""

from __future__ import annotations

import numpy as np
import pytest

from mutua.ledger.services import ledger_configure, transfer_record
from mutua.matching import arrays, engine, selectors, solvers, tuning
from tests.exchange.helpers import new_member, post_need
from tests.matching.test_gap_urgency import helpers, needs

LAT, LON = 51.5, -0.12


def test_a_helper_who_gave_far_more_than_received_is_asked_a_little_later():
    # given two helpers alike but for hours given minus received lately
    ix = engine.index_build(helpers(2))
    ix.helpers.given_more_h = np.array([30.0, 0.0])
    nd = needs([[0, 0]], [engine.FLEXIBLE])
    w = engine.Weights()
    # then the one who gave 30 hours more comes second, 0.2 x 30 / 10 dearer
    first, second = engine.rank(ix, nd, 0, 2, w)
    assert (first.helper, second.helper) == (1, 0)
    assert second.cost - first.cost == pytest.approx(w.reciprocity * 3)
    assert "has given 30 hours more than received lately" in engine.describe(second)
    assert "received lately" not in engine.describe(first)


def test_the_term_is_gentle_capped_and_off_at_weight_zero():
    ix = engine.index_build(helpers(3))
    ix.helpers.given_more_h = np.array([1000.0, 40.0, -50.0])
    nd = needs([[0, 0]], [engine.FLEXIBLE])
    costs = {c.helper: c.cost for c in engine.rank(ix, nd, 0, 3, engine.Weights())}
    # capped at 40 hours; having received more costs nothing and earns nothing
    assert costs[0] == costs[1] == pytest.approx(costs[2] + 0.2 * 4)
    off = engine.Weights(reciprocity=0)
    assert len({c.cost for c in engine.rank(ix, nd, 0, 3, off)}) == 1


def test_a_big_giver_alone_is_still_planned_never_made_ineligible():
    ix = engine.index_build(helpers(1))
    ix.helpers.given_more_h = np.array([10_000.0])
    nd = needs([[0, 0]], [engine.FLEXIBLE])
    assert solvers.plan(ix, nd, engine.Weights(reciprocity=5)).assignments == [(0, 0)]


# --- from the ledger, through the services ------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def _givers(cast, n: int = 2):
    giver = new_member(cast.community, "Gina Giver", approx_lat=LAT, approx_lon=LON)
    others = [
        new_member(cast.community, f"Other {i}", approx_lat=LAT, approx_lon=LON) for i in range(n)
    ]
    return giver, others


def _record(cast, helper, minutes: int) -> None:
    transfer_record(
        actor=cast.coordinator,
        community=cast.community,
        payers=[(None, minutes)],
        payees=[(helper, minutes)],
        reason="Help with the move",
    )


def test_the_ranking_spares_a_big_giver_and_says_so_truly(cast):
    # given a community with a ledger where one helper gave 30 hours more than received
    ledger_configure(actor=cast.steward, community=cast.community, is_enabled=True)
    giver, [other] = _givers(cast, 1)
    _record(cast, giver, 30 * 60)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    # when a coordinator looks at who could help
    first, second = selectors.matching_rank(viewer=cast.coordinator, need=need)
    # then the giver comes second, and the reason says exactly what the ledger says
    assert (first.user, second.user) == (other, giver)
    assert second.terms["given_more_hours"] == 30
    assert "has given 30 hours more than received lately" in second.reasons
    assert "received lately" not in first.reasons


def test_a_few_hours_are_not_mentioned_and_a_community_can_turn_the_term_off(cast):
    ledger_configure(actor=cast.steward, community=cast.community, is_enabled=True)
    giver, [_other] = _givers(cast, 1)
    _record(cast, giver, 3 * 60)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    ranked = selectors.matching_rank(viewer=cast.coordinator, need=need)
    assert all("received lately" not in m.reasons for m in ranked)
    # at weight 0 the giver's cost is the same as everyone's
    _record(cast, giver, 27 * 60)
    tuning.matching_settings_change(actor=cast.coordinator, community=cast.community, reciprocity=0)
    arrays.cache_clear()
    assert len({m.cost for m in selectors.matching_rank(viewer=cast.coordinator, need=need)}) == 1


def test_without_a_ledger_no_balance_counts(cast):
    _giver, [_other] = _givers(cast, 1)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    data = arrays.community_arrays(cast.community)
    assert data.index.helpers.given_more_h is None
    assert all(m.terms["given_more_hours"] == 0 for m in selectors.matching_rank(
        viewer=cast.coordinator, need=need
    ))  # fmt: skip


def test_the_weight_is_refused_out_of_range_and_nothing_changes(cast):
    from mutua.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as refused:
        tuning.matching_settings_change(
            actor=cast.coordinator, community=cast.community, reciprocity=9
        )
    assert "reciprocity" in refused.value.field_errors
    ms = arrays.settings_for(cast.community)
    assert tuning.tuned_values(ms)["reciprocity"] == engine.Weights().reciprocity


def test_balances_are_read_in_one_query_however_many_helpers(cast, django_assert_max_num_queries):
    ledger_configure(actor=cast.steward, community=cast.community, is_enabled=True)
    giver, others = _givers(cast, 6)
    for helper in [giver, *others]:
        _record(cast, helper, 60)
    index = {u.pk: i for i, u in enumerate([giver, *others])}
    with django_assert_max_num_queries(2):  # is the ledger on (cached), every balance at once
        found = arrays._given_more(cast.community, index, len(index))
    assert found is not None and list(found) == [1.0] * 7
