"""One-click unsubscribe per kind (RFC 8058), and safety kinds that cannot be unsubscribed."""

from __future__ import annotations

from django.test import Client

from mutua.notify.models import NotificationPreference
from mutua.notify.services import unsubscribe_token
from tests.notify.conftest import ALARM, NOTE, person


def _url(user, kind=NOTE):
    return f"/unsubscribe/{unsubscribe_token(user=user, kind=kind)}/"


def test_get_shows_a_button_and_changes_nothing(client, db):
    ana = person()
    response = client.get(_url(ana))
    assert response.status_code == 200
    assert b"Stop these e-mails" in response.content
    assert not NotificationPreference.objects.exists()


def test_one_click_post_turns_off_email_for_that_kind_only(db):
    ana = person()
    mail_provider = Client(enforce_csrf_checks=True)  # no session, no CSRF token: RFC 8058
    response = mail_provider.post(
        _url(ana),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    pref = NotificationPreference.objects.get(user=ana)
    assert (pref.kind, pref.channel, pref.enabled) == (NOTE, "email", False)


def test_safety_kinds_cannot_be_unsubscribed(client, db):
    ana = person()
    page = client.get(_url(ana, ALARM))
    assert page.status_code == 200 and b"cannot be turned off" in page.content
    assert b"Stop these e-mails" not in page.content
    response = client.post(_url(ana, ALARM))
    assert response.status_code == 409
    assert not NotificationPreference.objects.exists()


def test_tampered_token_is_refused(client, db):
    ana = person()
    url = _url(ana)
    response = client.post(url[:-3] + "x/")
    assert response.status_code == 404
    assert b"not valid" in response.content
    assert not NotificationPreference.objects.exists()
