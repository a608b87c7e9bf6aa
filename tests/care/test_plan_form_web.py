"""The plan form on the web: every day, chosen weekdays or an advanced repeat rule; and, for
coordinators, the plan's drill switch and escalation times beside the community's defaults."""

from __future__ import annotations

import re

import pytest
import time_machine

from mutua.care.models import CarePlan, CareSettings
from tests.care.helpers import START, fresh, make_plan

SCHEDULE = {
    "times": "09:00",
    "channels": ["web", "email"],
    "grace_minutes": "30",
    "reminder_leads": "30",
}


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _ticked(html: str, name: str) -> list[str]:
    """The values of the checked inputs called `name`."""
    inputs = re.findall(rf'<input[^>]*name="{name}"[^>]*>', html)
    return [re.search(r'value="([^"]*)"', i).group(1) for i in inputs if " checked" in i]


def _edit_page(client, plan) -> str:
    return client.get(f"/care/plans/{plan.public_id}/edit/").content.decode()


# -- Weekday picker -------------------------------------------------------------------------


def test_chosen_weekdays_make_a_weekly_rule_in_the_order_of_the_week(client, cast, clock):
    # given a member on the form, ticking Friday and Monday
    client.force_login(cast.member)
    data = {**SCHEDULE, "repeat": "weekdays", "weekdays": ["FR", "MO"]}
    # when they save it
    response = client.post("/c/riverside/care/plans/new/", data)
    # then the plan repeats on those days of the week
    assert response.status_code == 302
    assert CarePlan.objects.get(person=cast.member).rrule == "FREQ=WEEKLY;BYDAY=MO,FR"


def test_no_weekday_ticked_is_a_field_error_and_nothing_is_written(client, cast, clock):
    client.force_login(cast.member)
    data = {**SCHEDULE, "repeat": "weekdays"}
    response = client.post("/c/riverside/care/plans/new/", data)
    assert response.status_code == 400
    assert "Tick at least one day of the week." in response.content.decode()
    assert not CarePlan.objects.exists()


def test_every_day_ignores_a_rule_left_in_the_advanced_field(client, cast, clock):
    client.force_login(cast.member)
    data = {**SCHEDULE, "repeat": "daily", "rrule": "FREQ=MONTHLY"}
    assert client.post("/c/riverside/care/plans/new/", data).status_code == 302
    assert CarePlan.objects.get(person=cast.member).rrule == "FREQ=DAILY"


def test_an_advanced_rule_is_checked_by_the_service(client, cast, clock):
    client.force_login(cast.member)
    bad = {**SCHEDULE, "repeat": "rrule", "rrule": "FREQ=HOURLY"}
    response = client.post("/c/riverside/care/plans/new/", bad)
    assert response.status_code == 400
    assert "This repeat rule is not understood." in response.content.decode()
    assert not CarePlan.objects.exists()
    empty = client.post("/c/riverside/care/plans/new/", {**SCHEDULE, "repeat": "rrule"})
    assert empty.status_code == 400 and "Give a repeat rule" in empty.content.decode()
    monthly = {**SCHEDULE, "repeat": "rrule", "rrule": "FREQ=MONTHLY;BYMONTHDAY=1"}
    assert client.post("/c/riverside/care/plans/new/", monthly).status_code == 302
    assert CarePlan.objects.get(person=cast.member).rrule == "FREQ=MONTHLY;BYMONTHDAY=1"


def test_editing_a_weekday_plan_shows_its_days_ticked(client, cast, clock):
    plan = make_plan(cast, rrule="FREQ=WEEKLY;BYDAY=TU,FR")
    client.force_login(cast.member)
    page = _edit_page(client, plan)
    assert _ticked(page, "repeat") == ["weekdays"]
    assert _ticked(page, "weekdays") == ["TU", "FR"]
    # and saving it again with one more day changes the rule
    data = {**SCHEDULE, "repeat": "weekdays", "weekdays": ["TU", "FR", "SU"]}
    assert client.post(f"/care/plans/{plan.public_id}/edit/", data).status_code == 302
    assert fresh(plan).rrule == "FREQ=WEEKLY;BYDAY=TU,FR,SU"


