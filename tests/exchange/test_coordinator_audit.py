"""What a coordinator does on someone else's behalf in the exchange is in the audit log (ids and
numbers, never free text); what people do for themselves is not. The helper hears of it."""

from __future__ import annotations

import pytest

from mutua.communities.views.common import ACTION_WORDS
from mutua.core.models import AuditEntry
from mutua.exchange import services
from mutua.exchange.models import Response
from mutua.trust.models import TrustSettings
from tests.api.conftest import ApiClient
from tests.exchange.helpers import kinds_for, new_member, post_need

NEW_ACTIONS = (
    "commitment.mark_done",
    "commitment.confirm",
    "commitment.release",
    "expense.repaid",
    "response.accept",
    "response.decline",
    "need.ask_helper",
    "offer.close",
)


@pytest.fixture
def helper(cast):
    TrustSettings.objects.update_or_create(
        community=cast.community, defaults={"gates_enabled": False}
    )
    return new_member(cast.community, "Hal Helper")


@pytest.fixture
def commitment(cast, helper):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    return services.need_self_assign(helper=helper, need=need)


def _entries(action: str):
    return AuditEntry.objects.filter(action=action)


# ---- 3. the consent note stays off the public log -------------------------------------------


def test_a_need_posted_on_behalf_is_logged_without_the_consent_note(cast):
    note = "Agreed by phone; she has early dementia, daughter present"
    post_need(
        cast.community,
        cast.coordinator,
        on_behalf_name="Mrs Lee",
        consent_given=True,
        consent_note=note,
    )

    entry = _entries("need.on_behalf").get()
    response = ApiClient(cast.member).get("/communities/riverside/audit")

    assert entry.after == {"title": "Shopping for the week", "consent_recorded": True}
    assert response.status_code == 200
    assert "dementia" not in response.content.decode()


def test_clearing_a_follow_up_is_a_safeguarding_entry(cast, commitment):
    services.commitment_flag_follow_up(actor=cast.member, commitment=commitment, note="late")
    services.commitment_follow_up_clear(
        actor=cast.coordinator, commitment=commitment, note="He was ill"
    )

    response = ApiClient(new_member(cast.community, "Bea")).get("/communities/riverside/audit")

    assert _entries("commitment.follow_up_clear").get().is_safeguarding
    assert "He was ill" not in response.content.decode()


# ---- 4. coordinators acting for others are audited -----------------------------------------


def test_every_new_action_has_words_in_the_log(cast):
    for action in NEW_ACTIONS:
        assert action in ACTION_WORDS


def test_a_coordinator_changing_the_hours_on_confirmation_is_audited(cast, helper, commitment):
    services.commitment_mark_done(actor=helper, commitment=commitment, hours="3")

    services.commitment_confirm(actor=cast.coordinator, commitment=commitment, hours="9")

    entry = _entries("commitment.confirm").get()
    assert entry.actor == cast.coordinator and entry.subject == helper
    assert entry.before["hours"] == "3.00" and entry.after["hours"] == "9.00"
    assert not entry.is_safeguarding


def test_the_person_confirming_their_own_help_is_not_audited(cast, helper, commitment):
    services.commitment_mark_done(actor=helper, commitment=commitment, hours="3")

    services.commitment_confirm(actor=cast.member, commitment=commitment, hours="2")

    assert not _entries("commitment.confirm").exists()


def test_a_coordinator_marking_done_is_audited_the_helper_is_not(cast, helper, commitment):
    services.commitment_mark_done(actor=cast.coordinator, commitment=commitment, hours="1")
    assert _entries("commitment.mark_done").get().after["status"] == "done_pending"

    other = services.need_self_assign(
        helper=helper, need=post_need(cast.community, cast.member, allow_self_assign=True)
    )
    services.commitment_mark_done(actor=helper, commitment=other)
    assert _entries("commitment.mark_done").count() == 1


def test_a_coordinator_releasing_a_helper_is_audited_and_the_helper_is_told(
    cast, helper, commitment
):
    services.commitment_release(actor=cast.coordinator, commitment=commitment, reason="private")

    entry = _entries("commitment.release").get()
    assert entry.subject == helper and entry.after["status"] == "released"
    assert "private" not in str(entry.after) and entry.reason == ""
    assert "exchange_commitment_released" in kinds_for(helper)
    assert "exchange_commitment_released" in kinds_for(cast.member)


def test_a_helper_releasing_their_own_place_is_not_audited(cast, helper, commitment):
    services.commitment_release(actor=helper, commitment=commitment)

    assert not _entries("commitment.release").exists()
    assert "exchange_commitment_released" not in kinds_for(helper)


def test_a_coordinator_marking_an_expense_repaid_is_audited(cast, helper, commitment):
    expense = services.expense_record(actor=helper, commitment=commitment, amount="12.50")
    mine = services.expense_record(actor=helper, commitment=commitment, amount="3")

    services.expense_mark_repaid(actor=cast.member, expense=mine)
    assert not _entries("expense.repaid").exists()
    services.expense_mark_repaid(actor=cast.coordinator, expense=expense)

    assert _entries("expense.repaid").get().after["expense"] == expense.public_id


def test_a_coordinator_answering_offers_of_help_is_audited(cast, helper):
    need = post_need(cast.community, cast.member, helpers_wanted=2)
    other = new_member(cast.community, "Olga Other")
    first = services.response_create(helper=helper, need=need)
    second = services.response_create(helper=other, need=need)

    services.response_accept(actor=cast.coordinator, response=first)
    services.response_decline(actor=cast.coordinator, response=second)

    assert _entries("response.accept").get().subject == helper
    assert _entries("response.decline").get().subject == other


def test_the_person_answering_offers_of_help_is_not_audited(cast, helper):
    need = post_need(cast.community, cast.member)
    response = services.response_create(helper=helper, need=need)

    services.response_decline(actor=cast.member, response=response)

    assert Response.objects.get(pk=response.pk).status == "declined"
    assert not _entries("response.decline").exists()


def test_a_coordinator_asking_a_helper_is_audited(cast, helper):
    need = post_need(cast.community, cast.member)

    services.need_ask_helper(actor=cast.coordinator, need=need, helper=helper)

    entry = _entries("need.ask_helper").get()
    assert entry.subject == helper and entry.target_id == need.public_id


def test_a_coordinator_closing_an_offer_is_audited_the_owner_is_not(cast, helper):
    offer = services.offer_post(owner=helper, community=cast.community, title="Spare jam jars")
    own = services.offer_post(owner=helper, community=cast.community, title="Lifts")

    services.offer_close(actor=helper, offer=own)
    services.offer_close(actor=cast.coordinator, offer=offer)

    entry = _entries("offer.close").get()
    assert entry.subject == helper and entry.target_id == offer.public_id
    assert entry.before == {"status": "open"} and entry.after == {"status": "closed"}


# ---- 8. the helper hears of a no-show reported against them ---------------------------------


def test_the_helper_is_told_kindly_of_a_no_show_report(cast, helper, commitment):
    services.commitment_report_no_show(actor=cast.member, commitment=commitment, note="no one")

    assert "exchange_disputed" in kinds_for(helper)
    assert "exchange_disputed" not in kinds_for(cast.member)
