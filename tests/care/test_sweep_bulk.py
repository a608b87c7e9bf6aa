"""The batched sweep: the same rows as advancing each plan on its own, in a fixed number of
queries per batch, and never one person's link or name in another person's message."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from mutua.care import services
from mutua.care.models import Alert, AlertEvent, CarePlan, CareSettings, CircleContact
from mutua.care.services import sweep
from mutua.notify.models import Notification, NotificationPreference, OutboxMessage, SignedLink
from mutua.people.models import SensitiveDetails
from tests.care.helpers import START
from tests.factories import add_member, make_community, make_user

T = START + dt.timedelta(minutes=30)  # 08:30: the 09:00 check-ins' reminders are due
M = dt.timedelta(minutes=1)
LINK = re.compile(r"/l/([A-Za-z0-9_-]+)/")
ALERT_KEY = re.compile(r"care:alert:(\d+):")


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def _person(community, name: str, *, language: str = "en", phone: str = ""):
    user = make_user(name, f"{name.split()[0].lower()}@example.org")
    add_member(community, user)
    if language != "en":
        user.profile.preferred_language = language
        user.profile.save()
    if phone:
        SensitiveDetails.objects.update_or_create(user=user, defaults={"phone": phone})
    return user


def _plan(community, person, **kwargs) -> CarePlan:
    drill = kwargs.pop("is_drill", False)  # a drill is a coordinator's to start
    plan = services.care_plan_create(
        actor=person, community=community, person=person, times=["09:00"], **kwargs
    )
    if drill:
        CarePlan.objects.filter(pk=plan.pk).update(is_drill=True)
        plan.refresh_from_db()
    return plan


def _move(plan: CarePlan, **fields) -> None:
    CarePlan.objects.filter(pk=plan.pk).update(**fields)


def _mixed(cast, settings) -> list[CarePlan]:
    """Plans at every common step, and some at rare ones, all due at 08:30."""
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/unused"
    here = cast.community
    drilling = make_community(name="Drill Town", slug="drill-town")
    CareSettings.objects.create(community=drilling, is_drill=True)
    plans = [
        _plan(here, _person(here, "Ada Reminder")),
        _plan(here, _person(here, "Bea Española", language="es")),
        _plan(here, _person(here, "Cy Drill"), is_drill=True),
        _plan(drilling, _person(drilling, "Dot Townsdrill")),
        _plan(here, _person(here, "Eli Stop", phone="+44 7700 900001"), channels=["sms", "email"]),
        _plan(here, _person(here, "Flo Texts", phone="+44 7700 900002"), channels=["sms"]),
        _plan(here, _person(here, "Gus Gone")),
        _plan(here, _person(here, "Hal Twice")),
        _plan(here, _person(here, "Ivy Deadline")),
        _plan(here, _person(here, "Jo Grace")),
        _plan(here, _person(here, "Kit Phone"), channels=["email", "phone"]),
        _plan(here, _person(here, "Lou Escalating")),
        _plan(here, _person(here, "Max Paused")),
        _plan(here, _person(here, "Ned Caughtup")),
        _plan(here, _person(here, "Oz <b>O'Hara</b> & co")),
    ]
    eli, gus, hal = plans[4].person, plans[6].person, plans[7].person
    NotificationPreference.objects.create(user=eli, kind="*", channel="sms", enabled=False)
    gus.is_active = False
    gus.save()
    due = plans[7].current_due_at
    Notification.objects.create(  # Hal's reminder was already written (a duplicate key)
        recipient=hal,
        kind="care_reminder_email",
        title="already",
        dedupe_key=f"care:{plans[7].pk}:{due.isoformat()}:reminder:0",
    )
    early = START + 20 * M
    _move(plans[8], state="reminded", current_due_at=early, next_due_at=early)
    _move(plans[9], state="grace", current_due_at=early - 30 * M, next_due_at=early)
    _move(plans[10], state="grace", current_due_at=early - 30 * M, next_due_at=early)
    lou = plans[11]
    contact = services.circle_invite(actor=lou.person, plan=lou, member=_person(here, "Pat Circle"))
    services.circle_accept(member=contact.member, contact=contact)
    alert = Alert.objects.create(
        plan=lou, reason="missed", due_at=early - 30 * M, opened_at=early - 20 * M
    )
    _move(
        lou, state="asking", current_due_at=early - 30 * M, next_due_at=early, current_alert=alert
    )
    _move(plans[12], status="paused", paused_until=early, next_due_at=early, state="waiting")
    _move(plans[13], current_due_at=START - 2 * 60 * M, next_due_at=START - 150 * M)
    return plans


def _unlinked(value, names: dict[str, object]):
    """Random things named by what they are: a link's token by whom and what it is for, an
    alert's id (in keys and links) by its plan and occurrence. Ids differ from run to run."""
    if isinstance(value, str):

        def link(match):
            return f"/l/<{names[hashlib.sha256(match.group(1).encode()).hexdigest()]}>/"

        value = LINK.sub(link, value)
        value = ALERT_KEY.sub(lambda m: f"care:alert:<{names[m.group(1)]}>:", value)
        found = names.get(value)
        return found if isinstance(found, tuple) and found[0] == "alert" else value
    if isinstance(value, list | tuple):
        return type(value)(_unlinked(v, names) for v in value)
    if isinstance(value, dict):
        return {k: _unlinked(v, names) for k, v in value.items()}
    return value


