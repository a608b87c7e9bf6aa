"""Standing arrangement pages: set up from scratch or from a commitment, list, pause, resume,
end and hand over; refusals and field errors."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from mutua.core.errors import ValidationFailed
from mutua.exchange import services
from mutua.exchange.models import Need, StandingArrangement
from tests.exchange.helpers import new_member, post_need

FIRST = "2030-05-07T10:00"


def _url(cast, name, *args):
    return reverse(f"exchange:{name}", args=[cast.community.slug, *args])


def _form(cast, **extra):
    data = {
        "title": "Shopping every Tuesday",
        "kind": "errand",
        "person": cast.member.public_id,
        "helper": cast.caller.public_id,
        "repeat": "FREQ=WEEKLY;BYDAY=TU",
        "dtstart": FIRST,
        "duration_minutes": 60,
    }
    data.update(extra)
    return data


def _arrangement(cast):
    return services.arrangement_create(
        actor=cast.coordinator,
        community=cast.community,
        person=cast.member,
        helper=cast.caller,
        title="Shopping every Tuesday",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        dtstart=timezone.now(),
        helper_agreed=True,
    )


def test_coordinator_sets_up_an_arrangement_from_scratch(client, cast):
    client.force_login(cast.coordinator)
    page = client.get(_url(cast, "arrangement_new"))
    assert page.status_code == 200 and b"Caller Person" in page.content
    r = client.post(_url(cast, "arrangement_new"), _form(cast))
    arrangement = StandingArrangement.objects.get()
    assert r.status_code == 302
    assert (arrangement.person, arrangement.helper) == (cast.member, cast.caller)
    assert arrangement.rrule == "FREQ=WEEKLY;BYDAY=TU"


def test_a_typed_repeat_rule_wins_over_the_preset(client, cast):
    client.force_login(cast.coordinator)
    client.post(_url(cast, "arrangement_new"), _form(cast, rrule="FREQ=WEEKLY;BYDAY=TU,FR"))
    assert StandingArrangement.objects.get().rrule == "FREQ=WEEKLY;BYDAY=TU,FR"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"rrule": "FREQ=SECONDLY"}, b"repeat rule"),
        ({"rrule": "nonsense"}, b"repeat rule"),
        ({"title": "x"}, b"3 to 120"),
        ({"helper": ""}, b"This field is required"),
    ],
)
def test_bad_input_shows_a_field_error_and_creates_nothing(client, cast, extra, message):
    client.force_login(cast.coordinator)
    r = client.post(_url(cast, "arrangement_new"), _form(cast, **extra))
    assert r.status_code == 200 and message in r.content
    assert not StandingArrangement.objects.exists()
    assert not Need.objects.exists()


def test_setting_up_from_scratch_is_refused_to_members(client, cast):
    client.force_login(cast.caller)
    assert client.get(_url(cast, "arrangement_new")).status_code == 403
    assert client.post(_url(cast, "arrangement_new"), _form(cast)).status_code == 403
    assert not StandingArrangement.objects.exists()


def test_the_person_makes_help_that_happened_a_standing_arrangement(client, cast):
    need = post_need(cast.community, cast.member, title="Shopping", kind="errand")
    response = services.response_create(helper=cast.caller, need=need)
    commitment = services.response_accept(actor=cast.member, response=response)
    client.force_login(cast.member)
    detail = client.get(_url(cast, "need_detail", need.public_id))
    assert b"Make this a standing arrangement" in detail.content
    url = _url(cast, "arrangement_new") + f"?commitment={commitment.public_id}"
    assert client.get(url).status_code == 200
    r = client.post(
        url, {"repeat": "FREQ=WEEKLY;BYDAY=FR", "dtstart": FIRST, "duration_minutes": 90}
    )
    arrangement = StandingArrangement.objects.get()
    assert r.status_code == 302
    assert (arrangement.person, arrangement.helper, arrangement.title) == (
        cast.member,
        cast.caller,
        "Shopping",
    )


def test_another_member_cannot_make_someone_elses_help_an_arrangement(client, cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    other = new_member(cast.community, "Nosy Neighbour")
    client.force_login(other)
    url = _url(cast, "arrangement_new") + f"?commitment={commitment.public_id}"
    r = client.post(url, {"repeat": "FREQ=DAILY", "dtstart": FIRST, "duration_minutes": 60})
    assert r.status_code == 403, r.content.decode()[-3000:]
    assert not StandingArrangement.objects.exists()


def test_list_shows_coordinators_all_and_members_only_their_own(client, cast):
    _arrangement(cast)
    url = _url(cast, "arrangement_list")
    for viewer, seen in ((cast.coordinator, True), (cast.member, True), (cast.caller, True)):
        client.force_login(viewer)
        assert (b"Shopping every Tuesday" in client.get(url).content) is seen
    client.force_login(new_member(cast.community, "Someone Else"))
    assert b"Shopping every Tuesday" not in client.get(url).content


def test_detail_is_hidden_from_members_not_involved(client, cast):
    arrangement = _arrangement(cast)
    client.force_login(new_member(cast.community, "Someone Else"))
    assert client.get(_url(cast, "arrangement_detail", arrangement.public_id)).status_code == 404


def test_the_person_pauses_and_resumes_and_ends(client, cast):
    arrangement = _arrangement(cast)
    client.force_login(cast.member)
    for action, status in (("pause", "paused"), ("resume", "active"), ("end", "ended")):
        r = client.post(_url(cast, "arrangement_action", arrangement.public_id, action))
        assert r.status_code == 302
        assert StandingArrangement.objects.get().status == status


def test_the_helper_cannot_pause_the_arrangement(client, cast):
    arrangement = _arrangement(cast)
    client.force_login(cast.caller)
    r = client.post(_url(cast, "arrangement_action", arrangement.public_id, "pause"))
    assert r.status_code == 403
    assert StandingArrangement.objects.get().status == "active"


def test_coordinator_hands_over_to_another_helper_from_the_picker(client, cast):
    arrangement = _arrangement(cast)
    newcomer = new_member(cast.community, "Nia Newhelper")
    client.force_login(cast.coordinator)
    page = client.get(_url(cast, "arrangement_detail", arrangement.public_id))
    assert b"Nia Newhelper" in page.content
    r = client.post(
        _url(cast, "arrangement_action", arrangement.public_id, "hand_over"),
        {"helper": newcomer.public_id},
    )
    assert r.status_code == 302
    assert StandingArrangement.objects.get().helper == newcomer


def test_hand_over_to_a_non_member_is_a_clear_error(client, cast):
    arrangement = _arrangement(cast)
    client.force_login(cast.coordinator)
    r = client.post(
        _url(cast, "arrangement_action", arrangement.public_id, "hand_over"),
        {"helper": cast.outsider.public_id},
    )
    assert r.status_code == 422 and b"member of this community" in r.content
    assert StandingArrangement.objects.get().helper == cast.caller


def test_service_refuses_hourly_rules_and_unknown_kinds(cast):
    from django.utils import timezone

    for rrule, kind, field in (
        ("FREQ=HOURLY", "errand", "rrule"),
        ("FREQ=WEEKLY", "weapons", "kind"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            services.arrangement_create(
                actor=cast.coordinator, community=cast.community, person=cast.member,
                helper=cast.caller, title="Shopping", rrule=rrule, dtstart=timezone.now(),
                kind=kind,
            )  # fmt: skip
        assert field in caught.value.field_errors
    assert not StandingArrangement.objects.exists()
