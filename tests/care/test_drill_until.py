"""A community drill that ends: every message says TEST while it runs and none after; an alert
opened during the drill stays a drill alert to its end; the board says until when."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from mutua.care import selectors, services
from mutua.care.models import AlertEvent, CarePlan, CareSettings
from mutua.care.services.alerts import alert_new
from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.notify.models import Notification, OutboxMessage
from tests.care.helpers import START, circle_member, fresh, make_plan, sweep_at
from tests.factories import add_member, make_user

M = dt.timedelta(minutes=1)
JSON = "application/json"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def at(hour: int, minute: int = 0) -> dt.datetime:
    return START.replace(hour=hour, minute=minute)


def _drill(cast, until: dt.datetime | None) -> CareSettings:
    return services.care_settings_update(
        actor=cast.coordinator, community=cast.community, is_drill=True, drill_until=until
    )


def _invite(cast, plan, name: str) -> Notification:
    user = make_user(name, f"{name.split()[0].lower()}@example.org")
    add_member(cast.community, user)
    services.circle_invite(actor=cast.member, plan=plan, member=user)
    return Notification.objects.get(recipient=user, kind="care_circle_invite")


# -- The setting ----------------------------------------------------------------------------


def test_a_coordinator_sets_a_drill_with_an_end(cast, clock):
    row = _drill(cast, at(12))
    assert (row.is_drill, row.drill_until) == (True, at(12))
    # switching it on again without an end makes it run until switched off
    assert _drill(cast, None).drill_until is None
    # switching it off forgets the end
    _drill(cast, at(12))
    off = services.care_settings_update(
        actor=cast.coordinator, community=cast.community, is_drill=False
    )
    assert (off.is_drill, off.drill_until) == (False, None)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"is_drill": True, "drill_until": START - M}, "must be in the future"),
        ({"drill_until": START + 60 * M}, "Switch drill mode on"),
    ],
)
def test_a_bad_drill_end_is_a_field_error_and_changes_nothing(cast, clock, changes, message):
    with pytest.raises(ValidationFailed) as refused:
        services.care_settings_update(actor=cast.coordinator, community=cast.community, **changes)
    assert message in refused.value.field_errors["drill_until"][0]
    assert not CareSettings.objects.filter(is_drill=True).exists()


def test_members_cannot_start_a_drill(cast, clock):
    with pytest.raises(PermissionDenied):
        services.care_settings_update(
            actor=cast.member, community=cast.community, is_drill=True, drill_until=at(12)
        )
    assert not CareSettings.objects.exists()


# -- What the drill changes, before and after its end ---------------------------------------


def test_messages_say_test_before_the_drill_ends_and_not_after(cast, clock):
    # given a community drill until 10:00 and a plan due at 09:00
    _drill(cast, at(10))
    plan = make_plan(cast)
    # when messages go out before the end, they say TEST
    assert _invite(cast, plan, "Dana Before").title.startswith("TEST")
    sweep_at(clock, at(8, 30))
    reminder = OutboxMessage.objects.get(recipient=cast.member, kind__startswith="care_reminder")
    assert reminder.subject.startswith("TEST")
    assert alert_new(fresh(plan), reason="missed", now=at(9, 30)).is_drill
    # and after the end, they do not: the plan runs live again
    clock.move_to(at(10, 1), tick=False)
    assert not _invite(cast, fresh(plan), "Erin After").title.startswith("TEST")
    assert not alert_new(fresh(plan), reason="missed", now=at(10, 1)).is_drill
    assert selectors.my_plans(viewer=cast.member)[0].__dict__["_care_drill"] is False


def test_a_plans_own_drill_does_not_end_with_the_communitys(cast, clock):
    _drill(cast, at(10))
    plan = make_plan(cast, is_drill=True)
    clock.move_to(at(10, 1), tick=False)
    assert _invite(cast, fresh(plan), "Dana Own").title.startswith("TEST")


def test_an_alert_opened_in_the_drill_stays_a_drill_after_it_ends(cast, clock):
    # given a drill until 09:40, and a missed check-in whose alert opened at 09:30
    _drill(cast, at(9, 40))
    plan = make_plan(cast)
    carol = circle_member(cast, plan, "Carol Circle")
    for moment in (at(8, 30), at(9), at(9, 30)):
        sweep_at(clock, moment)
    alert = fresh(plan).current_alert
    assert alert.is_drill
    # when the ladder goes on after the drill's end
    sweep_at(clock, at(9, 50))
    # then the circle is asked with TEST, and the alert and its whole log stay a drill
    asked = OutboxMessage.objects.filter(recipient=carol, kind="care_alert")
    assert asked and all(m.subject.startswith("TEST") for m in asked)
    alert.refresh_from_db()
    assert alert.is_drill
    assert not AlertEvent.objects.filter(alert=alert, is_drill=False).exists()
    # and its all-clear says TEST too: live and drill never mix on one alert
    services.care_alert_all_clear(actor=carol, alert=alert, outcome="was_fine")
    closed = OutboxMessage.objects.filter(kind="care_all_clear")
    assert closed and all(m.subject.startswith("TEST") for m in closed)


# -- The pages and the API ------------------------------------------------------------------


def test_the_board_says_until_when_the_drill_runs(client, cast, clock):
    client.force_login(cast.coordinator)
    cast.community.time_zone = "Europe/London"  # 12:00 UTC is 13:00 there in May
    cast.community.save(update_fields=["time_zone"])
    _drill(cast, at(12))
    page = client.get("/c/riverside/care/").content.decode()
    assert "Drill mode is on until May 4, 2026, 1 p.m." in page
    _drill(cast, None)
    page = client.get("/c/riverside/care/").content.decode()
    assert "with no end set" in page
    _drill(cast, at(12))
    clock.move_to(at(12, 1), tick=False)
    page = client.get("/c/riverside/care/").content.decode()
    assert "Drill mode is on" not in page
    settings_page = client.get("/c/riverside/care/settings/").content.decode()
    assert "The last drill ended at" in settings_page


def test_the_settings_page_takes_the_end_in_the_communitys_time(client, cast, clock):
    cast.community.time_zone = "Europe/London"
    cast.community.save(update_fields=["time_zone"])
    client.force_login(cast.coordinator)
    form = {"grace_minutes": "30", "contact_timeout_minutes": "20", "repeat_minutes": "15"}
    ok = {**form, "is_drill": "on", "drill_until": "2026-05-04T13:00"}
    assert client.post("/c/riverside/care/settings/", ok).status_code == 302
    assert CareSettings.objects.get().drill_until == at(12)
    page = client.get("/c/riverside/care/settings/").content.decode()
    assert 'value="2026-05-04T13:00"' in page
    past = {**form, "is_drill": "on", "drill_until": "2026-05-04T08:00"}
    response = client.post("/c/riverside/care/settings/", past)
    assert response.status_code == 400 and "must be in the future" in response.content.decode()
    assert CareSettings.objects.get().drill_until == at(12)


def test_the_api_sets_and_shows_the_drills_end(client, cast, clock):
    client.force_login(cast.coordinator)
    url = "/api/v1/care/communities/riverside/settings"
    changed = client.patch(
        url, {"is_drill": True, "drill_until": "2026-05-04T12:00:00Z"}, content_type=JSON
    )
    assert changed.status_code == 200
    assert changed.json()["drill_until"].startswith("2026-05-04T12:00:00")
    past = client.patch(
        url, {"is_drill": True, "drill_until": "2026-05-04T07:00:00Z"}, content_type=JSON
    )
    assert past.status_code == 422 and "drill_until" in past.json().get("errors", {})
    assert CareSettings.objects.get().drill_until == at(12)


def test_the_sweep_sends_live_reminders_after_the_drill_ends(cast, clock):
    # given a community drill that ended at 10:00 on the first day
    _drill(cast, at(10))
    plan = make_plan(cast)
    # when the sweep sends the next day's reminder (batched, with the community's switch read
    # once per batch)
    next_day = at(8, 30) + dt.timedelta(days=1)
    CarePlan.objects.filter(pk=plan.pk).update(
        next_due_at=next_day, current_due_at=next_day + dt.timedelta(minutes=30)
    )
    sweep_at(clock, next_day)
    # then it is live: no TEST
    reminder = OutboxMessage.objects.get(recipient=cast.member, kind__startswith="care_reminder")
    assert not reminder.subject.startswith("TEST")