@pytest.mark.parametrize(
    "rule", ["FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "FREQ=MONTHLY;BYDAY=1MO", "FREQ=DAILY;COUNT=5"]
)
def test_a_rule_that_is_not_a_plain_weekday_set_stays_in_the_advanced_field(
    client, cast, clock, rule
):
    plan = make_plan(cast, rrule=rule)
    client.force_login(cast.member)
    page = _edit_page(client, plan)
    assert _ticked(page, "repeat") == ["rrule"] and _ticked(page, "weekdays") == []
    assert f'name="rrule" value="{rule}"' in page


def test_a_daily_plan_shows_every_day_chosen(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    assert _ticked(_edit_page(client, plan), "repeat") == ["daily"]


def test_weekday_names_are_in_the_readers_language(client, cast, clock):
    client.force_login(cast.member)
    english = client.get("/c/riverside/care/plans/new/").content.decode()
    assert "Wednesday" in english
    spanish = client.get("/c/riverside/care/plans/new/", HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "miércoles" in spanish.lower() and "Wednesday" not in spanish


# -- The ladder on the form, for coordinators -----------------------------------------------


def test_coordinators_see_the_ladder_with_the_community_defaults(client, cast, clock):
    CareSettings.objects.create(
        community=cast.community, grace_minutes=25, contact_timeout_minutes=12, repeat_minutes=7
    )
    plan = make_plan(cast)
    client.force_login(cast.coordinator)
    page = _edit_page(client, plan)
    for field in ("is_drill", "contact_timeout_minutes", "repeat_minutes"):
        assert f'name="{field}"' in page
    for minutes in (25, 12, 7):
        assert f"The community's default: {minutes} minutes." in page
    # while the person sees their own schedule and reminders, not the ladder
    client.force_login(cast.member)
    mine = _edit_page(client, plan)
    assert 'name="grace_minutes"' in mine and 'name="contact_timeout_minutes"' not in mine


def test_a_coordinator_changes_the_plans_drill_and_time_outs(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.coordinator)
    data = {
        **SCHEDULE,
        "repeat": "daily",
        "is_drill": "on",
        "contact_timeout_minutes": "10",
        "repeat_minutes": "5",
        "reminder_leads": "45, 15",
    }
    assert client.post(f"/care/plans/{plan.public_id}/edit/", data).status_code == 302
    plan = fresh(plan)
    assert (plan.is_drill, plan.contact_timeout_minutes, plan.repeat_minutes) == (True, 10, 5)
    assert plan.reminder_leads == [45, 15]


def test_a_coordinator_sets_up_a_plan_with_its_own_ladder(client, cast, clock):
    client.force_login(cast.coordinator)
    data = {
        **SCHEDULE,
        "person_email": "member@example.org",
        "consent_note": "Agreed at the café",
        "contact_timeout_minutes": "8",
        "repeat_minutes": "",  # left empty: the community's default
    }
    assert client.post("/c/riverside/care/plans/new/", data).status_code == 302
    plan = CarePlan.objects.get(person=cast.member)
    assert (plan.contact_timeout_minutes, plan.repeat_minutes, plan.is_drill) == (8, 15, False)


@pytest.mark.parametrize(
    ("field", "value"), [("contact_timeout_minutes", "0"), ("repeat_minutes", "1441")]
)
def test_ladder_times_out_of_bounds_are_field_errors_and_change_nothing(
    client, cast, clock, field, value
):
    plan = make_plan(cast)
    client.force_login(cast.coordinator)
    data = {**SCHEDULE, "contact_timeout_minutes": "10", "repeat_minutes": "5", field: value}
    response = client.post(f"/care/plans/{plan.public_id}/edit/", data)
    assert response.status_code == 400
    assert "Choose between 1 minute and one day." in response.content.decode()
    plan = fresh(plan)
    assert (plan.contact_timeout_minutes, plan.repeat_minutes) == (20, 15)


def test_a_person_cannot_change_the_ladder_from_the_page(client, cast, clock):
    plan = make_plan(cast)
    client.force_login(cast.member)
    data = {**SCHEDULE, "is_drill": "on", "contact_timeout_minutes": "2", "repeat_minutes": "1"}
    assert client.post(f"/care/plans/{plan.public_id}/edit/", data).status_code == 302
    plan = fresh(plan)
    assert (plan.is_drill, plan.contact_timeout_minutes, plan.repeat_minutes) == (False, 20, 15)


def test_a_coordinator_setting_up_a_plan_with_a_zero_time_out_is_refused(client, cast, clock):
    client.force_login(cast.coordinator)
    data = {
        **SCHEDULE,
        "person_email": "member@example.org",
        "consent_note": "Agreed at the café",
        "contact_timeout_minutes": "0",
    }
    response = client.post("/c/riverside/care/plans/new/", data)
    assert response.status_code == 400
    assert "Choose between 1 minute and one day." in response.content.decode()
    assert not CarePlan.objects.exists()
