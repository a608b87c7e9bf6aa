"""The care sweep: claims plans whose `next_due_at` has come, advances each, records a heartbeat.

Idempotent (steps are driven by the stored state and every message has a dedupe key), catches
up after downtime, and safe with two workers: PostgreSQL rows are claimed with SKIP LOCKED;
SQLite serialises writers (IMMEDIATE transactions). Messages go to the outbox in the same
transaction as the state change.

Its cost follows the due work: each plan's steps are computed by the same ladder code
(`plan_advance`), but the writes of the common steps (reminders, deadline, grace and asking
again) are collected and written once per batch: signed links, alerts, notifications with
their outbox rows (`notification_send_many`), the step log and the plans (one UPDATE). A plan
that reaches a rare step (escalating, a held alert, the phone call list) is put back as it was
and advanced on its own, as before, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import gc
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from mutua.care import notifications as kinds
from mutua.care.health import HEARTBEAT
from mutua.care.models import Alert, AlertEvent, CarePlan, CareSettings, CircleContact
from mutua.care.services.alerts import alert_new
from mutua.care.services.circle import contact_mark_ineligible, plan_flag_refresh
from mutua.care.services.common import (
    alert_event_fields,
    context,
    coordinators,
    drilling_now,
    ineligible_members,
)
from mutua.care.services.ladder import Effects, plan_advance
from mutua.communities.models import Community
from mutua.core.bulk import insert_rows, one_locale, update_rows
from mutua.core.health import heartbeat_age_ok, heartbeat_record
from mutua.core.signed_links import signed_link_build, signed_links_save
from mutua.notify.services import Outgoing, notification_send_many
from mutua.people.models import User

logger = logging.getLogger(__name__)

BATCH = 500
FLAG_EVERY = dt.timedelta(days=1)
CIRCLE_CHECK = "care-circle-check"  # when contacts' eligibility was last read
CIRCLE_CHECK_EVERY = dt.timedelta(hours=1)


@dataclass
class SweepReport:
    plans: int = 0
    steps: int = 0
    failed: int = 0
    flags: int = 0
    ineligible: int = 0


def _circle_check(now: dt.datetime, batch: int) -> int:
    """Hourly: member contacts who left or were removed from the community, or whose account
    was closed, are marked and their plans flagged, so coordinators are told (and keep being
    told) before anyone relies on them in an emergency. One indexed query when all is well."""
    fresh, _last = heartbeat_age_ok(CIRCLE_CHECK, now, int(CIRCLE_CHECK_EVERY.total_seconds()) - 30)
    if fresh:
        return 0
    found = 0
    while True:
        with transaction.atomic():
            contacts = list(
                CircleContact.objects.filter(
                    status__in=("accepted", "invited"), plan__status__in=("active", "paused")
                )
                .filter(ineligible_members())
                .select_related("plan__community")
                .order_by("plan_id", "id")[:batch]
            )
            for contact in contacts:
                plan = (
                    CarePlan.objects.select_for_update(of=("self",))
                    .select_related("community")
                    .get(pk=contact.plan_id)
                )
                contact_mark_ineligible(contact, plan=plan, now=now)
        found += len(contacts)
        if len(contacts) < batch:
            break
    heartbeat_record(name=CIRCLE_CHECK, now=now)
    return found


# What the common steps never read of the person: left unloaded, a claimed batch is built a
# fifth faster. Reading one of them anyway costs a query for that plan, never a wrong value.
_PERSON_UNREAD = [
    *(
        f"person__{name}"
        for name in ("password", "last_login", "date_joined", "is_superuser", "is_staff")
    ),
    *(
        f"person__profile__{name}"
        for name in (
            "created_at",
            "updated_at",
            "bio",
            "languages",
            "free_tags",
            "capacity_status",
            "break_until",
            "has_car",
            "has_accessible_vehicle",
            "gender",
            "has_pets",
        )
    ),
]


# Nor of the plan: its consent and history (a rare step that reads one costs a query).
_PLAN_UNREAD = [
    "created_at",
    "created_by",
    "consent_recorded_at",
    "consent_note",
    "last_checkin_at",
    "flag_reason",
]


def _claim(now: dt.datetime, batch: int, skip: set[int]) -> list[CarePlan]:
    qs = CarePlan.objects.filter(next_due_at__lte=now).exclude(pk__in=skip).order_by("next_due_at")
    if connection.features.has_select_for_update_skip_locked:
        qs = qs.select_for_update(skip_locked=True, of=("self",))
    plans = list(qs.select_related("person__profile").defer(*_PLAN_UNREAD, *_PERSON_UNREAD)[:batch])
    if not plans:
        return plans
    # One query per batch for the communities and their drill switch, instead of one per plan
    # (an open alert, needed by the rare steps only, is read when one is reached).
    ids = {p.community_id for p in plans}
    communities = Community.objects.in_bulk(ids)
    drilling = set(
        CareSettings.objects.filter(drilling_now(now), community_id__in=ids).values_list(
            "community_id", flat=True
        )
    )
    for plan in plans:
        CarePlan.community.field.set_cached_value(plan, communities[plan.community_id])
        plan.__dict__["_care_drill"] = plan.is_drill or plan.community_id in drilling
    return plans


def _flag_reminders(now: dt.datetime, batch: int) -> int:
    done = 0
    with transaction.atomic():
        # Ordered by the indexed reminder time: by the model's default order (created_at),
        # SQLite would walk every plan to find the few flagged ones.
        qs = CarePlan.objects.filter(is_flagged=True, flag_remind_at__lte=now).order_by(
            "flag_remind_at", "id"
        )
        if connection.features.has_select_for_update_skip_locked:
            qs = qs.select_for_update(skip_locked=True, of=("self",))
        for plan in qs.select_related("community", "person__profile")[:batch]:
            plan_flag_refresh(plan, now=now)  # mended meanwhile, or trust came back
            if not plan.is_flagged:
                continue
            for user in coordinators(plan.community):
                kinds.notify(
                    user,
                    kinds.FLAGGED,
                    context(plan, reason=plan.flag_reason_words),  # in each one's language
                    community=plan.community,
                    dedupe_key=f"care:{plan.pk}:flag:{plan.flag_remind_at:%Y%m%d%H%M}",
                )
            plan.flag_remind_at = now + FLAG_EVERY
            plan.save(update_fields=["flag_remind_at", "updated_at"])
            done += 1
    return done


class _RareStep(Exception):
    """The plan reached a rare step: it is advanced on its own."""


@dataclass
class _Writes:
    alerts: list[Alert] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    messages: list[Outgoing] = field(default_factory=list)
    events: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: _Writes) -> None:
        self.alerts += other.alerts
        self.links += other.links
        self.messages += other.messages
        self.events += other.events


Snapshot = tuple[dict[str, Any], dict[str, Any]]
_COLUMNS = [f.attname for f in CarePlan._meta.concrete_fields if not f.primary_key]


def _snapshot(plan: CarePlan) -> Snapshot:
    return plan.__dict__.copy(), dict(plan._state.fields_cache)


def _restore(plan: CarePlan, saved: Snapshot) -> None:
    values, cache = saved
    plan.__dict__.clear()
    plan.__dict__.update(values)
    plan._state.fields_cache = dict(cache)


def _plans_update(plans: list[CarePlan], saved: dict[int, Snapshot]) -> None:
    """`plan.save()` of every plan as one UPDATE run for all rows. Only the columns some plan
    changed are set (and `updated_at`): the rows are locked, so the others hold."""
    changed = set()
    for plan in plans:
        before, cache = saved[plan.pk]
        if plan._state.fields_cache.get("current_alert") is not cache.get("current_alert"):
            changed.add("current_alert")  # a new alert: its id is read when written
        now = plan.__dict__
        changed.update(
            k
            for k in _COLUMNS
            if k not in changed and now.get(k) is not before.get(k) and now.get(k) != before.get(k)
        )
    update_rows(CarePlan, plans, changed)


class Batch(Effects):
    """Collects the common steps' writes of many plans and writes them together."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.plans: list[CarePlan] = []
        self.steps = 0
        self._writes = _Writes()
        self._plan = _Writes()
        self._saved: dict[int, Snapshot] = {}

    def link(
        self, *, user: User, action: str, target_id: str, ttl: dt.timedelta, now: dt.datetime
    ) -> str:
        path, row = signed_link_build(
            user=user, action=action, target_id=target_id, ttl=ttl, now=now
        )
        self._plan.links.append(row)
        return path

    def notify(
        self,
        recipient: User,
        kind: str,
        context: dict[str, Any],
        *,
        community: Community,
        dedupe_key: str,
        actions: list[dict],
    ) -> None:
        if recipient is not None:  # as kinds.notify
            self._plan.messages.append(
                Outgoing(recipient, kind, context, community, dedupe_key[:200], actions)
            )

    def log(self, plan: CarePlan, kind: str, **fields: Any) -> None:
        self._plan.events.append(alert_event_fields(plan, kind, **fields))

    def alert_open(
        self, plan: CarePlan, *, reason: str, at: dt.datetime, now: dt.datetime
    ) -> Alert:
        alert = alert_new(plan, reason=reason, now=now)
        self._plan.alerts.append(alert)
        plan.current_alert = alert
        return alert

    def rare_step(self) -> None:
        raise _RareStep

    def save(self, plan: CarePlan) -> None:
        """Written with the batch (`write`)."""

    def advance(self, plan: CarePlan) -> bool:
        """Take the plan's due steps into the batch; False, with the plan as it was claimed,
        when it must be advanced on its own."""
        saved = _snapshot(plan)
        self._plan = _Writes()
        try:
            steps = plan_advance(plan, now=self.now, effects=self)
        except Exception:  # a rare step, or a failure it will meet again alone, and be logged
            _restore(plan, saved)
            return False
        self._saved[plan.pk] = saved
        self._writes.extend(self._plan)
        self.plans.append(plan)
        self.steps += steps
        return True

    def write(self) -> None:
        """Alerts first (the log and the plans point at them), then links, messages, the log
        and the plans."""
        writes = self._writes
        if writes.alerts:
            Alert.objects.bulk_create(writes.alerts)
        signed_links_save(writes.links)
        notification_send_many(writes.messages, fresh=True)  # keys name steps taken just now
        insert_rows(AlertEvent, writes.events)
        _plans_update(self.plans, self._saved)

    def undo(self) -> None:
        """Put every plan back as it was claimed (after a failed `write`)."""
        for plan in self.plans:
            _restore(plan, self._saved[plan.pk])


