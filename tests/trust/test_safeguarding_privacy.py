"""Safeguarding and trust: concerns stay private from the person they are about, gates never
fail open, blocks stop vouches, reliability counts only what the helper did."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mutua.communities.selectors import audit_list
from mutua.core.errors import NotFound, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import services as exchange
from mutua.exchange.models import Commitment
from mutua.notify.models import Notification
from mutua.people.services.account import export_audit_about
from mutua.trust import safeguarding, selectors, services
from mutua.trust.configure import trust_settings_update
from mutua.trust.models import TrustScore, TrustSettings, Vouch
from mutua.trust.notifications import CONCERN_NEW
from tests.factories import add_member, make_user


def _report(cast, about):
    return safeguarding.concern_report(
        reporter=cast.member, community=cast.community, text="He shouted at me.", about=about
    )


def _actions(viewer, community) -> set[str]:
    return {e.action for e in audit_list(viewer=viewer, community=community)}


# ---- 1. The person a concern is about never learns who reported it --------------------------
def test_the_person_a_concern_is_about_does_not_see_its_audit_entries(cast):
    concern = _report(cast, about=cast.caller)
    safeguarding.concern_review(actor=cast.coordinator, concern=concern, outcome="Talked to him.")
    assert not _actions(cast.caller, cast.community) & {
        "safeguarding.concern",
        "safeguarding.review",
    }
    # Coordinators still read both.
    assert {"safeguarding.concern", "safeguarding.review"} <= _actions(
        cast.coordinator, cast.community
    )


def test_a_data_export_leaves_out_concerns_about_the_person(cast):
    concern = _report(cast, about=cast.caller)
    safeguarding.concern_review(actor=cast.coordinator, concern=concern, outcome="Talked to him.")
    assert [e["action"] for e in export_audit_about(cast.caller)] == []


def test_the_person_suspended_still_sees_their_suspension(cast):
    membership = add_member(cast.community, cast.caller, role="caller")
    safeguarding.membership_suspend(actor=cast.coordinator, membership=membership, reason="Review")
    safeguarding.membership_unsuspend(actor=cast.coordinator, membership=membership)
    assert "safeguarding.suspend" in _actions(cast.caller, cast.community)
    assert "safeguarding.suspend" in [e["action"] for e in export_audit_about(cast.caller)]


# ---- 2. A concern about a coordinator goes to the others ------------------------------------
def test_a_concern_about_a_coordinator_is_hidden_from_them(cast):
    concern = _report(cast, about=cast.coordinator)
    assert concern not in selectors.concern_queue(viewer=cast.coordinator, community=cast.community)
    with pytest.raises(NotFound):
        selectors.concern_get(
            viewer=cast.coordinator, community=cast.community, public_id=concern.public_id
        )
    assert not _actions(cast.coordinator, cast.community) & {"safeguarding.concern"}
    # The steward reviews it instead.
    assert concern in selectors.concern_queue(viewer=cast.steward, community=cast.community)
    assert "safeguarding.concern" in _actions(cast.steward, cast.community)


def test_a_coordinator_cannot_review_a_concern_about_themselves(cast):
    concern = _report(cast, about=cast.coordinator)
    with pytest.raises(NotFound):
        safeguarding.concern_review(actor=cast.coordinator, concern=concern, outcome="Nothing.")
    concern.refresh_from_db()
    assert concern.status == "open"
    safeguarding.concern_review(actor=cast.steward, concern=concern, outcome="Spoke to them.")
    concern.refresh_from_db()
    assert concern.status == "reviewed"


def test_a_concern_about_a_coordinator_is_notified_to_the_others_only(cast):
    other = make_user("Cora Coordinator")
    add_member(cast.community, other, role="coordinator")
    _report(cast, about=cast.coordinator)
    told = set(Notification.objects.filter(kind=CONCERN_NEW).values_list("recipient_id", flat=True))
    assert told == {cast.steward.pk, other.pk}


def test_a_concern_about_a_member_reaches_every_coordinator(cast):
    _report(cast, about=cast.caller)
    told = set(Notification.objects.filter(kind=CONCERN_NEW).values_list("recipient_id", flat=True))
    assert told == {cast.steward.pk, cast.coordinator.pk}


# ---- 8. Suspensions recompute trust soon ----------------------------------------------------
def test_a_suspension_marks_trust_for_a_recompute(cast):
    membership = add_member(cast.community, cast.caller, role="caller")
    safeguarding.membership_suspend(actor=cast.coordinator, membership=membership, reason="Review")
    conf = TrustSettings.objects.get(community=cast.community)
    assert conf.recompute_due_at is not None


def test_lifting_a_suspension_marks_trust_for_a_recompute(cast):
    membership = add_member(cast.community, cast.caller, role="caller", status="suspended")
    safeguarding.membership_unsuspend(actor=cast.coordinator, membership=membership)
    conf = TrustSettings.objects.get(community=cast.community)
    assert conf.recompute_due_at is not None


def test_a_refused_suspension_marks_nothing(cast):
    membership = add_member(cast.community, cast.caller, role="caller")
    with pytest.raises(ValidationFailed):
        safeguarding.membership_suspend(actor=cast.coordinator, membership=membership, reason="")
    assert not TrustSettings.objects.filter(
        community=cast.community, recompute_due_at__isnull=False
    ).exists()


# ---- 6. Only a steward switches the gates off ------------------------------------------------
def test_a_coordinator_cannot_switch_the_gates_off(cast):
    with pytest.raises(PermissionDenied):
        trust_settings_update(actor=cast.coordinator, community=cast.community, gates_enabled=False)
    assert TrustSettings.objects.get_or_create(community=cast.community)[0].gates_enabled is True
    assert not AuditEntry.objects.filter(action="trust.settings").exists()


def test_a_steward_switches_the_gates_off_and_a_coordinator_on_again(cast):
    services.trust_recompute(cast.community)
    trust_settings_update(actor=cast.steward, community=cast.community, gates_enabled=False)
    assert services.trust_gate_refusal(cast.member, cast.community, "private_task") == ""
    trust_settings_update(actor=cast.coordinator, community=cast.community, gates_enabled=True)
    assert services.trust_gate_refusal(cast.member, cast.community, "private_task")


def test_the_settings_page_does_not_let_a_coordinator_untick_the_gates(client, cast):
    client.force_login(cast.coordinator)
    # the gates box is not ticked (as a browser sends an unticked box): the limit is saved
    url = reverse("trust:settings", args=[cast.community.slug])
    response = client.post(url, {"vouch_monthly_limit": "4"})
    assert response.status_code == 302
    conf = TrustSettings.objects.get(community=cast.community)
    assert conf.gates_enabled is True and conf.vouch_monthly_limit == 4


# ---- 5. Vouching does not cross a block -----------------------------------------------------
@pytest.mark.parametrize("blocker", ["voucher", "vouchee"])
def test_vouching_across_a_block_is_refused_in_either_direction(cast, blocker):
    voucher, vouchee = cast.steward, cast.member
    a, b = (voucher, vouchee) if blocker == "voucher" else (vouchee, voucher)
    safeguarding.block_create(user=a, other=b)
    with pytest.raises(PermissionDenied) as refused:
        services.vouch_create(voucher=voucher, vouchee=vouchee, community=cast.community)
    assert "block" not in refused.value.message.lower()
    assert not Vouch.objects.exists()


def test_vouching_without_a_block_is_recorded(cast):
    vouch_row = services.vouch_create(
        voucher=cast.steward, vouchee=cast.member, community=cast.community
    )
    assert vouch_row.vouchee == cast.member


# ---- 7. Reliability is charged only for what the helper did ---------------------------------
def _assigned(cast, title: str):
    need = exchange.need_post(actor=cast.caller, community=cast.community, title=title)
    commitment = exchange.commitment_assign(actor=cast.coordinator, need=need, helper=cast.member)
    # due within the day, so an ending now is at short notice
    Commitment.objects.filter(pk=commitment.pk).update(
        due_at=timezone.now() + dt.timedelta(hours=2)
    )
    commitment.refresh_from_db()
    return need, commitment


def _evidence(cast) -> dict:
    services.trust_recompute(cast.community)
    return TrustScore.objects.get(membership__user=cast.member).explanation


def test_the_person_closing_their_need_does_not_count_against_the_helper(cast):
    need, _commitment = _assigned(cast, "Soup")
    exchange.need_close(actor=cast.caller, need=need, status="not_needed")
    assert _evidence(cast)["short_notice"] == 0


def test_the_helper_releasing_at_short_notice_still_counts(cast):
    _need, commitment = _assigned(cast, "Soup")
    exchange.commitment_release(actor=cast.member, commitment=commitment)
    assert _evidence(cast)["short_notice"] == 1


def test_a_no_show_reported_after_confirmation_is_not_kept(cast):
    _need, commitment = _assigned(cast, "Lift")
    exchange.commitment_mark_done(actor=cast.member, commitment=commitment)
    exchange.commitment_confirm(actor=cast.caller, commitment=commitment)
    assert _evidence(cast)["kept"] == 1
    exchange.commitment_report_no_show(actor=cast.caller, commitment=commitment)
    evidence = _evidence(cast)
    assert (evidence["kept"], evidence["no_show"]) == (0, 1)
