"""The callers' list is in the board's order: most urgent first, then oldest first."""

from __future__ import annotations

import datetime as dt

import time_machine

from mutua.exchange import selectors
from tests.exchange.helpers import post_need


def test_the_call_list_is_ordered_like_the_board(cast):
    start = dt.datetime(2030, 5, 1, 9, tzinfo=dt.UTC)
    posted = []
    # posted in this order (ids rise), so an order by id would give it back unchanged
    for hours, urgency in ((0, "flexible"), (1, "day"), (2, "immediate"), (3, "day")):
        with time_machine.travel(start + dt.timedelta(hours=hours), tick=False):
            posted.append(post_need(cast.community, cast.member, urgency=urgency))
    flexible, day_old, immediate, day_new = posted
    with time_machine.travel(start + dt.timedelta(hours=4), tick=False):
        rows = selectors.dispatch_call_list(viewer=cast.coordinator, community=cast.community)
        board = selectors.dispatch_board(viewer=cast.coordinator, community=cast.community)
    assert [need for need, _phone in rows] == [immediate, day_old, day_new, flexible]
    assert [need for need, _phone in rows] == list(board)


def test_the_call_list_page_follows_the_same_order(cast, client):
    later = post_need(cast.community, cast.member, title="Flexible errand", urgency="flexible")
    sooner = post_need(cast.community, cast.member, title="Urgent shopping", urgency="immediate")
    client.force_login(cast.caller)
    page = client.get(f"/c/{cast.community.slug}/dispatch/call-list/").content.decode()
    assert page.index(sooner.title) < page.index(later.title)


def test_needs_posted_at_the_same_moment_keep_the_boards_tie_break(cast):
    # the board breaks ties on the public id, not on the row id
    with time_machine.travel(dt.datetime(2030, 5, 1, 9, tzinfo=dt.UTC), tick=False):
        for i in range(6):
            post_need(cast.community, cast.member, title=f"Errand number {i}", urgency="day")
        rows = selectors.dispatch_call_list(viewer=cast.coordinator, community=cast.community)
        board = selectors.dispatch_board(viewer=cast.coordinator, community=cast.community)
    assert [need.public_id for need, _phone in rows] == [need.public_id for need in board]
