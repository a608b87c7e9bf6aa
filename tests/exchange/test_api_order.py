"""API lists of needs come in the board's order — most urgent first, then oldest first — and
their cursors page through that order with every need exactly once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mutua.exchange.models import Need
from mutua.people.services import api_token_create
from tests.exchange.helpers import post_need

DISPATCH = "/api/v1/communities/riverside/dispatch"
NEEDS = "/api/v1/communities/riverside/needs"


def _auth(user) -> dict:
    _token, secret = api_token_create(user=user, name="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _mixed_needs(cast) -> list[str]:
    """Needs of mixed urgency and age, posted out of order; the titles in the board's order."""
    now = timezone.now()
    posted = [  # (title, urgency, hours ago)
        ("week, newer", "week", 1),
        ("flexible, oldest", "flexible", 50),
        ("immediate, newer", "immediate", 2),
        ("day, older", "day", 30),
        ("week, older", "week", 20),
        ("immediate, older", "immediate", 10),
        ("day, newer", "day", 3),
    ]
    for title, urgency, hours in posted:
        need = post_need(cast.community, cast.member, title=title, urgency=urgency)
        Need.objects.filter(pk=need.pk).update(created_at=now - dt.timedelta(hours=hours))
    return [
        "immediate, older",
        "immediate, newer",
        "day, older",
        "day, newer",
        "week, older",
        "week, newer",
        "flexible, oldest",
    ]


def _all_pages(client, url: str, auth: dict, limit: int) -> tuple[list[str], int]:
    titles, pages, cursor = [], 0, None
    while True:
        params = {"limit": limit, **({"cursor": cursor} if cursor else {})}
        r = client.get(url, params, **auth)
        assert r.status_code == 200, r.content
        titles += [item["title"] for item in r.json()["items"]]
        pages += 1
        cursor = r.json()["next_cursor"]
        if not cursor:
            return titles, pages


def test_dispatch_pages_come_by_urgency_then_age_each_need_once(client, cast):
    expected = _mixed_needs(cast)
    titles, pages = _all_pages(client, DISPATCH, _auth(cast.coordinator), limit=4)
    assert pages == 2
    assert titles == expected


def test_dispatch_pages_hold_when_the_page_ends_inside_an_urgency(client, cast):
    expected = _mixed_needs(cast)
    titles, pages = _all_pages(client, DISPATCH, _auth(cast.coordinator), limit=3)
    assert pages == 3
    assert titles == expected


def test_needs_list_pages_in_the_same_order_as_the_web_board(client, cast):
    expected = _mixed_needs(cast)
    titles, _pages = _all_pages(client, NEEDS, _auth(cast.caller), limit=4)
    assert titles == expected


def test_dispatch_order_is_still_refused_to_members(client, cast):
    _mixed_needs(cast)
    r = client.get(DISPATCH, {"limit": 4}, **_auth(cast.caller))
    assert r.status_code == 403


def test_an_edited_cursor_is_refused(client, cast):
    _mixed_needs(cast)
    auth = _auth(cast.coordinator)
    cursor = client.get(DISPATCH, {"limit": 4}, **auth).json()["next_cursor"]
    r = client.get(DISPATCH, {"limit": 4, "cursor": cursor[:-2] + "xx"}, **auth)
    assert r.status_code == 400
    assert "cursor" in r.json()["errors"]
