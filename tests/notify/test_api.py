"""API: /api/v1/notifications — list with a cursor, mark read, preferences; others refused."""

from __future__ import annotations

from mutua.notify.models import NotificationPreference
from mutua.notify.services import notification_send
from tests.api.conftest import ApiClient, assert_problem
from tests.notify.conftest import ALARM, NOTE, person


def _note(user, title):
    [n] = notification_send(recipient=user, kind=NOTE, context={"title": title})
    return n


def test_list_pages_through_my_notifications_newest_first(db):
    ana, bo = person(), person()
    for n in range(3):
        _note(ana, f"note {n}")
    _note(bo, "for bo")
    api = ApiClient(ana)
    first = api.get("/notifications", limit=2)
    assert first.status_code == 200
    body = first.json()
    assert [i["title"] for i in body["items"]] == ["note 2", "note 1"]
    assert len(body["items"][0]["id"]) == 16 and body["items"][0]["read_at"] is None
    rest = api.get("/notifications", limit=2, cursor=body["next_cursor"]).json()
    assert [i["title"] for i in rest["items"]] == ["note 0"] and rest["next_cursor"] is None


def test_list_needs_sign_in(db):
    assert_problem(ApiClient(None).get("/notifications"), 401)


def test_mark_read_and_refusal_for_someone_else(db):
    ana, bo = person(), person()
    n = _note(ana, "hello")
    assert_problem(ApiClient(bo).post(f"/notifications/{n.public_id}/read"), 404)
    response = ApiClient(ana).post(f"/notifications/{n.public_id}/read")
    assert response.status_code == 200 and response.json()["read_at"] is not None


def test_read_all_marks_only_mine(db):
    ana, bo = person(), person()
    _note(ana, "a"), _note(bo, "b")
    assert ApiClient(ana).post("/notifications/read-all").json() == {"marked": 1}
    assert ApiClient(bo).get("/notifications").json()["items"][0]["read_at"] is None


def test_get_and_put_preferences(db):
    ana = person()
    api = ApiClient(ana)
    rows = {r["kind"]: r for r in api.get("/notifications/preferences").json()}
    assert rows[NOTE]["channels"] == {"email": True, "sms": True}
    assert rows[ALARM]["critical"] is True
    response = api.put(
        "/notifications/preferences",
        {"preferences": [{"kind": NOTE, "channel": "sms", "enabled": False}]},
    )
    assert response.status_code == 200
    rows = {r["kind"]: r for r in response.json()}
    assert rows[NOTE]["channels"] == {"email": True, "sms": False}


def test_safety_kinds_and_unknown_kinds_cannot_be_changed(db):
    ana = person()
    api = ApiClient(ana)
    body = {"preferences": [{"kind": ALARM, "channel": "email", "enabled": False}]}
    assert_problem(api.put("/notifications/preferences", body), 422, field=ALARM)
    body = {"preferences": [{"kind": "nope", "channel": "email", "enabled": False}]}
    assert_problem(api.put("/notifications/preferences", body), 422, field="nope")
    body = {"preferences": [{"kind": NOTE, "channel": "pigeon", "enabled": False}]}
    assert_problem(api.put("/notifications/preferences", body), 422)
    assert not NotificationPreference.objects.exists()
