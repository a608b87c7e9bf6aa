"""Sensitive details: only the person, the assigned helper of an active task and coordinators."""

from __future__ import annotations

import pytest

from mutua.core.errors import PermissionDenied
from mutua.core.permissions import sensitive_access
from mutua.exchange import selectors, services
from mutua.people.services import sensitive_update
from tests.exchange.helpers import post_need


@pytest.fixture
def need(cast):
    sensitive_update(user=cast.member, address="1 Home Street", phone="+441234567890")
    return post_need(
        cast.community,
        cast.member,
        allow_self_assign=True,
        address="12 Mill Lane",
        access_notes="Key under the mat",
    )


def test_private_details_per_role(cast, need):
    assert selectors.need_private_for(viewer=cast.member, need=need)["address"] == "12 Mill Lane"
    assert selectors.need_private_for(viewer=cast.coordinator, need=need)["address"]
    assert selectors.need_private_for(viewer=cast.caller, need=need) is None
    with pytest.raises(PermissionDenied):
        selectors.need_get(viewer=cast.outsider, public_id=need.public_id)


def test_assigned_helper_sees_details_only_while_the_task_is_active(cast, need):
    # given a helper who takes the need
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    private = selectors.need_private_for(viewer=cast.caller, need=need)
    # then they see the need's and the person's details
    assert private["access_notes"] == "Key under the mat"
    assert private["person"] == {"address": "1 Home Street", "phone": "+441234567890"}
    assert sensitive_access(cast.caller, cast.member) == "phone"  # the task, not the profile
    # and once the task is released they no longer do
    services.commitment_release(actor=cast.caller, commitment=commitment)
    assert selectors.need_private_for(viewer=cast.caller, need=need) is None
    assert sensitive_access(cast.caller, cast.member) == "phone"  # callers: phone only


def test_lists_never_carry_private_fields(cast, need):
    needs = list(selectors.need_list(viewer=cast.caller, community=cast.community))
    assert needs == [need]
    for row in needs:
        assert "private" not in row._state.fields_cache
        assert not hasattr(row, "address")


def test_need_list_has_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    for i in range(5):
        post_need(cast.community, cast.member, title=f"Need number {i}")
    with django_assert_max_num_queries(4):
        rows = list(selectors.need_list(viewer=cast.caller, community=cast.community))
        for row in rows:
            _ = [s.name for s in row.skills.all()], row.service_area, row.places_taken
    assert len(rows) == 5


def test_needs_i_could_help_with_skip_what_i_cannot_meet(cast):
    plain = post_need(cast.community, cast.member, title="Walk the dog")
    post_need(cast.community, cast.member, title="Drive to hospital", requirements=["car"])
    mine = post_need(cast.community, cast.caller, title="My own need")
    found = list(selectors.needs_i_could_help_with(viewer=cast.caller, community=cast.community))
    assert plain in found and mine not in found
    assert [n.title for n in found] == ["Walk the dog"]
