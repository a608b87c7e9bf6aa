"""Private details of a need: every read by someone other than the person is audit-logged (the
call list in one batch), and a helper below the home-address gate does not see them."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from mutua.communities.models import Membership
from mutua.core.models import AuditEntry
from mutua.exchange import selectors, services
from mutua.people.services import sensitive_update
from mutua.trust.models import TrustScore, TrustSettings
from tests.exchange.helpers import new_member, post_need


def _reads(action: str = "need.private_read"):
    return AuditEntry.objects.filter(action=action, is_safeguarding=True)


def test_a_coordinator_reading_private_details_is_audit_logged_but_the_person_is_not(cast):
    need = post_need(cast.community, cast.member, address="12 Mill Lane")
    selectors.need_private_for(viewer=cast.member, need=need)
    assert not _reads().exists()
    selectors.need_private_for(viewer=cast.coordinator, need=need)
    entry = _reads().get()
    assert entry.actor == cast.coordinator and entry.subject == cast.member
    assert entry.after["fields"] == ["address"] and "Mill" not in str(entry.after)


def test_reads_of_a_need_posted_on_someones_behalf_are_logged_too(cast):
    need = services.need_post(
        actor=cast.coordinator, community=cast.community, title="Shopping for Mrs Lee",
        on_behalf_name="Mrs Lee", consent_given=True, contact_phone="+441111111111",
    )  # fmt: skip
    selectors.need_private_for(viewer=cast.coordinator, need=need)  # the contact, not the person
    assert _reads().count() == 1


def test_the_call_list_logs_each_phone_it_shows_in_a_fixed_number_of_queries(
    cast, django_assert_max_num_queries
):
    # given needs with phones: members' own, and one on someone's behalf
    for i in range(4):
        person = new_member(cast.community, f"Person {i}")
        sensitive_update(user=person, phone=f"+44100000000{i}")
        post_need(cast.community, person, title=f"Need {i}")
    services.need_post(
        actor=cast.coordinator, community=cast.community, title="For Mrs Lee",
        on_behalf_name="Mrs Lee", consent_given=True, contact_phone="+442222222222",
    )  # fmt: skip
    # when a caller opens the call list
    with django_assert_max_num_queries(8):
        rows = selectors.dispatch_call_list(viewer=cast.caller, community=cast.community)
    # then they see every phone, and each is written to the audit log
    assert sorted(phone for _need, phone in rows)[0] == "+441000000000"
    assert len([p for _n, p in rows if p]) == 5
    assert _reads("sensitive.read").filter(after__purpose="dispatch call list").count() == 4
    assert _reads().filter(actor=cast.caller).count() == 1


def _gates_on(cast) -> None:
    TrustSettings.objects.update_or_create(
        community=cast.community, defaults={"gates_enabled": True, "computed_at": timezone.now()}
    )


def _level(cast, user, level: str) -> None:
    membership = Membership.objects.get(community=cast.community, user=user)
    TrustScore.objects.update_or_create(
        membership=membership, defaults={"level": level, "computed_at": timezone.now()}
    )


def test_details_added_after_a_new_helper_took_the_task_are_withheld_from_them(client, cast):
    # given a need without details, taken by a helper who is new here, in a community with gates
    _gates_on(cast)
    sensitive_update(user=cast.member, address="1 Home Street")
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    services.need_self_assign(helper=cast.caller, need=need)
    # when the person adds their address afterwards
    services.need_private_set(actor=cast.member, need=need, address="12 Mill Lane")
    # then the helper does not see it (nor the person's own address) and is told why
    private = selectors.need_private_for(viewer=cast.caller, need=need)
    assert private["address"] == "" and private["person"] == {}
    assert "known here" in private["withheld_reason"]
    # and the coordinator is told who cannot see it
    seen = selectors.need_private_for(viewer=cast.coordinator, need=need)
    assert seen["address"] == "12 Mill Lane" and seen["withheld_from"] == ["Caller Person"]
    client.force_login(cast.coordinator)
    page = client.get(reverse("exchange:need_detail", args=[cast.community.slug, need.public_id]))
    assert b"Not shown to Caller Person" in page.content
    client.force_login(cast.caller)
    page = client.get(reverse("exchange:need_detail", args=[cast.community.slug, need.public_id]))
    assert b"12 Mill Lane" not in page.content and b"1 Home Street" not in page.content


def test_a_known_helper_sees_the_details(cast):
    _gates_on(cast)
    _level(cast, cast.caller, "known")
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    services.need_self_assign(helper=cast.caller, need=need)
    services.need_private_set(actor=cast.member, need=need, address="12 Mill Lane")
    private = selectors.need_private_for(viewer=cast.caller, need=need)
    assert private["address"] == "12 Mill Lane" and not private["withheld_reason"]
