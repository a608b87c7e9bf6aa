"""Places on a need: status follows places taken against helpers wanted, free places stay
takeable whatever the first helpers have done, and never more helpers than places."""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutua.core.errors import Conflict, DomainError
from mutua.exchange import services
from mutua.exchange.models import PLACE_HOLDING, Commitment, Need
from tests.exchange.helpers import new_member, post_need
from tests.factories import make_community, make_user


def _status(need) -> str:
    return Need.objects.get(pk=need.pk).status


def test_a_need_for_two_stays_open_to_a_second_helper_after_the_first_is_done(cast):
    # given a need for two helpers, whose first helper has finished and been confirmed
    need = post_need(cast.community, cast.member, allow_self_assign=True, helpers_wanted=2)
    first = services.need_self_assign(helper=cast.caller, need=need)
    services.commitment_mark_done(actor=cast.caller, commitment=first, hours=1)
    assert _status(need) == "partly_committed"
    services.commitment_confirm(actor=cast.member, commitment=first)
    assert _status(need) == "partly_committed"
    # when a second helper takes the free place, then it is theirs
    second = services.need_self_assign(helper=cast.coordinator, need=need)
    assert _status(need) == "in_progress"  # full, and part of the help is done
    # and once both are confirmed the need is done
    services.commitment_mark_done(actor=cast.member, commitment=second)
    assert _status(need) == "in_progress"
    services.commitment_confirm(actor=cast.coordinator, commitment=second)
    assert _status(need) == "done"


def test_a_second_helper_can_still_offer_and_be_accepted_once_the_first_marked_done(cast):
    need = post_need(cast.community, cast.member, helpers_wanted=2)
    first = services.commitment_assign(actor=cast.coordinator, need=need, helper=cast.caller)
    services.commitment_mark_done(actor=cast.caller, commitment=first)
    response = services.response_create(helper=cast.steward, need=need)
    services.response_accept(actor=cast.member, response=response)
    assert Commitment.objects.filter(need=need, status__in=PLACE_HOLDING).count() == 2
    assert _status(need) == "in_progress"


def test_a_full_need_with_help_marked_done_refuses_a_third_helper_clearly(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True, helpers_wanted=1)
    first = services.need_self_assign(helper=cast.caller, need=need)
    services.commitment_mark_done(actor=cast.caller, commitment=first)
    with pytest.raises(Conflict) as caught:
        services.need_self_assign(helper=cast.coordinator, need=need)
    assert "taken" in caught.value.message


def test_closing_a_need_keeps_help_marked_done_to_be_confirmed(cast):
    # given a need for two: one helper marked done, one still on their way
    need = post_need(cast.community, cast.member, allow_self_assign=True, helpers_wanted=2)
    done = services.need_self_assign(helper=cast.caller, need=need)
    services.commitment_mark_done(actor=cast.caller, commitment=done, hours="2")
    waiting = services.need_self_assign(helper=cast.coordinator, need=need)
    # when the person closes the need
    services.need_close(actor=cast.member, need=need, status="not_needed")
    # then the helper on their way is released, and the hours given stay to be confirmed
    assert Commitment.objects.get(pk=waiting.pk).status == "cancelled"
    kept = Commitment.objects.get(pk=done.pk)
    assert kept.status == "done_pending" and kept.hours == 2
    services.commitment_confirm(actor=cast.member, commitment=kept)
    assert Commitment.objects.get(pk=done.pk).status == "confirmed"
    assert _status(need) == "not_needed"


OPS = st.lists(
    st.tuples(st.sampled_from(["take", "assign", "release", "done"]), st.integers(0, 3)),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(wanted=st.integers(1, 3), ops=OPS)
def test_places_taken_never_exceed_helpers_wanted_and_free_places_stay_takeable(db, wanted, ops):
    with transaction.atomic():
        # given a need for `wanted` helpers and four possible helpers
        steward = make_user("Steward")
        community = make_community(steward)
        coordinator = new_member(community, "Coordinator", role="coordinator")
        person = new_member(community, "Person")
        need = post_need(community, person, allow_self_assign=True, helpers_wanted=wanted)
        helpers = [new_member(community, f"Helper {i}") for i in range(4)]
        # when any sequence of takes, assignments, releases and marking done happens
        for op, i in ops:
            helper = helpers[i]
            held = Commitment.objects.filter(need=need, helper=helper, status__in=PLACE_HOLDING)
            taken_before = Commitment.objects.filter(need=need, status__in=PLACE_HOLDING).count()
            try:
                if op == "take":
                    services.need_self_assign(helper=helper, need=need)
                elif op == "assign":
                    services.commitment_assign(actor=coordinator, need=need, helper=helper)
                elif op == "release" and held.filter(status="active").exists():
                    services.commitment_release(actor=helper, commitment=held.get())
                elif op == "done" and held.filter(status="active").exists():
                    services.commitment_mark_done(actor=helper, commitment=held.get())
            except DomainError:
                # a refused take or assignment only ever means: full, or already helping
                assert op in ("take", "assign")
                assert taken_before >= wanted or held.exists()
            # then never more helpers than places, and a free place can always be taken
            taken = Commitment.objects.filter(need=need, status__in=PLACE_HOLDING).count()
            assert taken <= wanted
            status = _status(need)
            assert (status in ("open", "partly_committed")) == (taken < wanted)
        transaction.set_rollback(True)
