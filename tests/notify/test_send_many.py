"""notification_send_many: the same rows as notification_send one by one, in fewer queries,
rendered once per group of alike messages without ever mixing two people's words."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mutua.notify.kinds import register_kind
from mutua.notify.models import Notification, NotificationPreference, OutboxMessage
from mutua.notify.services import Outgoing, notification_send, notification_send_many, stencil
from tests.factories import add_member, make_community
from tests.notify.conftest import ALARM, NOTE, person

MADRID = ZoneInfo("Europe/Madrid")
LATE = dt.datetime(2025, 3, 10, 23, 30, tzinfo=MADRID)  # inside 22:00-07:00 quiet hours
MAIL_ONLY = "test_mail_only"
REMINDER = "care_reminder_email_sms"


@pytest.fixture(autouse=True)
def mail_only_kind():
    register_kind(
        MAIL_ONLY, label="Mail only", default_channels=("app", "email"), template="notify/test_note"
    )


def _care_context(name: str, link: str, *, drill: bool, code: str = "AB12") -> dict:
    return {
        "first_name": name,
        "due_local": "Mon 10 Mar 23:59",
        "reply_code": code,
        "emergency_number": "112",
        "is_drill": drill,
        "community_name": "Riverside <Mutual> & Aid",
        "url": f"/care/plans/{code.lower()}/",
        "link": f"https://mutua.example{link}",
    }


def _care(user, *, drill: bool, key: str, community=None, kind: str = REMINDER) -> Outgoing:
    name = user.profile.first_name
    link = f"/l/token-for-{user.pk}/"
    return Outgoing(
        recipient=user,
        kind=kind,
        context=_care_context(name, link, drill=drill),
        community=community,
        dedupe_key=key,
        actions=[{"label": "I'm OK", "url": link}],
    )


def _note(user, title: str, *, key: str = "", kind: str = NOTE, community=None) -> Outgoing:
    return Outgoing(
        recipient=user,
        kind=kind,
        context={"title": title, "url": "/needs/1/"},
        community=community,
        dedupe_key=key,
    )


def _rows() -> dict[str, list]:
    """Every written row, without ids and timestamps, in a stable order."""
    skip = {"id", "public_id", "created_at", "updated_at"}

    def plain(model, order):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows = []
        for row in model.objects.order_by(*order).values(*fields):
            of = row.pop("notification_id", None)
            rows.append({**row, "of": of and _natural(of)})
        return rows

    return {
        "notifications": plain(Notification, ["recipient_id", "kind", "dedupe_key", "title"]),
        "outbox": plain(OutboxMessage, ["recipient_id", "kind", "dedupe_key", "channel", "id"]),
    }


def _natural(notification_id: int) -> tuple:
    n = Notification.objects.get(pk=notification_id)
    return (n.recipient_id, n.kind, n.dedupe_key, n.title)


def _both_ways(messages: list[Outgoing]) -> tuple[dict, dict, list, list]:
    """The rows written one by one, and by the batch, from the same starting point."""
    with transaction.atomic():
        start = transaction.savepoint()
        one = [
            [n.pk for n in notification_send(**vars(m))] for m in messages
        ]  # (recipient, kind, context, community, dedupe_key, actions)
        by_one = _rows()
        transaction.savepoint_rollback(start)
        many = notification_send_many(messages)
        by_many = _rows()
    return by_one, by_many, [bool(x) for x in one], [x is not None for x in many]


@pytest.fixture
def mixed(db, settings):
    """People in two languages and time zones, quiet hours, an SMS STOP, an inactive and an
    anonymised person, names that need escaping, a daily cap, and repeated dedupe keys."""
    settings.NOTIFY_DAILY_CAP = 2
    madrid = make_community(time_zone="Europe/Madrid")
    ana = person(
        "Ana <b>O'Brien</b> & co", phone="+34 600 111 222", tz_quiet=(dt.time(22), dt.time(7))
    )
    ana.profile.preferred_language = "es"
    ana.profile.save()
    add_member(madrid, ana)
    bob = person('Bob "Quote" Smith', phone="+44 7700 900123")
    NotificationPreference.objects.create(user=bob, kind="*", channel="sms", enabled=False)
    cid = person("Cid Gone")
    cid.is_active = False
    cid.save()
    dee = person("Dee Forgotten")
    dee.is_anonymised = True
    dee.save()
    eve = person("", tz_quiet=(dt.time(22), dt.time(7)))  # no first name; quiet hours, no community
    add_member(madrid, eve)
    fay = person("Fay %(name)s {{ x }} Zq00x1Qz<&'\">")  # looks like our probes and formats
    Notification.objects.create(recipient=fay, kind=NOTE, title="old", dedupe_key="seen")
    return {
        "madrid": madrid,
        "ana": ana,
        "bob": bob,
        "cid": cid,
        "dee": dee,
        "eve": eve,
        "fay": fay,
    }


def test_batch_writes_the_same_rows_as_one_by_one(mixed):
    p = mixed
    messages = [
        _care(p["ana"], drill=False, key="care:1:live", community=p["madrid"]),
        _care(p["ana"], drill=True, key="care:1:drill", community=p["madrid"]),
        _care(p["bob"], drill=False, key="care:2:live"),
        _care(p["bob"], drill=True, key="care:2:drill"),
        _care(p["cid"], drill=False, key="care:3:live"),  # inactive: skipped
        _care(p["dee"], drill=False, key="care:4:live"),  # anonymised: skipped
        _care(p["eve"], drill=False, key="care:5:live"),
        _care(p["fay"], drill=False, key="care:6:live"),
        _care(p["fay"], drill=False, key="care:6:live"),  # the same key twice: written once
        _note(p["fay"], "Seen already", key="seen"),  # written before: skipped
        _note(p["ana"], "Soup <for> Ana", community=p["madrid"]),  # quiet hours defer
        _note(p["eve"], "Soup for Eve"),  # quiet hours in her home zone (no community given)
        _note(p["bob"], "One"),
        _note(p["bob"], "Two"),
        _note(p["bob"], "Three"),  # over the daily cap of two
        _note(p["bob"], "Alarm", kind=ALARM),  # critical: not capped
        _note(p["eve"], "Mail", kind=MAIL_ONLY, key="m1"),
        _note(p["eve"], "Mail", kind=MAIL_ONLY, key="m1"),
    ]
    with time_machine.travel(LATE, tick=False):
        by_one, by_many, one, many = _both_ways(messages)
    assert by_many == by_one
    assert many == one
    assert one.count(True) == 13
    # and the batch really went through every rule
    statuses = {(m["recipient_id"], m["kind"], m["channel"]): m for m in by_many["outbox"]}
    ana, bob = p["ana"].pk, p["bob"].pk
    morning = dt.datetime(2025, 3, 11, 7, 0, tzinfo=MADRID)
    assert statuses[(ana, NOTE, "email")]["next_attempt_at"] == morning
    assert (bob, REMINDER, "sms") not in statuses  # STOP is honoured even for safety messages
    assert (ana, REMINDER, "sms") in statuses
    capped = [
        m["status"]
        for m in by_many["outbox"]
        if m["recipient_id"] == bob and m["kind"] == NOTE and m["channel"] == "email"
    ]
    assert capped == ["pending", "pending", "suppressed"]
    titles = {
        (n["recipient_id"], n["dedupe_key"].rsplit(":", 1)[1]): n["title"]
        for n in by_many["notifications"]
        if n["kind"] == REMINDER
    }
    assert titles[(ana, "live")].startswith("Hora de tu")  # in Spanish
    assert titles[(bob, "live")].startswith("Time to check in")
    assert titles[(bob, "drill")].startswith("TEST")


def test_a_fresh_batch_whose_key_was_written_after_all_still_writes_it_once(mixed, monkeypatch):
    # given a batch said to be fresh, one of whose keys was in fact written before
    from mutua.notify.services import bulk

    alone = []
    monkeypatch.setattr(bulk, "notification_send", lambda **kw: alone.append(kw) or [])
    p = mixed
    messages = [
        _care(p["ana"], drill=False, key="care:1:live", community=p["madrid"]),
        _note(p["fay"], "Seen already", key="seen"),
        _note(p["bob"], "One"),
    ]
    with time_machine.travel(LATE, tick=False), transaction.atomic():
        start = transaction.savepoint()
        one = [bool(notification_send(**vars(m))) for m in messages]
        by_one = _rows()
        transaction.savepoint_rollback(start)
        many = notification_send_many(messages, fresh=True)
        by_many = _rows()
    # then the unique index catches it, the batch is written again with the keys read first
    # (not one message at a time), and the rows are the same as sent one by one
    assert alone == []
    assert by_many == by_one
    assert [x is not None for x in many] == one == [True, False, True]
    assert Notification.objects.filter(recipient=p["fay"], dedupe_key="seen").count() == 1


def test_each_message_is_rendered_for_the_channels_it_goes_out_on(mixed):
    # given one batch: a reminder by e-mail and SMS, one by e-mail only, a note not by e-mail
    p = mixed
    NotificationPreference.objects.create(user=p["eve"], kind=NOTE, channel="email", enabled=False)
    messages = [
        _care(p["ana"], drill=False, key="a", community=p["madrid"]),
        _care(p["fay"], drill=False, key="f", kind="care_reminder_email"),
        _note(p["eve"], "Not by mail"),
    ]
    notification_send_many(messages)
    rows = list(OutboxMessage.objects.all())
    # then e-mail rows carry the e-mail and no SMS text, SMS rows the SMS text and no e-mail
    assert {(m.recipient_id, m.channel) for m in rows} >= {
        (p["ana"].pk, "email"),
        (p["ana"].pk, "sms"),
        (p["fay"].pk, "email"),
    }
    assert (p["eve"].pk, "email") not in {(m.recipient_id, m.channel) for m in rows}
    for row in rows:
        assert bool(row.body_html and row.body_text) == (row.channel == "email")
        assert bool(row.sms_text) == (row.channel == "sms")
    # and every message keeps its in-app text
    assert all(n.title and n.body for n in Notification.objects.filter(dedupe_key__in=["a", "f"]))
    assert Notification.objects.get(recipient=p["eve"], kind=NOTE).body


WEIRD = ["Fay %(name)s {{ x }} Zq00x1Qz<&'\">", "<script>alert(1)</script>", "Plain"]


def test_names_and_links_are_escaped_as_one_by_one(mixed):
    # given names that look like HTML, like format strings and like our own probes
    messages = []
    for i, (name, who) in enumerate(zip(WEIRD, ("fay", "bob", "eve"), strict=True)):
        link = f"/l/tok{i}/?a=1&b=<{i}>"
        context = _care_context(name, link, drill=False)
        actions = [{"label": "I'm OK", "url": link}]
        messages.append(Outgoing(mixed[who], REMINDER, context, None, f"k{i}", actions))
    with time_machine.travel(LATE, tick=False):
        by_one, by_many, _one, _many = _both_ways(messages)
    # then the batch escapes them exactly as rendering one by one does
    assert by_many == by_one
    html = "".join(m["body_html"] for m in by_many["outbox"] if m["channel"] == "email")
    assert "Zq00x1Qz" in html and "<script>" not in html and "<&'" not in html
    assert "b=&lt;1&gt;" in html


def _queries(messages: list[Outgoing]) -> int:
    with CaptureQueriesContext(connection) as captured:
        notification_send_many(messages)
    return len([q for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]])


def test_queries_do_not_grow_with_the_number_of_messages(db):
    people = [person(f"Person{i} Example") for i in range(14)]
    small = [_note(u, f"Note {i}", key=f"a{i}", kind=MAIL_ONLY) for i, u in enumerate(people[:2])]
    large = [_note(u, f"Note {i}", key=f"b{i}", kind=MAIL_ONLY) for i, u in enumerate(people[2:])]
    critical = [
        _care(u, drill=False, key=f"c{i}", kind="care_reminder_email")
        for i, u in enumerate(people[:2])
    ]
    counts = _queries(small), _queries(large), _queries(critical)
    assert counts[0] == counts[1]
    assert counts[2] <= counts[0]  # critical: no daily cap to count


def test_nothing_to_write_costs_one_query(db):
    ana = person("Ana")
    first = [_note(ana, "Once", key="once", kind=MAIL_ONLY)]
    notification_send_many(first)
    assert _queries(first) == 1  # the dedupe check finds it written


def test_no_one_sees_another_persons_name_or_link(db):
    people = [person(f"Name{i:03d}x Surname") for i in range(40)]
    messages = [
        _care(u, drill=i % 2 == 0, key=f"care:{i}", kind="care_reminder_email")
        for i, u in enumerate(people)
    ]
    notification_send_many(messages)
    for u in people:
        rows = OutboxMessage.objects.filter(recipient=u)
        assert rows.count() == 1
        row = rows.get()
        text = row.subject + row.body_text + row.body_html + row.sms_text
        names = set(re.findall(r"Name\d{3}x", text))
        tokens = set(re.findall(r"token-for-(\d+)/", text))
        assert names == {u.profile.first_name}
        assert tokens == {str(u.pk)}
        n = Notification.objects.get(recipient=u)
        assert set(re.findall(r"Name\d{3}x", n.body)) == {u.profile.first_name}
        assert n.actions == [
            {"label": "I'm OK", "url": f"https://mutua.example/l/token-for-{u.pk}/"}
        ]


# --- The stencil: grouped rendering, and its fallback -------------------------------------

TEMPLATES = {
    "t/plain.txt": "Hi {{ name }}, see {{ link }}.{% if code %} Code {{ code }}{% endif %}",
    "t/escaped.html": "<p>{{ name }}</p><p>{{ name|force_escape }}</p>"
    "{% autoescape off %}{{ name }}{% endautoescape %}",
    "t/loop.html": '{% for a in actions %}<a href="{{ a.url }}">{{ a.label }}</a>{% endfor %}',
    "t/upper.txt": "Hi {{ name|upper }}",
    "t/length.txt": "{% if name|length > 4 %}long{% else %}short{% endif %} {{ name }}",
    "t/truncate.txt": "{{ name|truncatechars:6 }}",
    "t/custom.txt": "{% load i18n %}{% blocktranslate with n=name %}Hello {{ n }}"
    "{% endblocktranslate %}",
    "t/cycle.txt": "{% cycle name 'b' %}",
}


@pytest.fixture
def locmem(settings):
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {"loaders": [("django.template.loaders.locmem.Loader", TEMPLATES)]},
        }
    ]


NAMES = ["Ann", "Bartholomew", "O'Neil <i>", "", 'Zoë & "Co"']


def _contexts() -> list[dict]:
    return [
        {
            "name": n,
            "link": f"/l/{i}/",
            "code": "" if i == 2 else f"C{i}",
            "actions": [{"label": f"Go {n}", "url": f"/go/{i}/?a=1&b=2"}],
        }
        for i, n in enumerate(NAMES * 2)
    ]


@pytest.mark.parametrize("name", sorted(TEMPLATES))
def test_grouped_rendering_equals_rendering_each(locmem, name):
    contexts = _contexts()
    [grouped] = stencil.render_grouped([(name, False)], contexts)
    from django.template.loader import render_to_string

    assert grouped == [render_to_string(name, c) for c in contexts]


def test_a_value_used_beyond_printing_is_matched_not_probed(locmem, monkeypatch):
    made = []
    original = stencil._Stencil

    class Watching(original):  # type: ignore[misc,valid-type]
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(stencil, "_Stencil", Watching)
    # a filter, a length, a cut: only messages with the very same name share a rendering
    for name in ("t/upper.txt", "t/length.txt", "t/truncate.txt"):
        made.clear()
        stencil.render_grouped([(name, False)], _contexts())
        assert made and all(s.slots == [] for s in made)
    # a tag it does not know: every message on its own
    made.clear()
    stencil.render_grouped([("t/cycle.txt", False)], _contexts())
    assert made == []
    # plain printing: one rendering for everyone alike, names put in afterwards
    stencil.render_grouped([("t/plain.txt", False)], _contexts())
    assert any(slot[0] == "name" for s in made for slot in s.slots)


def test_a_probe_changed_by_a_filter_falls_back_to_rendering_each(locmem, monkeypatch):
    # given a reading of the template that wrongly trusts `upper` (as a new filter might be)
    monkeypatch.setattr(stencil, "_ESCAPING", {*stencil._ESCAPING, *_upper()})
    stencil._ANALYSED.clear()
    contexts = _contexts()
    made = []
    original = stencil._Stencil

    class Watching(original):  # type: ignore[misc,valid-type]
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(self)

    monkeypatch.setattr(stencil, "_Stencil", Watching)
    [grouped] = stencil.render_grouped([("t/upper.txt", False)], contexts)
    stencil._ANALYSED.clear()
    # then the probe came back changed, so every message was rendered on its own, correctly
    probed = [s for s in made if s.slots]
    assert probed and not any(s.whole for s in probed)
    assert grouped == _each("t/upper.txt", contexts)


def _upper():
    from django.template import defaultfilters

    return [defaultfilters.upper]


def _each(name: str, contexts: list[dict]) -> list[str]:
    from django.template.loader import render_to_string

    return [render_to_string(name, c) for c in contexts]
