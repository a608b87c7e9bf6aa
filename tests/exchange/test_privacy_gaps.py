"""What a helper and a bystander see: the task's details, never health notes or how it went."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from mutua.communities.models import Membership
from mutua.core.errors import PermissionDenied
from mutua.core.models import AuditEntry
from mutua.core.permissions import forget_memberships, sensitive_access
from mutua.exchange import selectors, services
from mutua.exchange.models import Commitment, Need
from mutua.people.services import profile_update, sensitive_update
from mutua.trust.models import Block, TrustSettings
from tests.api.conftest import ApiClient
from tests.exchange.helpers import kinds_for, new_member, post_need
from tests.factories import add_member, make_community

HEALTH = "Insulin twice a day"
ACCESS = "Spare key with the neighbour at 14"
PHONE = "+441234567890"
HOME = "1 Home Street"


@pytest.fixture
def task(cast):
    """A need of the member's, taken by a helper; the member keeps health and access notes."""
    # the helper passes the home-address gate (the gate itself is tested in test_private_reads)
    TrustSettings.objects.update_or_create(
        community=cast.community, defaults={"gates_enabled": False}
    )
    sensitive_update(
        user=cast.member,
        address=HOME,
        phone=PHONE,
        access_notes=ACCESS,
        health_consent=True,
        health_notes=HEALTH,
    )
    need = post_need(cast.community, cast.member, allow_self_assign=True, address="12 Mill Lane")
    helper = new_member(cast.community, "Hal Helper")
    commitment = services.need_self_assign(helper=helper, need=need)
    return need, helper, commitment


def _member_id(cast) -> str:
    return Membership.objects.get(community=cast.community, user=cast.member).public_id


# ---- 1. an assigned helper sees what the task needs, no more --------------------------------


def test_assigned_helper_gets_the_persons_phone_and_address_only_from_the_api(cast, task):
    need, helper, _commitment = task

    response = ApiClient(helper).get(f"/needs/{need.public_id}/private")

    assert response.status_code == 200
    body = response.json()
    assert body["address"] == "12 Mill Lane"
    assert body["person"] == {"address": HOME, "phone": PHONE}
    assert HEALTH not in response.content.decode()
    assert ACCESS not in response.content.decode()
    entry = AuditEntry.objects.get(action="sensitive.read", actor=helper)
    assert entry.community == cast.community and entry.is_safeguarding
    assert entry.after["fields"] == ["address", "phone"]


def test_assigned_helper_never_sees_health_notes_on_the_need_page(client, cast, task):
    need, helper, _commitment = task
    client.force_login(helper)

    html = client.get(f"/c/riverside/needs/{need.public_id}/").content.decode()

    assert PHONE in html
    assert HEALTH not in html and ACCESS not in html


def test_coordinator_still_sees_the_persons_health_notes_with_the_need(cast, task):
    need, _helper, _commitment = task

    private = selectors.need_private_for(viewer=cast.coordinator, need=need)

    assert private["person"]["health_notes"] == HEALTH
    entry = AuditEntry.objects.get(action="sensitive.read", actor=cast.coordinator)
    assert entry.community == cast.community


def test_assigned_helper_is_refused_the_members_private_details_in_the_api(cast, task):
    _need, helper, _commitment = task

    response = ApiClient(helper).get(f"/communities/riverside/members/{_member_id(cast)}/private")

    assert response.status_code == 403
    assert HEALTH not in response.content.decode()
    assert sensitive_access(helper, cast.member) == "none"
    assert not AuditEntry.objects.filter(action="sensitive.read", actor=helper).exists()


def test_assigned_helper_is_refused_the_members_private_details_on_the_web(client, cast, task):
    _need, helper, _commitment = task
    client.force_login(helper)

    response = client.post(f"/c/riverside/members/{_member_id(cast)}/private/")

    assert response.status_code == 403
    assert HEALTH not in response.content.decode()


def test_a_task_in_one_community_opens_nothing_in_another(cast, task):
    _need, helper, _commitment = task
    other = make_community(name="Hillside", slug="hillside")
    add_member(other, cast.member)
    add_member(other, helper)
    member_there = Membership.objects.get(community=other, user=cast.member).public_id

    response = ApiClient(helper).get(f"/communities/hillside/members/{member_there}/private")

    assert response.status_code == 403
    assert sensitive_access(helper, cast.member, other) == "none"