def _rows() -> dict[str, list]:
    alerts = {a.pk: (a.plan_id, a.reason, a.due_at) for a in Alert.objects.all()}
    names: dict[str, object] = {}
    for a in Alert.objects.all():
        names[a.public_id] = names[str(a.pk)] = ("alert", *alerts[a.pk])
    for link in SignedLink.objects.all():
        names[link.token_hash] = (
            link.user_id,
            link.action,
            names.get(link.target_id, link.target_id),
        )
    notes = {n.pk: (n.recipient_id, n.kind, n.dedupe_key) for n in Notification.objects.all()}
    skip = {"id", "public_id", "token_hash"}
    refs = {"alert_id": alerts, "current_alert_id": alerts, "notification_id": notes}

    def table(model):
        fields = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows = []
        for row in model.objects.values(*fields):
            for key, known in refs.items():
                if key in row and row[key] is not None:
                    row[key] = known[row[key]]
            rows.append(_unlinked(row, names))
        return sorted(rows, key=repr)

    models = (CarePlan, Alert, AlertEvent, Notification, OutboxMessage, SignedLink, CircleContact)
    return {model.__name__: table(model) for model in models}


def _one_by_one(monkeypatch):
    monkeypatch.setattr(sweep.Batch, "advance", lambda self, plan: False)


def test_the_batch_writes_what_advancing_each_plan_alone_writes(cast, clock, settings, monkeypatch):
    # given plans at every step, in two languages, drills and live, an SMS STOP, an inactive
    # person, a message already written, and rare steps (phone list, escalation, catch-up)
    _mixed(cast, settings)
    clock.move_to(T, tick=False)
    taken = []
    advance = sweep.Batch.advance
    monkeypatch.setattr(
        sweep.Batch, "advance", lambda self, p: taken.append(advance(self, p)) or taken[-1]
    )
    with transaction.atomic():
        start = transaction.savepoint()
        # when the sweep runs batched
        batched = services.care_sweep(now=T)
        by_batch = _rows()
        transaction.savepoint_rollback(start)
        # and, from the same state, advancing every plan on its own as before
        with monkeypatch.context() as patch:
            _one_by_one(patch)
            alone = services.care_sweep(now=T)
        by_plan = _rows()
    # then the common steps were batched, the rare ones taken alone (Ned, caught up, is asked
    # again and waits his time-out: a common step, see tests/care/test_catch_up.py)
    assert taken.count(True) == 13 and taken.count(False) == 2
    # and every row is the same
    assert (batched.plans, batched.steps, batched.failed) == (alone.plans, alone.steps, 0)
    for table in by_plan:
        assert by_batch[table] == by_plan[table], table
    kinds = {n["kind"] for n in by_batch["Notification"]}
    assert {"care_reminder_email", "care_ask_email_sms", "care_alert", "care_call"} <= kinds
    assert any(e["kind"] == "reminder_skipped" for e in by_batch["AlertEvent"])


