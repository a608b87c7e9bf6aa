"""notification_send: rows written in the caller's transaction, channels, quiet hours, cap."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from mutua.core.errors import ValidationFailed
from mutua.notify.models import Notification, NotificationPreference, OutboxMessage
from mutua.notify.services import notification_send, outbox_deliver_due
from tests.factories import add_member, make_community
from tests.notify.conftest import ALARM, NOTE, person

MADRID = ZoneInfo("Europe/Madrid")


class Boom(Exception):
    pass


def _send(user, kind=NOTE, **kw):
    return notification_send(recipient=user, kind=kind, context={"title": "Soup for Ana"}, **kw)


def test_send_writes_the_in_app_row_and_one_outbox_row_per_channel(db):
    # given a member with a phone
    ana = person("Ana Ruiz", phone="+34 600 111 222")
    # when a note is sent
    [notification] = _send(ana)
    # then the centre shows it and e-mail and SMS wait in the outbox with the rendered text
    assert notification.title == "Soup for Ana" and notification.read_at is None
    rows = {m.channel: m for m in OutboxMessage.objects.filter(recipient=ana)}
    assert set(rows) == {"email", "sms"}
    assert rows["email"].to_address == ana.email and rows["email"].status == "pending"
    assert "Hello Ana, Soup for Ana." in rows["email"].body_text
    assert rows["sms"].to_address == "+34600111222"
    assert rows["sms"].sms_text.startswith("Soup for Ana")


def test_rolled_back_caller_transaction_leaves_no_notification_and_no_outbox_row(db):
    ana = person()
    with pytest.raises(Boom), transaction.atomic():
        _send(ana)
        raise Boom
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_crash_after_commit_before_delivery_keeps_the_row_and_a_later_sweep_sends_it(db):
    # given a committed send whose wake-up never ran (on-commit callbacks are not executed here)
    ana = person()
    _send(ana)
    assert OutboxMessage.objects.get(channel="email").status == "pending"
    assert mail.outbox == []
    # when the periodic sweep runs later
    report = outbox_deliver_due()
    # then the message is delivered
    assert report.sent == 1
    assert OutboxMessage.objects.get(channel="email").status == "sent"
    assert [m.to for m in mail.outbox] == [[ana.email]]


def test_commit_wakes_the_sender_which_delivers_at_once(db, django_capture_on_commit_callbacks):
    ana = person()
    with django_capture_on_commit_callbacks(execute=True):
        _send(ana)
    assert len(mail.outbox) == 1
    assert OutboxMessage.objects.get(channel="email").sent_at is not None


def test_same_dedupe_key_is_written_once(db):
    ana = person()
    assert len(_send(ana, dedupe_key="need:1")) == 1
    assert _send(ana, dedupe_key="need:1") == []
    assert len(_send(ana, dedupe_key="need:2")) == 1
    assert Notification.objects.count() == 2
    assert OutboxMessage.objects.filter(channel="email").count() == 2


def test_quiet_hours_defer_non_critical_messages_until_they_end(db):
    # given quiet hours 22:00-07:00 in the community's time zone, and it is 23:30 there
    community = make_community(time_zone="Europe/Madrid")
    ana = person(tz_quiet=(dt.time(22), dt.time(7)))
    add_member(community, ana)
    late = dt.datetime(2025, 3, 10, 23, 30, tzinfo=MADRID)
    with time_machine.travel(late, tick=False):
        _send(ana, community=community)
        # then nothing goes out now
        assert outbox_deliver_due().claimed == 0
    message = OutboxMessage.objects.get(channel="email")
    assert message.next_attempt_at == dt.datetime(2025, 3, 11, 7, 0, tzinfo=MADRID)
    assert Notification.objects.filter(recipient=ana).exists()  # visible in the app at once
    # and at 07:00 it is delivered
    assert outbox_deliver_due(now=message.next_attempt_at).sent == 1
    assert len(mail.outbox) == 1


def test_quiet_hours_use_the_members_community_time_zone_when_none_is_given(db):
    community = make_community(time_zone="Europe/Madrid")
    ana = person(tz_quiet=(dt.time(22), dt.time(7)))
    add_member(community, ana)
    # 22:30 UTC is 23:30 in Madrid: quiet there
    with time_machine.travel(dt.datetime(2025, 3, 10, 22, 30, tzinfo=dt.UTC), tick=False):
        _send(ana)
    message = OutboxMessage.objects.get(channel="email")
    assert message.next_attempt_at == dt.datetime(2025, 3, 11, 7, 0, tzinfo=MADRID)


def test_critical_kind_bypasses_quiet_hours(db):
    ana = person(phone="+34600111222", tz_quiet=(dt.time(22), dt.time(7)))
    with time_machine.travel(dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC), tick=False):
        _send(ana, kind=ALARM)
        now = dt.datetime(2025, 3, 10, 23, 30, tzinfo=dt.UTC)
        assert set(
            OutboxMessage.objects.filter(next_attempt_at__lte=now).values_list("channel", flat=True)
        ) == {"email", "sms"}
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.sms_text == "ALARM Soup for Ana. Reply OK or HELP." and sms.is_critical


def test_over_the_daily_cap_messages_are_suppressed_but_stay_in_the_app(db, settings):
    settings.NOTIFY_DAILY_CAP = 2
    ana = person()  # no phone: only e-mail counts
    for n in range(3):
        _send(ana, dedupe_key=f"n{n}")
    statuses = list(
        OutboxMessage.objects.filter(channel="email")
        .order_by("id")
        .values_list("status", flat=True)
    )
    assert statuses == ["pending", "pending", "suppressed"]
    assert "limit" in OutboxMessage.objects.get(status="suppressed", channel="email").last_error
    assert Notification.objects.filter(recipient=ana).count() == 3


def test_critical_messages_are_not_capped(db, settings):
    settings.NOTIFY_DAILY_CAP = 1
    ana = person()
    _send(ana)
    _send(ana, kind=ALARM)
    _send(ana, kind=ALARM, dedupe_key="again")
    assert OutboxMessage.objects.filter(kind=ALARM, channel="email", status="pending").count() == 2


def test_cap_counts_only_the_last_day(db, settings):
    settings.NOTIFY_DAILY_CAP = 1
    ana = person()
    with time_machine.travel(dt.datetime(2025, 1, 1, 12, tzinfo=dt.UTC), tick=False):
        _send(ana)
    with time_machine.travel(dt.datetime(2025, 1, 2, 12, 1, tzinfo=dt.UTC), tick=False):
        _send(ana)
    assert not OutboxMessage.objects.filter(status="suppressed", channel="email").exists()


def test_sms_is_skipped_with_a_reason_when_there_is_no_phone(db):
    ana = person()
    _send(ana)
    sms = OutboxMessage.objects.get(channel="sms")
    assert sms.status == "suppressed" and sms.last_error == "No phone number."
    assert outbox_deliver_due().claimed == 1  # only the e-mail


def test_a_member_who_turned_email_off_for_a_kind_gets_no_email_of_it(db):
    ana = person(phone="+34600111222")
    NotificationPreference.objects.create(user=ana, kind=NOTE, channel="email", enabled=False)
    _send(ana)
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["sms"]


def test_sms_stop_is_honoured_even_for_critical_kinds(db):
    ana = person(phone="+34600111222")
    NotificationPreference.objects.create(user=ana, kind="*", channel="sms", enabled=False)
    _send(ana, kind=ALARM)
    assert list(OutboxMessage.objects.values_list("channel", flat=True)) == ["email"]


def test_unknown_kind_is_refused_and_writes_nothing(db):
    ana = person()
    with pytest.raises(ValidationFailed):
        _send(ana, kind="no_such_kind")
    assert not Notification.objects.exists()


def test_deactivated_member_gets_nothing(db):
    ana = person()
    ana.is_active = False
    ana.save()
    assert _send(ana) == []
    assert not OutboxMessage.objects.exists()


def test_actions_become_absolute_links_in_the_message(db):
    ana = person()
    _send(ana, actions=[{"label": "I'll do it", "url": "/l/abc/"}])
    email = OutboxMessage.objects.get(channel="email")
    assert "I'll do it: https://mutua.example/l/abc/" in email.body_text
    assert 'href="https://mutua.example/l/abc/"' in email.body_html
