"""After the help: release, mark done, confirm, thanks, feedback, expenses."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.errors import Conflict, PermissionDenied
from mutua.exchange import notifications as n
from mutua.exchange.models import Commitment, Expense, Feedback, Need
from mutua.exchange.services.common import (
    acts_for_another,
    audit_for_another,
    coordinators_of,
    invalid,
    is_coordinator,
    need_context,
    person_side,
    refresh_need_status,
    settings_for,
)
from mutua.ledger.services.exchanges import ledger_record_exchange
from mutua.people.models import User


def _lock(commitment: Commitment) -> tuple[Commitment, Need]:
    """Lock the need first (same order everywhere), then the commitment."""
    need = Need.objects.select_for_update().select_related("community").get(pk=commitment.need_id)
    locked = Commitment.objects.select_for_update().select_related("helper").get(pk=commitment.pk)
    locked.need = need
    return locked, need


def _side(actor: User, commitment: Commitment, need: Need) -> str:
    """'helper', 'person' or 'coordinator'; anyone else is refused."""
    if actor.pk == commitment.helper_id:
        return "helper"
    if actor.pk in (need.author_id, need.contact_id):
        return "person"
    if is_coordinator(actor, need.community):
        return "coordinator"
    raise PermissionDenied(_("Only the helper, the person helped or a coordinator can do this."))


def _clean_hours(hours) -> Decimal | None:
    if hours is None or hours == "":
        return None
    try:
        value = Decimal(str(hours)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise invalid("hours", _("Please give the hours as a number, such as 1.5.")) from None
    if not Decimal("0") < value <= Decimal("24"):
        raise invalid("hours", _("Please give between 0 and 24 hours."))
    return value


def _tell_coordinators(need: Need, kind: str, context: dict, key: str) -> None:
    for coordinator in coordinators_of(need.community):
        n.notify(coordinator, kind, context, community=need.community, dedupe_key=key)


@transaction.atomic
def commitment_release(*, actor: User, commitment: Commitment, reason: str = "") -> Commitment:
    """The helper (or a coordinator) gives the place back before the help is done."""
    commitment, need = _lock(commitment)
    side = _side(actor, commitment, need)
    if side == "person":
        raise PermissionDenied(_("Only the helper or a coordinator can release this task."))
    if commitment.status != "active":
        raise Conflict(_("This task can no longer be released."))
    _end(commitment, "released", reason)
    refresh_need_status(need)
    context = {**need_context(need), "helper_name": str(commitment.helper), "automatic": False}
    key = f"released:{commitment.public_id}"
    n.notify(
        person_side(need), n.COMMITMENT_RELEASED, context, community=need.community, dedupe_key=key
    )
    if side == "coordinator":
        # The helper hears it from us, not by finding the task gone.
        n.notify(
            commitment.helper,
            n.COMMITMENT_RELEASED,
            {**context, "to_helper": True},
            community=need.community,
            dedupe_key=key,
        )
        audit_for_another(
            actor=actor,
            action="commitment.release",
            need=need,
            subject=commitment.helper,
            before={"commitment": commitment.public_id, "status": "active"},
            after={"commitment": commitment.public_id, "status": "released"},
        )
    return commitment


def _end(commitment: Commitment, status: str, reason: str = "") -> None:
    commitment.status, commitment.ended_at = status, timezone.now()
    commitment.end_reason = (reason or "")[:300]
    commitment.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])


def release_stale(commitment: Commitment, now: dt.datetime) -> bool:
    """Release one active commitment past its due time and grace (the sweep calls this)."""
    commitment, need = _lock(commitment)
    if commitment.status != "active" or commitment.release_at > now:
        return False
    _end(commitment, "released", "not updated by its due time")
    refresh_need_status(need)
    context = {**need_context(need), "helper_name": str(commitment.helper), "automatic": True}
    key = f"released:{commitment.public_id}"
    n.notify(
        commitment.helper, n.COMMITMENT_RELEASED, context, community=need.community, dedupe_key=key
    )
    _tell_coordinators(need, n.COMMITMENT_RELEASED, context, key)
    return True


@transaction.atomic
def commitment_mark_done(*, actor: User, commitment: Commitment, hours=None) -> Commitment:
    """Either side marks the help done; the other confirms, or it confirms itself after N days."""
    commitment, need = _lock(commitment)
    side = _side(actor, commitment, need)
    if commitment.status != "active":
        raise Conflict(_("This task is not waiting to be marked done."))
    value = _clean_hours(hours)
    now = timezone.now()
    exchange = settings_for(need.community)
    commitment.status = "done_pending"
    commitment.hours = value if value is not None else commitment.hours
    commitment.done_marked_by, commitment.done_marked_at = actor, now
    commitment.auto_confirm_at = now + dt.timedelta(days=exchange.auto_confirm_days)
    commitment.dispute_until = now + dt.timedelta(days=exchange.dispute_window_days)
    commitment.save()
    refresh_need_status(need)
    if acts_for_another(actor, need, commitment.helper_id):
        audit_for_another(
            actor=actor,
            action="commitment.mark_done",
            need=need,
            subject=commitment.helper,
            before={"commitment": commitment.public_id, "status": "active"},
            after={
                "commitment": commitment.public_id,
                "status": "done_pending",
                **_hours(commitment),
            },
        )
    other = person_side(need) if side == "helper" else commitment.helper
    n.notify(
        other,
        n.DONE_MARKED,
        {**need_context(need), "marked_by": str(actor)},
        community=need.community,
        dedupe_key=f"done:{commitment.public_id}",
    )
    return commitment


def _hours(commitment: Commitment) -> dict[str, str]:
    return {"hours": str(commitment.hours) if commitment.hours is not None else ""}


def _confirm(commitment: Commitment, need: Need, *, auto: bool) -> None:
    commitment.status = "confirmed"
    commitment.confirmed_at = commitment.ended_at = timezone.now()
    commitment.auto_confirmed = auto
    commitment.save()
    ledger_record_exchange(commitment=commitment)  # nothing where the ledger is off
    refresh_need_status(need)
    n.notify(
        commitment.helper,
        n.CONFIRMED,
        {**need_context(need), "hours": str(commitment.hours or ""), "automatic": auto},
        community=need.community,
        dedupe_key=f"confirmed:{commitment.public_id}",
    )


@transaction.atomic
def commitment_confirm(*, actor: User, commitment: Commitment, hours=None) -> Commitment:
    """The other side (or a coordinator) confirms the help that was marked done."""
    commitment, need = _lock(commitment)
    _side(actor, commitment, need)
    if commitment.status != "done_pending":
        raise Conflict(_("This task is not waiting for confirmation."))
    if actor.pk == commitment.done_marked_by_id:
        raise PermissionDenied(_("The other side confirms what you marked done."))
    value = _clean_hours(hours)
    before = _hours(commitment)
    if value is not None:
        commitment.hours = value
    _confirm(commitment, need, auto=False)
    if acts_for_another(actor, need, commitment.helper_id):
        # The hours become time credits: who changed them, from what, is on the record.
        audit_for_another(
            actor=actor,
            action="commitment.confirm",
            need=need,
            subject=commitment.helper,
            before={"commitment": commitment.public_id, **before},
            after={"commitment": commitment.public_id, **_hours(commitment)},
        )
    return commitment


def auto_confirm(commitment: Commitment, now: dt.datetime) -> bool:
    """Confirm one commitment nobody confirmed in time (the sweep calls this)."""
    commitment, need = _lock(commitment)
    if commitment.status != "done_pending" or commitment.auto_confirm_at > now:
        return False
    from mutua.trust.services import trust_gate_refusal  # trust gates automatic confirmation

    if trust_gate_refusal(commitment.helper, need.community, "auto_confirm"):
        commitment.auto_confirm_at = None  # left for the people involved to confirm
        commitment.save(update_fields=["auto_confirm_at", "updated_at"])
        _tell_confirmation_waits(commitment, need)
        return False
    _confirm(commitment, need, auto=True)
    return True


def _tell_confirmation_waits(commitment: Commitment, need: Need) -> None:
    """The help will not confirm itself: whoever confirms it, and the coordinators, hear so.

    The person helped confirms, unless they marked it done themselves: then the helper does.
    """
    person = person_side(need)
    marked_by_person = person is not None and commitment.done_marked_by_id == person.pk
    confirmer = commitment.helper if marked_by_person else person
    context = {**need_context(need), "helper_name": str(commitment.helper)}
    key = f"confirm_waits:{commitment.public_id}"
    n.notify(confirmer, n.CONFIRMATION_WAITING, context, community=need.community, dedupe_key=key)
    for coordinator in coordinators_of(need.community):
        if confirmer is None or coordinator.pk != confirmer.pk:
            n.notify(
                coordinator,
                n.CONFIRMATION_WAITING,
                {**context, "to_coordinator": True},
                community=need.community,
                dedupe_key=key,
            )


@transaction.atomic
def feedback_give(*, actor: User, commitment: Commitment, kind: str, text: str) -> Feedback:
    """A private thank-you to the other side, or private feedback only coordinators read."""
    commitment, need = _lock(commitment)
    side = _side(actor, commitment, need)
    if kind not in ("thanks", "feedback"):
        raise invalid("kind", _("Please choose a thank-you note or feedback."))
    text = (text or "").strip()
    if not 1 <= len(text) <= 2000:
        raise invalid("text", _("Please write between 1 and 2000 characters."))
    if commitment.status == "cancelled":
        raise Conflict(_("This task was cancelled."))
    recipient = None
    if kind == "thanks":
        recipient = person_side(need) if side == "helper" else commitment.helper
        if need.author_id is None and side == "helper":
            recipient = need.contact  # the coordinator passes it on to the person
    feedback = Feedback.objects.create(
        commitment=commitment, author=actor, recipient=recipient, kind=kind, text=text
    )
    if recipient is not None:
        n.notify(
            recipient,
            n.THANKS,
            {**need_context(need), "from_name": str(actor), "text": text},
            community=need.community,
            dedupe_key=f"thanks:{feedback.public_id}",
        )
    return feedback


CURRENCY_RE = re.compile(r"^[A-Z]{3}$")


@transaction.atomic
def expense_record(
    *, actor: User, commitment: Commitment, amount, currency: str = "EUR", note: str = ""
) -> Expense:
    """The helper records money spent for the task, to be repaid outside Mutua."""
    commitment, need = _lock(commitment)
    if _side(actor, commitment, need) != "helper":
        raise PermissionDenied(_("Only the helper records what they spent."))
    if commitment.status in ("released", "cancelled"):
        raise Conflict(_("This task has ended."))
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise invalid("amount", _("Please give an amount such as 12.50.")) from None
    if not Decimal("0") < value <= Decimal("100000"):
        raise invalid("amount", _("Please give an amount above 0."))
    currency = (currency or "").strip().upper()
    if not CURRENCY_RE.match(currency):
        raise invalid("currency", _("Please give a currency code such as EUR."))
    if len(note or "") > 300:
        raise invalid("note", _("Please use at most 300 characters."))
    return Expense.objects.create(
        commitment=commitment,
        recorded_by=actor,
        amount=value,
        currency=currency,
        note=(note or "").strip(),
    )


@transaction.atomic
def expense_mark_repaid(*, actor: User, expense: Expense) -> Expense:
    """The person helped or a coordinator marks an expense as repaid."""
    commitment, need = _lock(expense.commitment)
    if _side(actor, commitment, need) == "helper":
        raise PermissionDenied(_("The person helped or a coordinator marks this as repaid."))
    expense = Expense.objects.select_for_update().get(pk=expense.pk)
    if expense.repaid_at:
        raise Conflict(_("This expense is already marked as repaid."))
    expense.repaid_at, expense.repaid_by = timezone.now(), actor
    expense.save(update_fields=["repaid_at", "repaid_by", "updated_at"])
    if acts_for_another(actor, need, commitment.helper_id):
        audit_for_another(
            actor=actor,
            action="expense.repaid",
            need=need,
            subject=commitment.helper,
            after={"commitment": commitment.public_id, "expense": expense.public_id},
        )
    return expense
