"""API tokens page: the secret is shown once, tokens can be revoked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.people.models import ApiToken
from mutua.people.services import api_token_authenticate
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_tokens_page_renders_for_its_owner(client):
    client.force_login(make_user())

    response = client.get(reverse("people:tokens"))

    assert response.status_code == 200
    assert "You have no tokens." in response.content.decode()


def test_new_token_secret_is_shown_once_and_works(client):
    user = make_user()
    client.force_login(user)

    response = client.post(reverse("people:tokens"), {"name": "My spreadsheet"})

    assert response.status_code == 302
    first = client.get(reverse("people:tokens")).content.decode()
    token = ApiToken.objects.get(user=user)
    marker = 'id="new-token" value="'
    assert marker in first
    secret = first.split(marker, 1)[1].split('"', 1)[0]
    assert secret.startswith(token.prefix)
    assert api_token_authenticate(secret) == user
    second = client.get(reverse("people:tokens")).content.decode()
    assert secret not in second
    assert "My spreadsheet" in second


def test_a_token_without_a_name_is_refused(client):
    user = make_user()
    client.force_login(user)

    response = client.post(reverse("people:tokens"), {"name": "  "})

    assert response.status_code == 200
    assert 'id="id_name_error"' in response.content.decode()
    assert not ApiToken.objects.filter(user=user).exists()


def test_revoking_a_token_stops_it_working(client):
    user = make_user()
    client.force_login(user)
    client.post(reverse("people:tokens"), {"name": "Old script"})
    page = client.get(reverse("people:tokens")).content.decode()
    secret = page.split('id="new-token" value="', 1)[1].split('"', 1)[0]
    token = ApiToken.objects.get(user=user)

    response = client.post(reverse("people:token_revoke", args=[token.public_id]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert api_token_authenticate(secret) is None
    assert "Revoked" in client.get(reverse("people:tokens")).content.decode()


def test_someone_elses_token_cannot_be_revoked(client):
    owner = make_user()
    client.force_login(owner)
    client.post(reverse("people:tokens"), {"name": "Mine"})
    token = ApiToken.objects.get(user=owner)
    client.force_login(make_user())

    response = client.post(reverse("people:token_revoke", args=[token.public_id]), follow=True)

    assert "No such token." in response.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_needs_a_post(client):
    user = make_user()
    client.force_login(user)
    client.post(reverse("people:tokens"), {"name": "Mine"})
    token = ApiToken.objects.get(user=user)

    response = client.get(reverse("people:token_revoke", args=[token.public_id]))

    assert response.status_code == 405
    token.refresh_from_db()
    assert token.revoked_at is None