def _advance_alone(plan: CarePlan, now: dt.datetime, report: SweepReport, failed: set[int]) -> None:
    """One plan in its own savepoint: if it fails, nothing else is spoiled."""
    try:
        with transaction.atomic():
            report.steps += plan_advance(plan, now=now)
        report.plans += 1
    except Exception:
        logger.exception("care sweep could not advance plan %s", plan.pk)
        failed.add(plan.pk)
        report.failed += 1
        # Remembered, so the board shows it in red and /health fails while it stays stuck.
        CarePlan.objects.filter(pk=plan.pk, failing_since__isnull=True).update(failing_since=now)


def _advance_batch(
    plans: list[CarePlan], now: dt.datetime, report: SweepReport, failed: set[int]
) -> None:
    batch = Batch(now)
    with one_locale():  # the steps only build rows: one language, one URL configuration
        alone = [plan for plan in plans if not batch.advance(plan)]
    try:
        with transaction.atomic():
            batch.write()
        report.plans += len(batch.plans)
        report.steps += batch.steps
    except Exception:
        logger.exception("care sweep could not write a batch; advancing its plans one by one")
        batch.undo()
        alone = plans
    for plan in alone:
        _advance_alone(plan, now, report, failed)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """A batch makes many short-lived objects that reference counting frees; the cycle
    collector would scan them again and again (a fifth of the time). It runs between batches."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _sweep_batch(now: dt.datetime, batch: int, report: SweepReport, failed: set[int]) -> int:
    """Claim and advance one batch in one transaction; returns how many plans it claimed.
    Its objects are let go on return, before the cycle collector runs again, so it finds
    them freed and does not walk them."""
    with transaction.atomic():
        plans = _claim(now, batch, failed)
        _advance_batch(plans, now, report, failed)
    return len(plans)


def care_sweep(*, now: dt.datetime | None = None, batch: int = BATCH) -> SweepReport:
    """Advance every due plan, in batches of `batch` per transaction."""
    now = now or timezone.now()
    report = SweepReport()
    failed: set[int] = set()
    while True:
        with _collector_paused():
            claimed = _sweep_batch(now, batch, report, failed)
        if claimed < batch:
            break
    report.ineligible = _circle_check(now, batch)
    report.flags = _flag_reminders(now, batch)
    heartbeat_record(name=HEARTBEAT, now=now)
    return report
