"""Posting and closing needs: happy path, refusals, bad input that changes nothing."""

from __future__ import annotations

import pytest

from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import services
from mutua.exchange.models import Need, NeedPrivate
from tests.exchange.helpers import post_need
from tests.factories import make_area


def test_member_posts_a_need_with_private_details_kept_apart(cast):
    # given a member with a location in the community
    area = make_area(cast.community, "Old Town")
    # when they post a need with an address
    need = post_need(
        cast.community,
        cast.member,
        kind="errand",
        urgency="day",
        service_area=area,
        lat=51.50123,
        lon=-0.12345,
        helpers_wanted=2,
        requirements=["car", "vetted"],
        address="12 Mill Lane",
    )
    # then the need is open, its location is snapped and the address is only in NeedPrivate
    assert need.status == "open"
    assert need.author == cast.member
    assert (need.approx_lat, need.approx_lon) != (51.50123, -0.12345)
    assert need.requirements == ["car", "vetted"]
    assert NeedPrivate.objects.get(need=need).address == "12 Mill Lane"
    assert need.expires_at is not None


@pytest.mark.parametrize(
    "field,kwargs",
    [
        ("title", {"title": "x"}),
        ("kind", {"kind": "spaceship"}),
        ("urgency", {"urgency": "yesterday"}),
        ("helpers_wanted", {"helpers_wanted": 0}),
        ("requirements", {"requirements": ["telepathy"]}),
        ("languages", {"languages": ["xx"]}),
        ("address", {"address": "a" * 501}),
    ],
)
def test_bad_input_gives_a_field_error_and_writes_nothing(cast, field, kwargs):
    # when a member posts a need with one bad field
    with pytest.raises(ValidationFailed) as exc:
        post_need(cast.community, cast.member, **kwargs)
    # then the error names the field and no need exists
    assert field in exc.value.field_errors
    assert not Need.objects.exists()


def test_outsider_cannot_post_a_need(cast):
    with pytest.raises(PermissionDenied):
        post_need(cast.community, cast.outsider)
    assert not Need.objects.exists()


def test_coordinator_posts_on_behalf_with_consent_and_is_the_contact(cast):
    # when a coordinator takes a phone call and posts for someone without an account
    need = post_need(
        cast.community,
        cast.coordinator,
        on_behalf_name="Mrs Ada Jones",
        consent_given=True,
        consent_note="Agreed by phone",
        contact_phone="+44 20 7946 0000",
    )
    # then the need has no author, records consent and names the coordinator as contact
    assert need.author is None and need.contact == cast.coordinator
    assert need.consent_recorded_at is not None
    assert AuditEntry.objects.filter(action="need.on_behalf", target_id=need.public_id).exists()


def test_on_behalf_without_consent_is_refused(cast):
    with pytest.raises(ValidationFailed) as exc:
        post_need(cast.community, cast.coordinator, on_behalf_name="Ada", consent_given=False)
    assert "consent_given" in exc.value.field_errors
    assert not Need.objects.exists()


def test_member_cannot_post_on_behalf_of_someone(cast):
    with pytest.raises(PermissionDenied):
        post_need(cast.community, cast.member, on_behalf_name="Ada", consent_given=True)
    assert not Need.objects.exists()


def test_person_closes_a_need_and_the_active_helper_is_told(cast):
    # given a need with a committed helper
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    # when the person says it is no longer needed
    services.need_close(actor=cast.member, need=need, status="not_needed")
    # then the need is closed and the commitment cancelled
    need.refresh_from_db()
    commitment.refresh_from_db()
    assert need.status == "not_needed"
    assert commitment.status == "cancelled"
    from tests.exchange.helpers import kinds_for

    assert "exchange_need_closed" in kinds_for(cast.caller)


def test_another_member_cannot_close_someone_elses_need(cast):
    need = post_need(cast.community, cast.member)
    with pytest.raises(PermissionDenied):
        services.need_close(actor=cast.caller, need=need, status="cancelled")
    need.refresh_from_db()
    assert need.status == "open"
