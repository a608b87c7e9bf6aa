"""What the person asks of a helper, checked the same way to respond, take a place or be
assigned: same gender (self-described, never shown), no pets, and no blocked pairs."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import selectors, services
from mutua.exchange.models import Commitment, Need
from mutua.people.models import Profile
from mutua.trust.safeguarding import block_create
from tests.exchange.helpers import new_member, post_need


def _gender(user, gender: str = "", pets: bool = False) -> None:
    Profile.objects.filter(user=user).update(gender=gender, has_pets=pets)


def _every_way(cast, need, helper) -> list[str]:
    """Try the three ways onto a need; the refusals' messages (empty: all allowed)."""
    refusals = []
    for attempt in (
        lambda: services.response_create(helper=helper, need=need),
        lambda: services.need_self_assign(helper=helper, need=need),
        lambda: services.commitment_assign(actor=cast.coordinator, need=need, helper=helper),
    ):
        try:
            attempt()
        except PermissionDenied as exc:
            refusals.append(exc.message)
    return refusals


def test_a_same_gender_need_takes_the_persons_own_gender(cast):
    _gender(cast.member, "woman")
    need = post_need(cast.community, cast.member, requirements=["same_gender"])
    assert need.gender_wanted == "woman"


def test_same_gender_without_a_gender_on_the_profile_is_refused_clearly(cast):
    with pytest.raises(ValidationFailed) as caught:
        post_need(cast.community, cast.member, requirements=["same_gender"])
    assert "requirements" in caught.value.field_errors
    assert "profile" in caught.value.message
    assert not Need.objects.exists()


def test_a_coordinator_records_the_gender_at_intake_and_must_give_one(cast):
    values = {"title": "Help with a bath", "on_behalf_name": "Mrs Lee", "consent_given": True,
              "requirements": ["same_gender"]}  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        services.need_post(actor=cast.coordinator, community=cast.community, **values)
    assert "gender_wanted" in caught.value.field_errors
    need = services.need_post(
        actor=cast.coordinator, community=cast.community, gender_wanted="woman", **values
    )
    assert need.gender_wanted == "woman"


def test_a_member_cannot_ask_for_a_gender_other_than_their_own(cast):
    _gender(cast.member, "man")
    with pytest.raises(ValidationFailed) as caught:
        post_need(cast.community, cast.member, requirements=["same_gender"], gender_wanted="woman")
    assert "gender_wanted" in caught.value.field_errors


def test_only_a_helper_of_the_gender_asked_for_qualifies_in_every_way(cast):
    _gender(cast.member, "woman")
    need = post_need(
        cast.community, cast.member, requirements=["same_gender"], allow_self_assign=True,
        helpers_wanted=3,
    )  # fmt: skip
    man, unsaid = new_member(cast.community, "A Man"), new_member(cast.community, "Unsaid")
    _gender(man, "man")
    for helper in (man, unsaid):
        refusals = _every_way(cast, need, helper)
        assert len(refusals) == 3 and all("same gender" in r for r in refusals)
        assert "woman" not in " ".join(refusals)  # the words never say which gender
    woman = new_member(cast.community, "A Woman")
    _gender(woman, "woman")
    services.need_self_assign(helper=woman, need=need)
    assert Commitment.objects.get().helper == woman


def test_no_pets_needs_a_helper_without_pets_in_every_way(cast):
    need = post_need(cast.community, cast.member, requirements=["no_pets"], allow_self_assign=True)
    _gender(cast.caller, pets=True)
    assert len(_every_way(cast, need, cast.caller)) == 3
    services.need_self_assign(helper=cast.steward, need=need)
    assert Commitment.objects.get().helper == cast.steward


def test_needs_i_could_help_with_leave_out_gender_and_pets_i_do_not_meet(cast):
    _gender(cast.member, "woman")
    post_need(cast.community, cast.member, title="Bath", requirements=["same_gender"])
    post_need(cast.community, cast.member, title="Cat allergy", requirements=["no_pets"])
    _gender(cast.caller, "man", pets=True)
    found = selectors.needs_i_could_help_with(viewer=cast.caller, community=cast.community)
    assert list(found) == []
    _gender(cast.caller, "woman", pets=False)
    found = selectors.needs_i_could_help_with(viewer=cast.caller, community=cast.community)
    assert sorted(n.title for n in found) == ["Bath", "Cat allergy"]


def test_the_gender_asked_for_is_shown_to_the_person_and_coordinators_only(client, cast):
    _gender(cast.member, "woman")
    need = post_need(cast.community, cast.member, requirements=["same_gender"])
    url = reverse("exchange:need_detail", args=[cast.community.slug, need.public_id])
    for user, shown in ((cast.member, True), (cast.coordinator, True), (cast.caller, False)):
        client.force_login(user)
        page = client.get(url).content
        assert (b"the helper should be a" in page) is shown
        assert b"Same gender (personal care)" in page  # the requirement's label, not its code
        assert b"same_gender" not in page
    from mutua.people.services import api_token_create

    _token, secret = api_token_create(user=cast.caller, name="t")
    r = client.get(f"/api/v1/needs/{need.public_id}", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 200 and b"woman" not in r.content


def test_a_coordinators_gender_change_is_audited_without_the_value(cast):
    _gender(cast.member, "woman")
    need = post_need(cast.community, cast.member, requirements=["same_gender"])
    services.need_edit(
        actor=cast.coordinator, need=need, title=need.title, requirements=["same_gender"],
        gender_wanted="non_binary",
    )  # fmt: skip
    entry = AuditEntry.objects.get(action="need.edit")
    assert entry.after["gender_wanted"] == "[redacted]"
    assert "non_binary" not in str(entry.after) and Need.objects.get().gender_wanted == "non_binary"


def test_a_blocked_helper_cannot_respond_take_or_be_assigned(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True, helpers_wanted=2)
    block_create(user=cast.member, other=cast.caller)
    refusals = _every_way(cast, need, cast.caller)
    assert len(refusals) == 3
    assert not Commitment.objects.exists()


def test_a_block_made_by_the_helper_also_keeps_them_apart(cast):
    need = post_need(cast.community, cast.member)
    block_create(user=cast.caller, other=cast.member)
    with pytest.raises(PermissionDenied):
        services.commitment_assign(actor=cast.coordinator, need=need, helper=cast.caller)
