"""Follow-ups and disputes: a coordinator's queue with a clear action (audit-logged); either side
questions help marked done within the dispute window, also after it confirmed itself."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import selectors, services, sweeps
from mutua.exchange.models import Commitment
from mutua.ledger.models import Transfer
from mutua.people.services import api_token_create
from tests.exchange.helpers import kinds_for, post_need


@pytest.fixture
def done(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours="2")
    return commitment


def _ledger_on(community) -> None:
    from mutua.ledger.services.common import settings_for

    row = settings_for(community)
    row.is_enabled = True
    row.save()


def test_the_person_disputes_confirmed_help_and_its_credits_are_reversed(cast, done):
    # given a community keeping the ledger, and help confirmed (so credited)
    _ledger_on(cast.community)
    services.commitment_confirm(actor=cast.member, commitment=done)
    assert Transfer.objects.filter(source=f"commitment:{done.public_id}").exists()
    # when the person says it was not right
    services.commitment_dispute(actor=cast.member, commitment=done, reason="Only half was done")
    # then a coordinator follows up, the helper is told kindly, and the credits go back
    c = Commitment.objects.get(pk=done.pk)
    assert c.follow_up and c.disputed_by == cast.member and c.dispute_reason
    assert "exchange_follow_up" in kinds_for(cast.coordinator)
    assert kinds_for(cast.caller)[-1] == "exchange_disputed"
    original = Transfer.objects.get(source=f"commitment:{done.public_id}")
    assert Transfer.objects.filter(reverses=original).exists()


def test_help_that_confirmed_itself_can_still_be_disputed_within_the_window(cast, done):
    later = timezone.now() + dt.timedelta(days=4)
    assert sweeps.auto_confirm_commitments(later) == 1
    with time_machine.travel(later, tick=False):
        services.commitment_dispute(actor=cast.member, commitment=done, reason="Not done")
    assert Commitment.objects.get(pk=done.pk).disputed_at is not None


def test_a_dispute_after_the_window_is_refused_and_changes_nothing(cast, done):
    services.commitment_confirm(actor=cast.member, commitment=done)
    later = timezone.now() + dt.timedelta(days=15)
    with time_machine.travel(later, tick=False), pytest.raises(Conflict) as caught:
        services.commitment_dispute(actor=cast.member, commitment=done, reason="Too late")
    assert "passed" in caught.value.message
    c = Commitment.objects.get(pk=done.pk)
    assert c.disputed_at is None and not c.follow_up


def test_a_dispute_while_waiting_stops_it_confirming_itself(cast, done):
    services.commitment_dispute(actor=cast.caller, commitment=done, reason="They were not home")
    assert sweeps.auto_confirm_commitments(timezone.now() + dt.timedelta(days=5)) == 0
    assert Commitment.objects.get(pk=done.pk).status == "done_pending"


def test_coordinators_and_strangers_cannot_dispute_and_a_reason_is_needed(cast, done):
    with pytest.raises(PermissionDenied):
        services.commitment_dispute(actor=cast.coordinator, commitment=done, reason="Hmm")
    with pytest.raises(PermissionDenied):
        services.commitment_dispute(actor=cast.steward, commitment=done, reason="Hmm")
    with pytest.raises(ValidationFailed) as caught:
        services.commitment_dispute(actor=cast.member, commitment=done, reason=" ")
    assert "reason" in caught.value.field_errors
    assert Commitment.objects.get(pk=done.pk).disputed_at is None


def test_a_second_dispute_is_refused(cast, done):
    services.commitment_dispute(actor=cast.member, commitment=done, reason="Not right")
    with pytest.raises(Conflict):
        services.commitment_dispute(actor=cast.caller, commitment=done, reason="Also not right")


def test_the_dispute_form_on_the_need_page_shows_its_error_on_the_field(client, cast, done):
    client.force_login(cast.member)
    url = reverse(
        "exchange:need_action", args=[cast.community.slug, done.need.public_id, "dispute"]
    )
    r = client.post(url, {"commitment": done.public_id, "text": "x"})
    assert r.status_code == 422
    assert b'id="dispute-' + done.public_id.encode() + b'-error"' in r.content
    assert b'aria-invalid="true"' in r.content
    r = client.post(url, {"commitment": done.public_id, "text": "The shopping never came"})
    assert r.status_code == 302
    assert Commitment.objects.get(pk=done.pk).disputed_at is not None


def test_dispute_over_the_api(client, cast, done):
    _token, secret = api_token_create(user=cast.member, name="t")
    r = client.post(
        f"/api/v1/commitments/{done.public_id}/dispute",
        {"reason": "It was not done"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert r.status_code == 200, r.content
    assert r.json()["disputed"] is True and r.json()["follow_up"] is True


def test_the_follow_up_queue_lists_flagged_tasks_for_coordinators_only(cast, done):
    services.commitment_flag_follow_up(actor=cast.caller, commitment=done, note="Call her")
    queue = list(selectors.follow_up_queue(viewer=cast.coordinator, community=cast.community))
    assert queue == [done]
    for role in ("member", "caller", "outsider"):
        with pytest.raises(PermissionDenied):
            selectors.follow_up_queue(viewer=getattr(cast, role), community=cast.community)


def test_clearing_a_follow_up_is_audited_and_only_coordinators_may(cast, done):
    services.commitment_flag_follow_up(actor=cast.caller, commitment=done)
    with pytest.raises(PermissionDenied):
        services.commitment_follow_up_clear(actor=cast.member, commitment=done)
    assert Commitment.objects.get(pk=done.pk).follow_up
    services.commitment_follow_up_clear(actor=cast.coordinator, commitment=done, note="Spoke")
    assert not Commitment.objects.get(pk=done.pk).follow_up
    entry = AuditEntry.objects.get(action="commitment.follow_up_clear")
    assert entry.actor == cast.coordinator and entry.reason == "Spoke"
    with pytest.raises(Conflict):
        services.commitment_follow_up_clear(actor=cast.coordinator, commitment=done)


def test_the_follow_up_page_is_linked_from_dispatch_and_clears(client, cast, done):
    services.commitment_report_no_show(actor=cast.member, commitment=done, note="Never came")
    client.force_login(cast.coordinator)
    board = client.get(reverse("exchange:dispatch", args=[cast.community.slug]))
    queue_url = reverse("exchange:follow_ups", args=[cast.community.slug])
    assert queue_url.encode() in board.content
    page = client.get(queue_url)
    assert b"Never came" in page.content and b"No-show reported" in page.content
    r = client.post(
        reverse("exchange:follow_up_clear", args=[cast.community.slug]),
        {"commitment": done.public_id, "note": "Talked to both"},
    )
    assert r.status_code == 302
    assert not Commitment.objects.get(pk=done.pk).follow_up
    client.force_login(cast.caller)
    assert client.get(queue_url).status_code == 403


def test_follow_ups_over_the_api(client, cast, done):
    services.commitment_flag_follow_up(actor=cast.member, commitment=done, note="Check in")
    _token, secret = api_token_create(user=cast.coordinator, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    listed = client.get("/api/v1/communities/riverside/follow-ups", **auth).json()
    assert [f["commitment"] for f in listed["items"]] == [done.public_id]
    assert listed["items"][0]["note"] == "Check in"
    r = client.post(
        f"/api/v1/commitments/{done.public_id}/follow-up/clear",
        {"note": "Done"},
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 200 and r.json()["follow_up"] is False
    _token, member = api_token_create(user=cast.member, name="m")
    r = client.get(
        "/api/v1/communities/riverside/follow-ups", HTTP_AUTHORIZATION=f"Bearer {member}"
    )
    assert r.status_code == 403
