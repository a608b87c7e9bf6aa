"""Signed one-time links: GET peeks (mail scanners), POST consumes; bad links get a clear page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.http import HttpResponse

from mutua.core.errors import Conflict, NotFound
from mutua.core.signed_links import (
    register_link_action,
    signed_link_consume,
    signed_link_create,
    signed_link_peek,
)
from mutua.notify.models import SignedLink
from tests.notify.conftest import person

ACTED: list[tuple[str, str]] = []


def _page(request, link):
    return HttpResponse(f"Confirm {link.target_id}? <form method=post></form>")


def _act(request, link):
    ACTED.append((link.user.email, link.target_id))
    return HttpResponse("Thank you")


register_link_action("test.confirm", page=_page, act=_act)


@pytest.fixture(autouse=True)
def clear():
    ACTED.clear()


def _token(path: str) -> str:
    return path.strip("/").split("/")[-1]


def test_link_path_holds_a_token_that_is_stored_only_as_a_hash(db):
    ana = person()
    path = signed_link_create(
        user=ana, action="test.confirm", target_id="t1", ttl=dt.timedelta(days=1)
    )
    assert path.startswith("/l/") and path.endswith("/")
    link = SignedLink.objects.get()
    assert _token(path) not in link.token_hash
    assert signed_link_peek(_token(path)) == link


def test_get_shows_the_page_and_does_not_use_the_link(client, db):
    path = signed_link_create(
        user=person(), action="test.confirm", target_id="t1", ttl=dt.timedelta(days=1)
    )
    for _ in range(3):  # a scanner, a preview, the person
        response = client.get(path)
        assert response.status_code == 200 and b"Confirm t1?" in response.content
    assert ACTED == []
    assert SignedLink.objects.get().used_at is None


def test_post_acts_once_and_a_reused_link_is_refused(client, db):
    ana = person()
    path = signed_link_create(
        user=ana, action="test.confirm", target_id="t1", ttl=dt.timedelta(days=1)
    )
    first = client.post(path)
    assert first.status_code == 200 and first.content == b"Thank you"
    again = client.post(path)
    assert again.status_code == 409 and b"already been used" in again.content
    assert client.get(path).status_code == 409
    assert [(ana.email, "t1")] == ACTED


def test_expired_link_is_refused(client, db):
    now = dt.datetime(2025, 5, 1, 9, tzinfo=dt.UTC)
    with time_machine.travel(now, tick=False):
        path = signed_link_create(
            user=person(), action="test.confirm", target_id="t1", ttl=dt.timedelta(hours=1)
        )
    with time_machine.travel(now + dt.timedelta(hours=2), tick=False):
        response = client.post(path)
        assert response.status_code == 409 and b"expired" in response.content
        with pytest.raises(Conflict):
            signed_link_peek(_token(path))
    assert ACTED == []


def test_tampered_link_is_refused(client, db):
    path = signed_link_create(
        user=person(), action="test.confirm", target_id="t1", ttl=dt.timedelta(days=1)
    )
    token = _token(path)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.post(f"/l/{tampered}/")
    assert response.status_code == 404 and b"not valid" in response.content
    with pytest.raises(NotFound):
        signed_link_consume(tampered)
    assert ACTED == []


def test_a_failing_action_leaves_the_link_unused(client, db):
    def fail(request, link):
        raise Conflict("Someone else took this task.")

    register_link_action("test.fail", page=_page, act=fail)
    path = signed_link_create(
        user=person(), action="test.fail", target_id="t9", ttl=dt.timedelta(days=1)
    )
    response = client.post(path)
    assert response.status_code == 409 and b"Someone else took this task." in response.content
    assert SignedLink.objects.get().used_at is None


def test_link_of_a_deactivated_person_is_refused(client, db):
    ana = person()
    path = signed_link_create(
        user=ana, action="test.confirm", target_id="t1", ttl=dt.timedelta(days=1)
    )
    ana.is_active = False
    ana.save()
    assert client.get(path).status_code == 404
