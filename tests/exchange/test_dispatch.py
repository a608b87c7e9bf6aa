"""Dispatch: the helper picker (suitable helpers only) and bulk actions, all or none."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import selectors, services
from mutua.exchange.models import Commitment, Need
from mutua.people.models import Profile
from tests.exchange.helpers import new_member, post_need


def _names(memberships) -> set[str]:
    return {m.user.profile.display_name for m in memberships}


def test_picker_offers_active_members_who_meet_the_requirements_and_are_not_on_a_break(cast):
    driver = new_member(cast.community, "Dora Driver")
    Profile.objects.filter(user=driver).update(has_car=True)
    resting = new_member(cast.community, "Rita Resting")
    Profile.objects.filter(user=resting).update(capacity_status="break")
    need = post_need(cast.community, cast.member, title="Lift to the clinic", requirements=["car"])
    plain = post_need(cast.community, cast.member, title="Water the plants")
    pool = selectors.helper_pool(viewer=cast.coordinator, community=cast.community)
    assert "Rita Resting" not in _names(pool)
    assert _names(selectors.helpers_for(pool, need)) == {"Dora Driver"}
    fits_plain = _names(selectors.helpers_for(pool, plain))
    assert "Dora Driver" in fits_plain and "Member Person" not in fits_plain  # not the asker


def test_picker_is_for_coordinators_only(cast):
    with pytest.raises(PermissionDenied):
        selectors.helper_pool(viewer=cast.caller, community=cast.community)


def test_board_shows_a_select_of_suitable_helpers_in_few_queries(
    client, cast, django_assert_max_num_queries
):
    for i in range(5):
        post_need(cast.community, cast.member, title=f"Need {i}")
    client.force_login(cast.coordinator)
    url = reverse("exchange:dispatch", args=[cast.community.slug])
    # 21, plus matching's first build (top helpers, their balances and busy times)
    with django_assert_max_num_queries(38):
        r = client.get(url)
    assert r.status_code == 200
    assert b'<select id="helper-' in r.content and b"Caller Person" in r.content


def test_coordinator_closes_several_needs_as_no_longer_needed_and_each_is_audited(cast):
    needs = [post_need(cast.community, cast.member, title=f"Need {i}") for i in range(3)]
    done = services.need_bulk_close(
        actor=cast.coordinator,
        community=cast.community,
        public_ids=[n.public_id for n in needs[:2]],
        status="not_needed",
    )
    assert len(done) == 2
    assert [Need.objects.get(pk=n.pk).status for n in needs] == ["not_needed"] * 2 + ["open"]
    assert AuditEntry.objects.filter(action="need.close").count() == 2


def test_bulk_close_as_expired_tells_active_helpers(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True, helpers_wanted=2)
    services.need_self_assign(helper=cast.caller, need=need)
    services.need_bulk_close(
        actor=cast.coordinator, community=cast.community, public_ids=[need.public_id],
        status="expired",
    )  # fmt: skip
    assert Need.objects.get(pk=need.pk).status == "expired"
    assert Commitment.objects.get(need=need).status == "cancelled"


def test_bulk_close_is_all_or_nothing_when_one_need_is_already_closed(cast):
    open_need = post_need(cast.community, cast.member, title="Still open")
    closed = post_need(cast.community, cast.member, title="Already closed")
    services.need_close(actor=cast.member, need=closed, status="not_needed")
    with pytest.raises(Conflict) as caught:
        services.need_bulk_close(
            actor=cast.coordinator, community=cast.community,
            public_ids=[open_need.public_id, closed.public_id], status="duplicate",
        )  # fmt: skip
    assert "Already closed" in caught.value.message
    assert Need.objects.get(pk=open_need.pk).status == "open"


@pytest.mark.parametrize(
    ("ids", "status", "field"),
    [
        ([], "not_needed", "needs"),
        (["0000000000000000"], "not_needed", "needs"),
        (None, "done", "status"),
    ],
)
def test_bulk_close_bad_input_is_a_field_error_and_changes_nothing(cast, ids, status, field):
    need = post_need(cast.community, cast.member)
    with pytest.raises(ValidationFailed) as caught:
        services.need_bulk_close(
            actor=cast.coordinator, community=cast.community,
            public_ids=[need.public_id] if ids is None else ids, status=status,
        )  # fmt: skip
    assert field in caught.value.field_errors
    assert Need.objects.get(pk=need.pk).status == "open"


def test_bulk_actions_refuse_needs_of_another_community(cast):
    from tests.factories import make_community, make_user

    other = make_community(make_user("Other Steward"))
    foreign = post_need(other, new_member(other, "Far Away"))
    with pytest.raises(ValidationFailed):
        services.need_bulk_close(
            actor=cast.coordinator, community=cast.community,
            public_ids=[foreign.public_id], status="not_needed",
        )  # fmt: skip
    assert Need.objects.get(pk=foreign.pk).status == "open"


@pytest.mark.parametrize("role", ["member", "caller", "outsider"])
def test_bulk_actions_are_refused_to_everyone_but_coordinators(cast, role):
    need = post_need(cast.community, cast.member)
    actor = getattr(cast, role)
    with pytest.raises(PermissionDenied):
        services.need_bulk_close(
            actor=actor, community=cast.community, public_ids=[need.public_id], status="expired"
        )
    with pytest.raises(PermissionDenied):
        services.need_bulk_assign(
            actor=actor, community=cast.community, public_ids=[need.public_id], helper=cast.caller
        )
    assert Need.objects.get(pk=need.pk).status == "open"
    assert not Commitment.objects.exists()


def test_bulk_assign_gives_one_helper_a_place_on_each_need(cast):
    needs = [post_need(cast.community, cast.member, title=f"Need {i}") for i in range(2)]
    services.need_bulk_assign(
        actor=cast.coordinator, community=cast.community,
        public_ids=[n.public_id for n in needs], helper=cast.caller,
    )  # fmt: skip
    assert Commitment.objects.filter(helper=cast.caller, status="active").count() == 2
    assert AuditEntry.objects.filter(action="need.assign").count() == 2


def test_bulk_assign_of_a_helper_who_does_not_fit_one_need_assigns_none(cast):
    fine = post_need(cast.community, cast.member, title="Water the plants")
    car = post_need(cast.community, cast.member, title="Lift to town", requirements=["car"])
    with pytest.raises(PermissionDenied) as caught:
        services.need_bulk_assign(
            actor=cast.coordinator, community=cast.community,
            public_ids=[fine.public_id, car.public_id], helper=cast.caller,
        )  # fmt: skip
    assert "Lift to town" in caught.value.message
    assert not Commitment.objects.exists()


def test_board_bulk_form_closes_ticked_needs(client, cast):
    needs = [post_need(cast.community, cast.member, title=f"Need {i}") for i in range(3)]
    client.force_login(cast.coordinator)
    r = client.post(
        reverse("exchange:dispatch_bulk", args=[cast.community.slug]),
        {"needs": [needs[0].public_id, needs[2].public_id], "action": "not_needed"},
        follow=True,
    )
    assert b"2 needs updated." in r.content
    assert [Need.objects.get(pk=n.pk).status for n in needs] == ["not_needed", "open", "not_needed"]


def test_board_bulk_form_assigns_the_picked_helper(client, cast):
    need = post_need(cast.community, cast.member)
    membership = cast.community.memberships.get(user=cast.caller)
    client.force_login(cast.coordinator)
    client.post(
        reverse("exchange:dispatch_bulk", args=[cast.community.slug]),
        {"needs": [need.public_id], "action": "assign", "helper": membership.public_id},
    )
    assert Commitment.objects.get().helper == cast.caller


def test_board_bulk_form_without_ticks_explains_and_changes_nothing(client, cast):
    need = post_need(cast.community, cast.member)
    client.force_login(cast.coordinator)
    r = client.post(
        reverse("exchange:dispatch_bulk", args=[cast.community.slug]),
        {"action": "not_needed"},
        follow=True,
    )
    assert b"tick at least one need" in r.content
    assert Need.objects.get(pk=need.pk).status == "open"


def test_board_bulk_form_is_refused_to_a_member(client, cast):
    need = post_need(cast.community, cast.member)
    client.force_login(cast.caller)
    r = client.post(
        reverse("exchange:dispatch_bulk", args=[cast.community.slug]),
        {"needs": [need.public_id], "action": "expired"},
    )
    assert r.status_code == 403
    assert Need.objects.get(pk=need.pk).status == "open"


def _row_of(content: bytes, title: str) -> str:
    import re

    html = content.decode()
    for row in re.findall(r"<tr class=\"(age-[a-z]+)\">(.*?)</tr>", html, re.S):
        if title in row[1]:
            return row[0] + " " + row[1]
    raise AssertionError(f"no dispatch row for {title}")


def test_old_needs_are_coloured_by_days_open_with_words_too(client, cast):
    # given a need open for eight days and one posted today
    old = post_need(cast.community, cast.member, title="Old need")
    Need.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    post_need(cast.community, cast.member, title="Fresh need")
    client.force_login(cast.coordinator)
    r = client.get(reverse("exchange:dispatch", args=[cast.community.slug]))
    # then each row has its age class and says it in words (colour is never the only cue)
    old_row, fresh_row = _row_of(r.content, "Old need"), _row_of(r.content, "Fresh need")
    assert old_row.startswith("age-old") and "Waiting a long time" in old_row
    assert fresh_row.startswith("age-new") and "New" in fresh_row
    # and the stylesheet gives those classes a colour and a shape
    from pathlib import Path

    import mutua

    css = (Path(mutua.__file__).parent / "static/mutua/mutua.css").read_text()
    assert "tr.age-old > td:first-child" in css and "tr.age-new > td:first-child" in css
    assert ".urgency-tag.urgency-immediate::before" in css


def test_the_picker_leaves_out_helpers_blocked_by_the_person(client, cast):
    from mutua.trust.safeguarding import block_create

    post_need(cast.community, cast.member, title="Water the plants")
    block_create(user=cast.member, other=cast.caller)
    client.force_login(cast.coordinator)
    r = client.get(reverse("exchange:dispatch", args=[cast.community.slug]))
    row = _row_of(r.content, "Water the plants")
    assert "Caller Person" not in row and "Coordinator Person" in row