def test_a_helper_no_longer_an_active_member_sees_nothing(cast, task):
    need, helper, _commitment = task
    Membership.objects.filter(community=cast.community, user=helper).update(status="suspended")
    forget_memberships(helper)

    assert selectors.need_role(helper, need) == "member"
    assert selectors.need_private_for(viewer=helper, need=need) is None
    assert not AuditEntry.objects.filter(action="sensitive.read", actor=helper).exists()


def test_helper_sees_nothing_once_the_task_is_released(cast, task):
    need, helper, commitment = task
    services.commitment_release(actor=helper, commitment=commitment)

    response = ApiClient(helper).get(f"/needs/{need.public_id}/private")

    assert response.status_code == 404
    assert PHONE not in response.content.decode()


# ---- 2. how the help went is for the helper, the person and coordinators ---------------------


@pytest.fixture
def no_show(cast, task):
    need, helper, commitment = task
    services.commitment_report_no_show(actor=cast.member, commitment=commitment, note="no one")
    return need, helper, commitment


def test_a_bystander_sees_who_helps_but_not_how_it_went_in_the_api(cast, task):
    need, helper, commitment = task
    services.commitment_mark_done(actor=helper, commitment=commitment, hours="2.5")
    services.commitment_flag_follow_up(actor=cast.member, commitment=commitment, note="late")
    client = ApiClient(new_member(cast.community, "Bea Bystander"))

    listed = client.get(f"/needs/{need.public_id}/commitments").json()["items"]
    one = client.get(f"/commitments/{commitment.public_id}").json()

    for row in (listed[0], one):
        assert row["helper"] == helper.public_id and row["status"] == "done_pending"
        for field in ("no_show_reported", "disputed", "follow_up", "hours"):
            assert row[field] is None, field


def test_a_bystander_does_not_see_a_commitment_ended_by_a_no_show(cast, no_show):
    need, _helper, commitment = no_show
    client = ApiClient(new_member(cast.community, "Bea Bystander"))

    listed = client.get(f"/needs/{need.public_id}/commitments").json()["items"]
    one = client.get(f"/commitments/{commitment.public_id}")

    assert listed == []
    assert one.status_code == 404


def test_the_person_helper_and_coordinators_see_how_it_went_in_the_api(cast, no_show):
    _need, helper, commitment = no_show
    for viewer in (cast.member, helper, cast.coordinator):
        row = ApiClient(viewer).get(f"/commitments/{commitment.public_id}").json()
        assert row["no_show_reported"] is True and row["follow_up"] is True, viewer


def test_a_bystander_does_not_see_released_places(cast, task):
    need, helper, commitment = task
    services.commitment_release(actor=helper, commitment=commitment)
    bystander = new_member(cast.community, "Bea Bystander")

    listed = ApiClient(bystander).get(f"/needs/{need.public_id}/commitments").json()["items"]
    mine = ApiClient(cast.member).get(f"/needs/{need.public_id}/commitments").json()["items"]

    assert listed == []
    assert [row["status"] for row in mine] == ["released"]


def test_a_bystander_does_not_see_the_hours_on_the_need_page(client, cast, task):
    need, helper, commitment = task
    services.commitment_mark_done(actor=helper, commitment=commitment, hours="2.5")
    client.force_login(new_member(cast.community, "Bea Bystander"))

    html = client.get(f"/c/riverside/needs/{need.public_id}/").content.decode()

    assert "Hal Helper" in html
    assert "2.50" not in html


def test_a_commitment_is_hidden_from_someone_blocked_by_its_helper(cast, task):
    _need, helper, commitment = task
    bystander = new_member(cast.community, "Bea Bystander")
    Block.objects.create(blocker=helper, blocked=bystander)

    response = ApiClient(bystander).get(f"/commitments/{commitment.public_id}")

    assert response.status_code == 404


# ---- 5. a standing arrangement keeps what its need asked of the helper ----------------------