def test_every_link_and_name_in_a_message_is_its_recipients(cast, clock, settings):
    plans = _mixed(cast, settings)
    clock.move_to(T, tick=False)
    services.care_sweep(now=T)
    owners = {link.token_hash: link.user_id for link in SignedLink.objects.all()}
    names = {p.person_id: p.person.profile.first_name for p in plans}
    others = set(names.values())
    for message in OutboxMessage.objects.filter(kind__startswith="care_"):
        text = message.subject + message.body_text + message.body_html + message.sms_text
        for token in LINK.findall(text):
            assert owners[hashlib.sha256(token.encode()).hexdigest()] == message.recipient_id
        if message.recipient_id in names:
            mine = names[message.recipient_id]
            assert not [n for n in others - {mine} if re.search(rf"\b{re.escape(n)}\b", text)]


def _reminders_due(cast, first: int, n: int) -> None:
    for i in range(first, first + n):
        _plan(cast.community, _person(cast.community, f"Pat{i} Person"))


def _sweep_queries(now: dt.datetime) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        report = services.care_sweep(now=now)
    return report.plans, len(queries.captured_queries)


@pytest.mark.parametrize("drill", [False, True])
def test_a_batch_costs_the_same_queries_whatever_its_size(cast, clock, drill):
    # given 3, and the next day 12 other plans with a reminder due (all in one batch)
    CareSettings.objects.create(community=cast.community, is_drill=drill)
    services.care_sweep(now=START)  # nothing due yet; the worker's heartbeat row now exists
    _reminders_due(cast, 0, 3)
    small = _sweep_queries(T)
    CarePlan.objects.update(status="ended", next_due_at=None)
    _reminders_due(cast, 3, 12)
    large = _sweep_queries(T)
    # then both cost the same number of queries
    assert (small[0], large[0]) == (3, 12)
    assert small[1] == large[1]


def test_a_batch_that_cannot_be_written_is_advanced_plan_by_plan(
    cast, clock, settings, monkeypatch
):
    _mixed(cast, settings)
    clock.move_to(T, tick=False)
    calls = []
    original = sweep.notification_send_many

    def broken(messages, **_options):
        calls.append(len(messages))
        raise RuntimeError("the disk is full")

    with transaction.atomic():
        start = transaction.savepoint()
        with monkeypatch.context() as patch:
            patch.setattr(sweep, "notification_send_many", broken)
            report = services.care_sweep(now=T)
        rescued = _rows()
        transaction.savepoint_rollback(start)
        with monkeypatch.context() as patch:
            _one_by_one(patch)
            alone = services.care_sweep(now=T)
        by_plan = _rows()
    assert calls and sweep.notification_send_many is original
    assert (report.plans, report.failed) == (alone.plans, 0)
    assert rescued == by_plan


def test_columns_the_sweep_does_not_read_keep_their_values(cast, clock):
    # given a plan with consent, a creator and a last check-in, whose reminder is due
    from tests.care.helpers import make_plan

    clock.move_to(START, tick=False)
    plan = make_plan(cast)
    checked_in = START - dt.timedelta(days=1)
    CarePlan.objects.filter(pk=plan.pk).update(
        consent_note="agreed at the door", last_checkin_at=checked_in, flag_reason=""
    )
    before = CarePlan.objects.values("created_at", "created_by", "consent_recorded_at").get(
        pk=plan.pk
    )
    # when the sweep sends the reminder (the batch reads only what its steps use)
    report = services.care_sweep(now=START + dt.timedelta(minutes=30))
    # then the step is taken and nothing it did not read was overwritten
    assert report.plans == 1 and report.failed == 0
    after = CarePlan.objects.get(pk=plan.pk)
    assert after.state != plan.state or after.step != plan.step
    assert (after.consent_note, after.last_checkin_at) == ("agreed at the door", checked_in)
    assert {k: getattr(after, k if k != "created_by" else "created_by_id") for k in before} == {
        k: before[k] for k in before
    }


def test_a_bulk_update_of_a_field_not_loaded_is_refused(cast, clock):
    from mutua.core.bulk import update_rows
    from tests.care.helpers import make_plan

    clock.move_to(START, tick=False)
    plan = make_plan(cast)
    loaded = CarePlan.objects.defer("consent_note").get(pk=plan.pk)
    with pytest.raises(ValueError, match="consent_note"):
        update_rows(CarePlan, [loaded], ["consent_note", "state"])
    assert CarePlan.objects.get(pk=plan.pk).consent_note == plan.consent_note
