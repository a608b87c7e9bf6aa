"""Inviting people one by one, as a link, in bulk, and accepting an invitation."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutua.communities.models import Invitation, Membership
from mutua.communities.services import invitation_create
from tests.factories import make_user

pytestmark = pytest.mark.django_db

INVITATIONS = reverse("communities:invitations", args=["riverside"])
BULK = reverse("communities:invitation_bulk", args=["riverside"])


def test_link_invitation_is_shown_once(client, cast):
    client.force_login(cast.coordinator)

    response = client.post(INVITATIONS, {"email": "", "days": 14}, follow=True)

    html = response.content.decode()
    match = re.search(r'value="(http[^"]+/join/[^"]+/)"', html)
    assert match
    assert Invitation.objects.get().email == ""
    assert match.group(1) not in client.get(INVITATIONS).content.decode()


def test_email_invitation_is_sent_after_commit(client, cast, django_capture_on_commit_callbacks):
    client.force_login(cast.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(INVITATIONS, {"email": "newcomer@example.org", "days": 7})

    assert response.status_code == 302
    assert Invitation.objects.get().email == "newcomer@example.org"
    assert mail.outbox[0].to == ["newcomer@example.org"]
    assert "/join/" in mail.outbox[0].body


def test_inviting_an_existing_member_shows_the_reason_and_creates_nothing(client, cast):
    client.force_login(cast.coordinator)

    response = client.post(INVITATIONS, {"email": "member@example.org", "days": 14})

    assert response.status_code == 422
    assert "already a member" in response.content.decode()
    assert not Invitation.objects.exists()


def test_caller_cannot_invite(client, cast):
    client.force_login(cast.caller)

    response = client.post(INVITATIONS, {"email": "x@example.org", "days": 14})

    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_bulk_invite_reports_what_was_sent_and_what_was_refused(client, cast):
    client.force_login(cast.coordinator)
    pasted = "ann@example.org, bob@example.org\nann@example.org\nmember@example.org\nnot-an@address"

    response = client.post(BULK, {"addresses": pasted, "days": 14}, follow=True)

    html = response.content.decode()
    assert "2 invitations sent." in html
    assert "ann@example.org" in html
    assert "listed twice" in html
    assert "member@example.org: This person is already a member." in html
    assert "not-an@address" in html
    assert set(Invitation.objects.values_list("email", flat=True)) == {
        "ann@example.org",
        "bob@example.org",
    }


def test_bulk_invite_from_an_uploaded_csv(client, cast):
    client.force_login(cast.coordinator)
    upload = SimpleUploadedFile(
        "people.csv", b"name,email\nAnn,ann@example.org\nBob,bob@example.org\n", "text/csv"
    )

    response = client.post(BULK, {"addresses": "", "file": upload, "days": 14}, follow=True)

    assert "2 invitations sent." in response.content.decode()
    assert Invitation.objects.count() == 2


def test_bulk_invite_without_addresses_shows_an_error(client, cast):
    client.force_login(cast.coordinator)

    response = client.post(BULK, {"addresses": "nobody here", "days": 14})

    assert response.status_code == 422
    assert "No e-mail addresses were found" in response.content.decode()
    assert not Invitation.objects.exists()


def test_invitations_list_shows_each_status_and_revoking_withdraws(client, cast):
    invitation, _token = invitation_create(
        actor=cast.coordinator, community=cast.community, email="ann@example.org"
    )
    client.force_login(cast.coordinator)
    assert "Waiting" in client.get(INVITATIONS).content.decode()

    response = client.post(
        reverse("communities:invitation_revoke", args=["riverside", invitation.public_id]),
        follow=True,
    )

    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "Withdrawn" in response.content.decode()


def test_invited_person_accepts_through_the_link(client, cast):
    _invitation, token = invitation_create(
        actor=cast.coordinator, community=cast.community, email="newcomer@example.org"
    )
    newcomer = make_user("New Comer", "newcomer@example.org")
    client.force_login(newcomer)
    url = reverse("communities:join_invitation", args=[token])

    page = client.get(url)
    assert "Riverside Mutual Aid" in page.content.decode()
    assert not Membership.objects.filter(user=newcomer).exists()
    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == reverse("communities:detail", args=["riverside"])
    assert Membership.objects.get(user=newcomer).status == "active"


def test_invitation_for_another_address_is_refused(client, cast):
    _invitation, token = invitation_create(
        actor=cast.coordinator, community=cast.community, email="newcomer@example.org"
    )
    client.force_login(cast.outsider)

    response = client.post(reverse("communities:join_invitation", args=[token]))

    assert response.status_code == 403
    assert "another e-mail address" in response.content.decode()
    assert not Membership.objects.filter(user=cast.outsider).exists()
    assert Invitation.objects.get().used_at is None


def test_anonymous_visitor_is_offered_sign_up_and_sign_in_back_to_the_link(client, cast):
    _invitation, token = invitation_create(actor=cast.coordinator, community=cast.community)
    url = reverse("communities:join_invitation", args=[token])

    html = client.get(url).content.decode()
    response = client.post(url)

    assert f"{reverse('account_signup')}?next={url}" in html.replace("%2F", "/")
    assert f"{reverse('account_login')}?next={url}" in html.replace("%2F", "/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_unknown_invitation_link_is_explained(client, cast):
    response = client.get(reverse("communities:join_invitation", args=["nonsense"]))

    assert response.status_code == 404
    assert "not valid" in response.content.decode()
