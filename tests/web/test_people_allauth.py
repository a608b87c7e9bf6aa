"""Sign-in, sign-up and the other allauth pages render in our layout."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.core import mail
from django.urls import reverse

from mutua.people.models import Profile, User
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_signup_page_asks_for_the_name_inside_our_layout(client):
    response = client.get(reverse("account_signup"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'name="display_name"' in html
    assert "Your name, as neighbours will see it" in html
    assert 'class="skip-link"' in html  # our base layout
    assert html.count("<h1") == 1


def test_signing_up_creates_a_profile_with_the_name_given(client):
    response = client.post(
        reverse("account_signup"),
        {
            "email": "new@example.org",
            "password1": "a long and unusual passphrase",
            "display_name": "Nadia New",
        },
    )

    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert Profile.objects.get(user=user).display_name == "Nadia New"
    assert len(mail.outbox) == 1


def test_login_page_offers_sign_in_by_emailed_code(client):
    response = client.get(reverse("account_login"))

    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("account_request_login_code") in html
    assert 'class="skip-link"' in html
    assert "<title>" in html and "· Mutua</title>" in html


@pytest.mark.parametrize(
    "name",
    [
        "account_request_login_code",
        "account_reset_password",
        "account_email_verification_sent",
    ],
)
def test_entrance_pages_render_in_our_layout(client, name):
    response = client.get(reverse(name))

    assert response.status_code == 200
    assert 'class="skip-link"' in response.content.decode()


def test_email_confirmation_page_confirms_only_on_post(client):
    user = User.objects.create_user("confirm@example.org", "a long and unusual passphrase")
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    key = EmailConfirmationHMAC(address).key
    url = reverse("account_confirm_email", args=[key])

    page = client.get(url)

    assert page.status_code == 200
    assert '<form method="post"' in page.content.decode()
    address.refresh_from_db()
    assert not address.verified
    client.post(url)
    address.refresh_from_db()
    assert address.verified


@pytest.mark.parametrize(
    "name", ["account_email", "account_change_password", "mfa_index", "account_logout"]
)
def test_account_management_pages_render_with_our_navigation(client, name):
    client.force_login(make_user())

    response = client.get(reverse(name))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="skip-link"' in html
    if name != "account_logout":
        assert 'class="subnav"' in html
