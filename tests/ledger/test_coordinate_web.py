"""Coordinator pages: record, grant, reverse, per-member limits and fund support, without JS."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.communities.models import Membership
from mutua.core.models import AuditEntry
from mutua.ledger.models import Account, Transfer
from mutua.ledger.services import fund_gift, ledger_configure, transfer_send
from tests.ledger.helpers import balance

ACTIONS = ["record", "grant", "reverse", "limits", "supported"]


def member_id(cast, user) -> str:
    return Membership.objects.get(community=cast.community, user=user).public_id


def url(name: str) -> str:
    return reverse(f"ledger:{name}", args=["riverside"])


def valid_post(cast, action: str) -> dict:
    member = member_id(cast, cast.member)
    return {
        "record": {
            "payer_0": member,
            "payer_hours_0": "2",
            "payee_0": member_id(cast, cast.caller),
            "reason": "Helped by phone",
            "token": "rec-1",
            "rows": "3",
        },
        "grant": {"member": member, "hours": "1", "reason": "Winter help", "token": "g-1"},
        "reverse": {"transfer": "unknown", "reason": "Typed twice"},
        "limits": {"member": member, "floor_hours": "-20", "ceiling_hours": "", "reason": "Ill"},
        "supported": {"member": member, "is_supported": "on", "reason": "Recovering"},
    }[action]


def test_the_summary_links_to_the_coordinator_actions(client, ledger):
    client.force_login(ledger.coordinator)
    page = client.get(url("summary")).content.decode()
    assert url("coordinate") in page
    response = client.get(url("coordinate"))
    assert response.status_code == 200
    for action in ACTIONS:
        assert f'action="{url(action)}"' in response.content.decode()


def test_a_coordinator_records_help_on_someones_behalf(client, ledger):
    client.force_login(ledger.coordinator)
    response = client.post(url("record"), valid_post(ledger, "record"))
    assert response.status_code == 302
    transfer = Transfer.objects.get()
    assert transfer.kind == "coordinator" and transfer.created_by == ledger.coordinator
    assert balance(ledger.community, ledger.member) == -120
    assert balance(ledger.community, ledger.caller) == 120
    assert AuditEntry.objects.filter(action="ledger.record").count() == 1


def test_a_recorded_form_posted_twice_moves_credits_once(client, ledger):
    client.force_login(ledger.coordinator)
    client.post(url("record"), valid_post(ledger, "record"))
    client.post(url("record"), valid_post(ledger, "record"))
    assert Transfer.objects.count() == 1


def test_a_coordinator_records_help_paid_by_the_fund(client, ledger):
    fund_gift(actor=ledger.caller, community=ledger.community, minutes=300)
    client.force_login(ledger.coordinator)
    data = valid_post(ledger, "record") | {"payer_0": "fund", "token": "rec-2"}
    assert client.post(url("record"), data).status_code == 302
    assert balance(ledger.community, ledger.member) == 0
    assert balance(ledger.community, ledger.caller) == -300 + 120


def test_a_coordinator_grants_credits_from_the_fund(client, ledger):
    fund_gift(actor=ledger.caller, community=ledger.community, minutes=120)
    client.force_login(ledger.coordinator)
    assert client.post(url("grant"), valid_post(ledger, "grant")).status_code == 302
    assert balance(ledger.community, ledger.member) == 60
    assert AuditEntry.objects.filter(action="ledger.fund_grant").count() == 1


def test_a_coordinator_reverses_a_transfer_with_a_reason(client, ledger):
    sent = transfer_send(
        actor=ledger.member, community=ledger.community, recipient=ledger.caller, minutes=45
    )
    client.force_login(ledger.coordinator)
    data = {"transfer": sent.public_id, "reason": "Typed twice"}
    assert client.post(url("reverse"), data).status_code == 302
    reversal = Transfer.objects.get(reverses=sent)
    assert reversal.reason == "Typed twice"
    assert balance(ledger.community, ledger.member) == 0
    assert AuditEntry.objects.filter(action="ledger.reverse").count() == 1


def test_a_coordinator_sets_a_members_own_limits(client, ledger):
    client.force_login(ledger.coordinator)
    assert client.post(url("limits"), valid_post(ledger, "limits")).status_code == 302
    account = Account.objects.get(community=ledger.community, user=ledger.member)
    assert (account.floor_override, account.ceiling_override) == (-1200, None)


def test_a_coordinator_marks_a_member_supported(client, ledger):
    client.force_login(ledger.coordinator)
    assert client.post(url("supported"), valid_post(ledger, "supported")).status_code == 302
    assert Account.objects.get(community=ledger.community, user=ledger.member).is_supported
    assert AuditEntry.objects.filter(action="ledger.supported").count() == 1


@pytest.mark.parametrize("role", ["member", "caller", "outsider"])
@pytest.mark.parametrize("action", ACTIONS)
def test_only_coordinators_use_the_coordinator_actions(client, ledger, role, action):
    client.force_login(getattr(ledger, role))
    audits = AuditEntry.objects.count()
    assert client.get(url("coordinate")).status_code == 403
    assert client.post(url(action), valid_post(ledger, action)).status_code == 403
    assert not Transfer.objects.exists()
    assert AuditEntry.objects.count() == audits
    assert not Account.objects.filter(is_supported=True).exists()
    assert not Account.objects.filter(floor_override__isnull=False).exists()


@pytest.mark.parametrize(
    ("action", "bad", "field"),
    [
        ("record", {"payer_hours_0": "0"}, "payer_hours_0"),
        ("record", {"payee_0": "fund", "payer_0": "fund"}, "payee_0"),
        ("record", {"payer_hours_1": "1"}, "payer_1"),
        ("record", {"payee_hours_0": "3"}, "payee_hours_0"),
        ("record", {"reason": ""}, "reason"),
        ("grant", {"member": "nobody"}, "member"),
        ("grant", {"hours": "abc"}, "hours"),
        ("reverse", {"transfer": "nope"}, "transfer"),
        ("reverse", {"reason": ""}, "reason"),
        ("limits", {"floor_hours": "5"}, "floor_hours"),
        ("limits", {"reason": ""}, "reason"),
        ("supported", {"member": ""}, "member"),
    ],
)
def test_bad_input_shows_field_errors_and_writes_nothing(client, ledger, action, bad, field):
    client.force_login(ledger.coordinator)
    audits = AuditEntry.objects.count()
    response = client.post(url(action), valid_post(ledger, action) | bad)
    assert response.status_code == 400
    assert field in response.context[f"{action}_form"].errors
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Transfer.objects.exists()
    assert AuditEntry.objects.count() == audits
    assert not Account.objects.filter(is_supported=True).exists()
    assert not Account.objects.filter(floor_override__isnull=False).exists()


def test_a_grant_past_the_fund_floor_is_refused_on_the_form(client, ledger):
    ledger_configure(actor=ledger.coordinator, community=ledger.community, fund_floor_minutes=0)
    client.force_login(ledger.coordinator)
    response = client.post(url("grant"), valid_post(ledger, "grant"))
    assert response.status_code == 400
    assert "limit its coordinators set" in response.content.decode()
    assert not Transfer.objects.exists()


def test_the_audit_log_says_in_plain_words_what_a_coordinator_did(client, ledger):
    # given a coordinator marked a member as supported
    client.force_login(ledger.coordinator)
    client.post(url("supported"), valid_post(ledger, "supported"))
    # when a member reads the audit log
    client.force_login(ledger.member)
    page = client.get(reverse("communities:audit", args=["riverside"])).content.decode()
    # then it reads as a sentence, not as a code
    assert "changed a member&#x27;s support from the community fund" in page


def test_a_coordinator_records_one_helper_for_several_people(client, ledger):
    # given a helper who helped two members at once, half an hour of it paid by the fund
    fund_gift(actor=ledger.steward, community=ledger.community, minutes=60)
    client.force_login(ledger.coordinator)
    data = {
        "payer_0": member_id(ledger, ledger.member),
        "payer_hours_0": "1",
        "payer_1": member_id(ledger, ledger.steward),
        "payer_hours_1": "1.5",
        "payer_2": "fund",
        "payer_hours_2": "0.5",
        "payee_0": member_id(ledger, ledger.caller),
        "reason": "Shopping run for three",
        "token": "group-1",
        "rows": "3",
    }
    # when the one helper's hours are left empty
    assert client.post(url("record"), data).status_code == 302
    # then the helper receives the total and each person gives their own hours
    transfer = Transfer.objects.get(kind="coordinator")
    assert transfer.entries.count() == 4
    assert balance(ledger.community, ledger.caller) == 180
    assert balance(ledger.community, ledger.member) == -60
    assert balance(ledger.community, ledger.steward) == -60 - 90
    assert AuditEntry.objects.filter(action="ledger.record").count() == 1


def test_a_coordinator_records_several_helpers_for_one_person(client, ledger):
    client.force_login(ledger.coordinator)
    data = {
        "payer_0": member_id(ledger, ledger.member),
        "payee_0": member_id(ledger, ledger.caller),
        "payee_hours_0": "1",
        "payee_1": member_id(ledger, ledger.coordinator),
        "payee_hours_1": "2.25",
        "reason": "Moved a wardrobe",
        "token": "group-2",
        "rows": "3",
    }
    assert client.post(url("record"), data).status_code == 302
    assert balance(ledger.community, ledger.member) == -195
    assert balance(ledger.community, ledger.caller) == 60
    assert balance(ledger.community, ledger.coordinator) == 135


def test_a_group_record_whose_hours_do_not_add_up_changes_nothing(client, ledger):
    client.force_login(ledger.coordinator)
    data = {
        "payer_0": member_id(ledger, ledger.member),
        "payer_hours_0": "2",
        "payee_0": member_id(ledger, ledger.caller),
        "payee_hours_0": "1",
        "payee_1": member_id(ledger, ledger.coordinator),
        "payee_hours_1": "0.5",
        "reason": "Moved a wardrobe",
        "token": "group-3",
        "rows": "3",
    }
    response = client.post(url("record"), data)
    assert response.status_code == 400
    assert "add up to the same total" in response.content.decode()
    assert not Transfer.objects.exists()


def test_the_same_person_on_both_sides_of_a_record_is_refused(client, ledger):
    client.force_login(ledger.coordinator)
    data = valid_post(ledger, "record") | {
        "payee_1": member_id(ledger, ledger.member),
        "payee_hours_1": "1",
        "payer_hours_0": "3",
    }
    response = client.post(url("record"), data)
    assert response.status_code == 400
    assert "payee_1" in response.context["record_form"].errors
    assert not Transfer.objects.exists()


def test_a_coordinator_asks_for_more_rows_without_javascript(client, ledger):
    client.force_login(ledger.coordinator)
    page = client.get(url("coordinate"), {"rows": "6"}).content.decode()
    assert 'name="payer_5"' in page and 'name="payee_5"' in page
    assert 'name="payer_6"' not in page
