"""Profile page under /me/: view, edit, refusals shown next to the field."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from mutua.people.models import Profile
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _profile_post(**overrides) -> dict:
    data = {
        "display_name": "Ann Example",
        "bio": "I like gardening.",
        "languages": ["en", "es"],
        "free_tags": "baking, Dog walking",
        "capacity_status": "available",
        "break_until": "",
        "has_car": "on",
        "preferred_channel": "sms",
        "quiet_hours_start": "22:00",
        "quiet_hours_end": "07:00",
        "preferred_language": "en",
    }
    data.update(overrides)
    return data


def test_profile_page_renders_for_its_owner(client):
    user = make_user("Ann Example")
    client.force_login(user)

    response = client.get(reverse("people:profile"))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Ann Example"' in html
    assert '<label for="id_display_name">' in html
    assert html.count("<h1") == 1


def test_anonymous_visitor_is_sent_to_sign_in_from_every_me_page(client):
    for name in ("profile", "skills", "availability", "private", "tokens", "export", "delete"):
        response = client.get(reverse(f"people:{name}"))

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_saving_the_profile_updates_it_and_redirects(client):
    user = make_user("Ann Example")
    client.force_login(user)

    response = client.post(reverse("people:profile"), _profile_post(display_name="Ann E."))

    assert response.status_code == 302
    assert response["Location"] == reverse("people:profile")
    profile = Profile.objects.get(user=user)
    assert profile.display_name == "Ann E."
    assert profile.languages == ["en", "es"]
    assert profile.free_tags == ["baking", "dog walking"]
    assert profile.has_car is True
    assert profile.preferred_channel == "sms"
    assert profile.quiet_hours_start == dt.time(22, 0)
    followed = client.get(response["Location"])
    assert "Your profile is saved." in followed.content.decode()


def test_taking_a_break_records_its_end(client):
    user = make_user()
    client.force_login(user)
    until = dt.date.today() + dt.timedelta(days=10)

    client.post(
        reverse("people:profile"),
        _profile_post(capacity_status="break", break_until=until.isoformat()),
    )

    profile = Profile.objects.get(user=user)
    assert profile.capacity_status == "break"
    assert profile.break_until == until


def test_quiet_hours_with_only_a_start_are_refused_next_to_the_field_and_nothing_is_saved(client):
    user = make_user("Ann Example")
    client.force_login(user)

    response = client.post(
        reverse("people:profile"),
        _profile_post(display_name="Changed", quiet_hours_start="22:00", quiet_hours_end=""),
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_quiet_hours_end_error"' in html
    assert "Quiet hours need both a start and an end." in html
    assert 'aria-describedby="id_quiet_hours_end_error"' in html
    assert Profile.objects.get(user=user).display_name == "Ann Example"


def test_a_break_ending_in_the_past_is_refused_and_nothing_is_saved(client):
    user = make_user("Ann Example")
    client.force_login(user)

    response = client.post(
        reverse("people:profile"),
        _profile_post(display_name="Changed", capacity_status="break", break_until="2000-01-01"),
    )

    assert response.status_code == 200
    assert "The end of a break cannot be in the past." in response.content.decode()
    profile = Profile.objects.get(user=user)
    assert profile.display_name == "Ann Example"
    assert profile.capacity_status == "available"


def test_an_empty_name_is_refused_next_to_the_field(client):
    user = make_user("Ann Example")
    client.force_login(user)

    response = client.post(reverse("people:profile"), _profile_post(display_name="   "))

    assert response.status_code == 200
    assert 'id="id_display_name_error"' in response.content.decode()
    assert Profile.objects.get(user=user).display_name == "Ann Example"


def test_clearing_both_quiet_hours_removes_them(client):
    user = make_user()
    client.force_login(user)
    client.post(reverse("people:profile"), _profile_post())

    client.post(reverse("people:profile"), _profile_post(quiet_hours_start="", quiet_hours_end=""))

    profile = Profile.objects.get(user=user)
    assert profile.quiet_hours_start is None
    assert profile.quiet_hours_end is None
