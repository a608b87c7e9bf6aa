"""Profiles, skills and weekly availability."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from mutua.core.errors import ValidationFailed
from mutua.people.models import AvailabilityWindow, Profile, ProfileSkill, Skill
from mutua.people.services import (
    MAX_TAGS,
    Window,
    availability_set,
    profile_ensure,
    profile_set_skills,
    profile_update,
)
from tests.factories import add_member, make_community, make_user


def _profile_state(user) -> dict:
    return model_to_dict(Profile.objects.get(user=user))


def test_profile_ensure_defaults_the_name_to_the_email_local_part(db):
    from mutua.people.models import User

    user = User.objects.create_user("rosa.parks@example.org")

    profile = profile_ensure(user=user)

    assert profile.display_name == "rosa.parks"
    assert profile_ensure(user=user, display_name="Other") == profile  # exactly one profile


def test_profile_update_saves_every_given_field(db):
    user = make_user("Ann Example")

    profile = profile_update(
        user=user,
        display_name="  Ann  ",
        bio="I knit.",
        languages=["es", "en", "es"],
        free_tags=["Knitting", "knitting ", "", "Dog walking"],
        has_car=True,
        preferred_channel="sms",
        quiet_hours_start=dt.time(22),
        quiet_hours_end=dt.time(7),
        preferred_language="es",
    )

    profile.refresh_from_db()
    assert profile.display_name == "Ann"
    assert profile.bio == "I knit."
    assert profile.languages == ["en", "es"]
    assert profile.free_tags == ["dog walking", "knitting"]
    assert profile.has_car is True
    assert profile.preferred_channel == "sms"
    assert (profile.quiet_hours_start, profile.quiet_hours_end) == (dt.time(22), dt.time(7))
    assert profile.preferred_language == "es"


def test_taking_a_break_until_a_date_is_recorded_and_cleared_when_available(db):
    user = make_user()
    until = dt.date.today() + dt.timedelta(days=10)

    profile = profile_update(user=user, capacity_status="break", break_until=until)
    assert profile.is_on_break()
    assert profile.break_until == until

    profile = profile_update(user=user, capacity_status="available", break_until=until)
    assert profile.break_until is None
    assert not profile.is_on_break()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"display_name": "   "}, "display_name"),
        ({"display_name": "x" * 81}, "display_name"),
        ({"bio": "x" * 501}, "bio"),
        ({"languages": ["en", "klingon"]}, "languages"),
        ({"free_tags": [f"tag {i}" for i in range(MAX_TAGS + 1)]}, "free_tags"),
        ({"capacity_status": "exhausted"}, "capacity_status"),
        (
            {"capacity_status": "break", "break_until": dt.date.today() - dt.timedelta(days=1)},
            "break_until",
        ),
        ({"preferred_channel": "pigeon"}, "preferred_channel"),
        ({"quiet_hours_start": dt.time(22)}, "quiet_hours_end"),
        ({"preferred_language": "xx"}, "preferred_language"),
    ],
)
def test_profile_update_refuses_bad_input_and_changes_nothing(db, changes, field):
    user = make_user("Ann Example")
    before = _profile_state(user)

    with pytest.raises(ValidationFailed) as exc:
        # a valid change alongside the bad one must not be saved either
        profile_update(user=user, has_car=True, **changes)

    assert field in exc.value.field_errors
    assert exc.value.message == exc.value.field_errors[field][0]
    assert _profile_state(user) == before


def test_profile_set_skills_replaces_skills_with_shared_and_own_community_skills(db):
    user = make_user()
    community = make_community(user)
    shared = Skill.objects.create(slug="zz-cooking", name="Cooking")
    local = Skill.objects.create(community=community, slug="zz-boat", name="Boat repair")
    old = Skill.objects.create(slug="zz-sewing", name="Sewing")
    profile_set_skills(user=user, skill_ids=[old.id])

    skills = profile_set_skills(user=user, skill_ids=[shared.id, local.id, shared.id])

    assert set(skills) == {shared, local}
    assert set(
        ProfileSkill.objects.filter(profile__user=user).values_list("skill_id", flat=True)
    ) == {shared.id, local.id}


def test_profile_set_skills_refuses_another_communitys_skill_and_changes_nothing(db):
    user = make_user()
    make_community(user)
    elsewhere = make_community()
    foreign = Skill.objects.create(community=elsewhere, slug="zz-secret", name="Secret")
    shared = Skill.objects.create(slug="zz-cooking", name="Cooking")
    profile_set_skills(user=user, skill_ids=[shared.id])

    with pytest.raises(ValidationFailed) as exc:
        profile_set_skills(user=user, skill_ids=[shared.id, foreign.id])

    assert "skills" in exc.value.field_errors
    assert list(
        ProfileSkill.objects.filter(profile__user=user).values_list("skill", flat=True)
    ) == [shared.id]


def test_profile_set_skills_refuses_a_skill_of_a_community_one_has_left(db):
    user = make_user()
    community = make_community()
    add_member(community, user, status="left")
    local = Skill.objects.create(community=community, slug="zz-boat", name="Boat repair")

    with pytest.raises(ValidationFailed):
        profile_set_skills(user=user, skill_ids=[local.id])


# ---- availability -----------------------------------------------------------------------


def test_availability_set_stores_windows_in_weekday_order(db):
    user = make_user()

    windows = availability_set(
        user=user,
        windows=[
            Window(3, dt.time(18), dt.time(20)),
            Window(0, dt.time(14), dt.time(16)),
            Window(0, dt.time(9), dt.time(12)),
        ],
    )

    assert [(w.weekday, w.start) for w in windows] == [
        (0, dt.time(9)),
        (0, dt.time(14)),
        (3, dt.time(18)),
    ]
    assert AvailabilityWindow.objects.filter(profile__user=user).count() == 3


def test_availability_set_replaces_the_previous_windows(db):
    user = make_user()
    availability_set(user=user, windows=[Window(1, dt.time(9), dt.time(10))])

    availability_set(user=user, windows=[Window(2, dt.time(9), dt.time(10))])

    assert list(
        AvailabilityWindow.objects.filter(profile__user=user).values_list("weekday", flat=True)
    ) == [2]


def test_windows_that_touch_end_to_start_do_not_overlap(db):
    user = make_user()

    windows = availability_set(
        user=user,
        windows=[Window(0, dt.time(12), dt.time(14)), Window(0, dt.time(9), dt.time(12))],
    )

    assert len(windows) == 2


@pytest.mark.parametrize(
    "windows",
    [
        [Window(0, dt.time(9), dt.time(12)), Window(0, dt.time(11), dt.time(13))],
        [Window(4, dt.time(8), dt.time(18)), Window(4, dt.time(10), dt.time(11))],
        [Window(0, dt.time(12), dt.time(12))],
        [Window(0, dt.time(12), dt.time(9))],
        [Window(7, dt.time(9), dt.time(10))],
        [Window(-1, dt.time(9), dt.time(10))],
        [Window(0, dt.time(9), dt.time(10))] * 51,
    ],
    ids=["overlap", "contained", "empty", "reversed", "day-7", "day-minus-1", "too-many"],
)
def test_availability_set_refuses_bad_windows_and_keeps_the_old_ones(db, windows):
    user = make_user()
    availability_set(user=user, windows=[Window(5, dt.time(10), dt.time(11))])

    with pytest.raises(ValidationFailed) as exc:
        availability_set(user=user, windows=windows)

    assert "windows" in exc.value.field_errors
    assert list(
        AvailabilityWindow.objects.filter(profile__user=user).values_list("weekday", "start")
    ) == [(5, dt.time(10))]
