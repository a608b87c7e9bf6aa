"""Data export and account deletion."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from mutua.people.models import Profile, User
from tests.factories import make_community, make_user

pytestmark = pytest.mark.django_db


def test_export_downloads_json_with_the_profile(client):
    user = make_user("Ann Example", "ann@example.org")
    client.force_login(user)

    response = client.get(reverse("people:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == "Ann Example"
    assert data["account"]["email"] == "ann@example.org"


def test_delete_page_asks_for_confirmation(client):
    user = make_user()
    client.force_login(user)

    response = client.get(reverse("people:delete"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="id_confirmation">' in html
    assert User.objects.get(pk=user.pk).is_active


def test_deleting_with_the_typed_address_anonymises_and_signs_out(client):
    user = make_user("Ann Example", "ann@example.org")
    client.force_login(user)

    response = client.post(reverse("people:delete"), {"confirmation": "ANN@example.org "})

    assert response.status_code == 302
    assert response["Location"] == reverse("web:dashboard")
    user.refresh_from_db()
    assert user.is_anonymised
    assert not user.is_active
    assert user.email != "ann@example.org"
    assert Profile.objects.get(user=user).display_name != "Ann Example"
    landing = client.get(reverse("web:dashboard")).content.decode()
    assert "Your account is deleted." in landing
    assert reverse("account_login") in landing


def test_a_wrong_confirmation_deletes_nothing(client):
    user = make_user("Ann Example", "ann@example.org")
    client.force_login(user)

    response = client.post(reverse("people:delete"), {"confirmation": "someone@example.org"})

    assert response.status_code == 200
    assert 'id="id_confirmation_error"' in response.content.decode()
    user.refresh_from_db()
    assert user.is_active
    assert not user.is_anonymised


def test_the_last_steward_is_told_to_name_another_first(client):
    steward = make_user("Sam Steward", "sam@example.org")
    make_community(steward, name="Riverside")
    client.force_login(steward)

    response = client.post(reverse("people:delete"), {"confirmation": "sam@example.org"})

    assert response.status_code == 200
    assert "last steward of Riverside" in response.content.decode()
    steward.refresh_from_db()
    assert steward.is_active