@pytest.fixture
def care_series(cast):
    """Same-gender, vetted personal care for a woman, made a weekly series with a vetted woman."""
    TrustSettings.objects.update_or_create(
        community=cast.community, defaults={"gates_enabled": False}
    )
    profile_update(user=cast.member, gender="woman")
    need = post_need(cast.community, cast.member, requirements=["same_gender", "vetted"])
    wendy = new_member(cast.community, "Wendy Helper", vetted_until=dt.date(2099, 1, 1))
    profile_update(user=wendy, gender="woman")
    commitment = services.commitment_assign(actor=cast.coordinator, need=need, helper=wendy)
    arrangement = services.arrangement_create_from_commitment(
        actor=cast.coordinator,
        commitment=commitment,
        rrule="FREQ=WEEKLY;BYDAY=TU",
        dtstart=timezone.now() + dt.timedelta(days=1),
        consent_given=True,
        helper_agreed=True,
    )
    return arrangement, wendy


def _woman(cast, name: str, **fields):
    user = new_member(cast.community, name, **fields)
    profile_update(user=user, gender="woman")
    return user


def test_the_arrangement_and_its_dates_keep_the_needs_requirements(cast, care_series):
    arrangement, _wendy = care_series
    arrangement.refresh_from_db()

    occurrences = list(Need.objects.filter(arrangement=arrangement))

    assert arrangement.requirements == ["same_gender", "vetted"]
    assert arrangement.gender_wanted == "woman"
    assert occurrences
    for need in occurrences:
        assert need.requirements == ["same_gender", "vetted"] and need.gender_wanted == "woman"


def test_hand_over_to_an_unvetted_man_is_refused_and_nothing_changes(cast, care_series):
    arrangement, wendy = care_series
    man = new_member(cast.community, "Max Unvetted")
    profile_update(user=man, gender="man")

    with pytest.raises(PermissionDenied):
        services.arrangement_hand_over(actor=cast.coordinator, arrangement=arrangement, helper=man)

    arrangement.refresh_from_db()
    assert arrangement.helper == wendy
    assert not Commitment.objects.filter(helper=man).exists()


def test_hand_over_to_an_unvetted_woman_is_refused(cast, care_series):
    arrangement, _wendy = care_series
    unvetted = _woman(cast, "Una Unvetted")

    with pytest.raises(PermissionDenied):
        services.arrangement_hand_over(
            actor=cast.coordinator, arrangement=arrangement, helper=unvetted, helper_agreed=True
        )


def test_hand_over_asks_the_new_helper_and_the_dates_wait_for_their_yes(cast, care_series):
    arrangement, _wendy = care_series
    vera = _woman(cast, "Vera Vetted", vetted_until=dt.date(2099, 1, 1))

    services.arrangement_hand_over(actor=cast.coordinator, arrangement=arrangement, helper=vera)

    arrangement.refresh_from_db()
    assert arrangement.status == "pending" and arrangement.helper == vera
    held = Commitment.objects.filter(need__arrangement=arrangement, status="active")
    assert not held.exists()  # nobody is committed without saying yes
    assert "exchange_arrangement_proposed" in kinds_for(vera)

    services.arrangement_answer(actor=vera, arrangement=arrangement, accept=True)

    held = Commitment.objects.filter(need__arrangement=arrangement, status="active")
    assert held.exists() and {c.helper for c in held} == {vera}


def test_a_coordinator_may_record_that_the_new_helper_agreed(cast, care_series):
    arrangement, _wendy = care_series
    vera = _woman(cast, "Vera Vetted", vetted_until=dt.date(2099, 1, 1))

    services.arrangement_hand_over(
        actor=cast.coordinator, arrangement=arrangement, helper=vera, helper_agreed=True
    )

    arrangement.refresh_from_db()
    assert arrangement.status == "active"
    held = Commitment.objects.filter(need__arrangement=arrangement, status="active")
    assert held.exists() and {c.helper for c in held} == {vera}
    assert AuditEntry.objects.filter(action="arrangement.helper_agreed", subject=vera).exists()


def test_the_person_cannot_record_a_new_helpers_agreement(cast, care_series):
    arrangement, _wendy = care_series
    vera = _woman(cast, "Vera Vetted", vetted_until=dt.date(2099, 1, 1))

    with pytest.raises(PermissionDenied):
        services.arrangement_hand_over(
            actor=cast.member, arrangement=arrangement, helper=vera, helper_agreed=True
        )
