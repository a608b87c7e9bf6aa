"""Private details page: only with consent for health notes, explained plainly."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from mutua.people.models import SensitiveDetails
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _details(**overrides) -> dict:
    data = {"address": "1 High Street", "phone": "+44 20 7946 0000", "access_notes": ""}
    data |= {"health_notes": "", **overrides}
    return data


def test_private_details_page_explains_who_can_see_them(client):
    user = make_user()
    client.force_login(user)

    response = client.get(reverse("people:private"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Who can see these" in html
    assert '<label for="id_health_consent">' in html


def test_saving_private_details_with_consent_keeps_health_notes(client):
    user = make_user()
    client.force_login(user)

    response = client.post(
        reverse("people:private"),
        _details(health_consent="on", health_notes="Allergic to penicillin"),
    )

    assert response.status_code == 302
    details = SensitiveDetails.objects.get(user=user)
    assert details.address == "1 High Street"
    assert details.health_notes == "Allergic to penicillin"
    assert details.health_consent_at is not None
    page = client.get(reverse("people:private")).content.decode()
    assert "Allergic to penicillin" in page
    consent_box = re.search(r'<input type="checkbox" name="health_consent"[^>]*>', page)
    assert consent_box is not None
    assert " checked" in consent_box.group(0)


def test_health_notes_without_consent_are_refused_next_to_the_field_and_nothing_is_saved(client):
    user = make_user()
    client.force_login(user)

    response = client.post(
        reverse("people:private"), _details(health_notes="Allergic to penicillin")
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="id_health_notes_error"' in html
    assert "explicit consent" in html
    assert not SensitiveDetails.objects.filter(user=user, address="1 High Street").exists()


def test_a_phone_number_too_short_is_refused(client):
    user = make_user()
    client.force_login(user)

    response = client.post(reverse("people:private"), _details(phone="12"))

    assert response.status_code == 200
    assert 'id="id_phone_error"' in response.content.decode()
    assert not SensitiveDetails.objects.filter(user=user, phone="12").exists()
