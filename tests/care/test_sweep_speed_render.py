"""What keeps the care sweep fast without changing what it writes: a batch is rendered once per
group yet reads exactly as each message rendered alone, a missing optional template leaves no
garbage that would keep a whole batch in memory, and no index only slows the inserts."""

from __future__ import annotations

import gc

import pytest
from django.db import connection
from django.utils import translation

from mutua.care import notifications as care_kinds
from mutua.notify.kinds import kind_get
from mutua.notify.models import Notification, OutboxMessage
from mutua.notify.services.render import render_messages, template_or_none
from mutua.notify.services.stencil import render_grouped

NAMES = ["Ann", 'Bo "B" <b>O\'Neil</b> & co', "Zq00x1Qz<&'\">", "%(name)s {{ x }}", "Éva"]


def _context(n: int, name: str) -> dict:
    link = f"https://mutua.example/l/token{n}-{'x' * n}/"
    return {
        "first_name": name,
        "due_local": "Mon 7 Jan 09:00",
        "reply_code": f"AB{n:02d}",
        "emergency_number": "112",
        "is_drill": n % 2 == 0,
        "community_name": "Riverside <Mutual> & Aid",
        "url": f"/care/plans/p{n}/",
        "link": link,
        "recipient": None,
        "site_url": "https://mutua.example",
        "unsubscribe_url": "",
        "actions": [{"label": "I'm OK", "url": link}],
        "is_critical": True,
        "preferences_url": "https://mutua.example/notifications/preferences/",
    }


@pytest.mark.parametrize("kind", [care_kinds.REMINDER + "_email_sms", care_kinds.ASK + "_email"])
def test_a_batch_rendered_message_is_the_message_rendered_alone(kind):
    contexts = [_context(n, name) for n, name in enumerate(NAMES * 3)]
    with translation.override("en"):
        batch = render_messages(kind_get(kind), contexts, render_grouped)
        alone = [render_messages(kind_get(kind), [c])[0] for c in contexts]

    assert batch == alone
    assert len({m["email_html"] for m in batch}) == len(contexts)  # each its own link


def test_a_missing_optional_template_leaves_no_garbage_behind():
    gc.collect()
    was_on = gc.isenabled()
    gc.disable()
    try:
        assert template_or_none("notify/no_such_template_sms.txt") is None
        assert gc.collect() == 0
    finally:
        if was_on:
            gc.enable()


def test_an_existing_optional_template_is_found():
    assert template_or_none("notify/care_reminder_sms.txt") is not None


def _single_column_indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: c["columns"]
        for name, c in found.items()
        if c["index"] and not c["unique"] and len(c["columns"]) == 1
    }


@pytest.mark.django_db
def test_notifications_and_outbox_have_no_index_another_covers():
    notification = _single_column_indexes(Notification)
    outbox = _single_column_indexes(OutboxMessage)

    assert [n for n, cols in notification.items() if cols == ["recipient_id"]] == ["notify_unread"]
    assert ["recipient_id"] not in outbox.values()
    assert ["next_attempt_at"] not in outbox.values()
