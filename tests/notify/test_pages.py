"""The notification centre and the message choices page."""

from __future__ import annotations

from mutua.notify.models import Notification, NotificationPreference
from mutua.notify.services import notification_send
from tests.notify.conftest import ALARM, NOTE, person


def _note(user, title="Soup for Ana", **context):
    [n] = notification_send(recipient=user, kind=NOTE, context={"title": title, **context})
    return n


def test_centre_lists_my_notifications_and_the_nav_shows_the_unread_count(client, db):
    ana, bo = person(), person()
    _note(ana, "Soup for Ana")
    _note(ana, "Lift on Tuesday")
    _note(bo, "Not for Ana")
    client.force_login(ana)
    response = client.get("/notifications/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "Soup for Ana" in body and "Lift on Tuesday" in body and "Not for Ana" not in body
    assert '<span class="badge">2<span class="visually-hidden"> unread' in body


def test_centre_needs_sign_in(client, db):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_mark_read_then_open_goes_to_the_notifications_address(client, db):
    ana = person()
    n = _note(ana, url="/c/riverside/")
    client.force_login(ana)
    response = client.post(f"/notifications/{n.public_id}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/c/riverside/"
    n.refresh_from_db()
    assert n.read_at is not None


def test_marking_someone_elses_notification_is_refused(client, db):
    ana, bo = person(), person()
    n = _note(ana)
    client.force_login(bo)
    assert client.post(f"/notifications/{n.public_id}/read/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_mark_all_read(client, db):
    ana, bo = person(), person()
    _note(ana), _note(ana), _note(bo)
    client.force_login(ana)
    assert client.post("/notifications/read-all/").status_code == 302
    assert not Notification.objects.filter(recipient=ana, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=bo, read_at__isnull=True).count() == 1
    assert "badge" not in client.get("/notifications/").content.decode().split("<main")[0]


def test_preferences_page_saves_choices_and_keeps_safety_kinds_on(client, db):
    ana = person()
    client.force_login(ana)
    page = client.get("/notifications/preferences/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="test_note:email"' in body and "Safety message: always sent" in body
    # when she leaves only SMS on for notes (unchecked boxes are not posted)
    response = client.post("/notifications/preferences/", {"test_note:sms": "on"})
    assert response.status_code == 302
    prefs = dict(
        NotificationPreference.objects.filter(user=ana, kind=NOTE).values_list("channel", "enabled")
    )
    assert prefs == {"email": False}  # only the box she changed: SMS was on already
    assert not NotificationPreference.objects.filter(kind=ALARM).exists()
