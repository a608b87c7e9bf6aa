"""When something went wrong: a no-show, a question about help marked done (a dispute), a
request for a coordinator to follow up, and the coordinator clearing it."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.permissions import require
from mutua.exchange import notifications as n
from mutua.exchange.models import ACTIVE_COMMITMENT, Commitment
from mutua.exchange.services.common import (
    COORDINATE,
    invalid,
    need_context,
    person_side,
    refresh_need_status,
)
from mutua.exchange.services.completion import _lock, _side, _tell_coordinators
from mutua.ledger.services.exchanges import ledger_reverse_exchange
from mutua.people.models import User


@transaction.atomic
def commitment_report_no_show(*, actor: User, commitment: Commitment, note: str = "") -> Commitment:
    """Report that the helper did not come: while active, or within the dispute window after."""
    commitment, need = _lock(commitment)
    side = _side(actor, commitment, need)
    if side == "helper":
        raise PermissionDenied(_("Only the person helped or a coordinator can report this."))
    if len(note or "") > 1000:
        raise invalid("note", _("Please use at most 1000 characters."))
    if commitment.no_show_reported_at:
        raise Conflict(_("This has already been reported. A coordinator will follow up."))
    now = timezone.now()
    if commitment.status == "confirmed":
        if commitment.dispute_until is None or now > commitment.dispute_until:
            raise Conflict(_("The time to report this has passed. Please talk to a coordinator."))
    elif commitment.status not in ACTIVE_COMMITMENT:
        raise Conflict(_("This task has ended."))
    commitment.no_show_reported_at, commitment.no_show_reported_by = now, actor
    commitment.no_show_note = (note or "").strip()
    commitment.follow_up = True
    if commitment.status in ACTIVE_COMMITMENT:
        commitment.status, commitment.ended_at = "cancelled", now
        commitment.end_reason = "no-show reported"
    commitment.save()
    ledger_reverse_exchange(commitment=commitment, actor=actor)  # within the window
    refresh_need_status(need)
    _tell_coordinators(
        need,
        n.FOLLOW_UP,
        {**need_context(need), "reason": "no_show"},
        f"noshow:{commitment.public_id}",
    )
    # The helper hears it too, kindly, rather than finding the task gone.
    n.notify(
        commitment.helper,
        n.DISPUTED,
        {**need_context(need), "reason": "no_show"},
        community=need.community,
        dedupe_key=f"noshow:{commitment.public_id}",
    )
    return commitment


@transaction.atomic
def commitment_flag_follow_up(*, actor: User, commitment: Commitment, note: str = "") -> Commitment:
    """Either side asks a coordinator to follow up; a coordinator clears it with `flag=False`."""
    commitment, need = _lock(commitment)
    _side(actor, commitment, need)
    if len(note or "") > 1000:
        raise invalid("note", _("Please use at most 1000 characters."))
    commitment.follow_up = True
    commitment.follow_up_note = (note or "").strip()
    commitment.save(update_fields=["follow_up", "follow_up_note", "updated_at"])
    _tell_coordinators(
        need,
        n.FOLLOW_UP,
        {**need_context(need), "reason": "asked"},
        f"followup:{commitment.public_id}:{commitment.updated_at.isoformat()}",
    )
    return commitment


@transaction.atomic
def commitment_follow_up_clear(
    *, actor: User, commitment: Commitment, note: str = ""
) -> Commitment:
    """A coordinator marks the follow-up as dealt with; the audit log says who and when."""
    require(actor, COORDINATE, commitment.need.community)
    if len(note or "") > 1000:
        raise invalid("note", _("Please use at most 1000 characters."))
    commitment, need = _lock(commitment)
    if not commitment.follow_up:
        raise Conflict(_("Someone has already dealt with this follow-up."))
    commitment.follow_up = False
    commitment.save(update_fields=["follow_up", "updated_at"])
    audit_record(
        actor=actor,
        action="commitment.follow_up_clear",
        community=need.community,
        target=need,
        subject=need.author,
        after={"commitment": commitment.public_id},
        reason=(note or "").strip(),
        # A follow-up is about how the help went (a no-show, a dispute) and its note is free
        # text: coordinators and the person concerned read it, not every member.
        is_safeguarding=True,
    )
    return commitment


@transaction.atomic
def commitment_dispute(*, actor: User, commitment: Commitment, reason: str) -> Commitment:
    """The person or the helper says help marked done was not right, within the dispute window
    (also after it confirmed itself): a coordinator follows up and its credits are reversed."""
    commitment, need = _lock(commitment)
    if _side(actor, commitment, need) == "coordinator":
        raise PermissionDenied(
            _("Only the helper or the person helped can question this. You can follow it up.")
        )
    reason = (reason or "").strip()
    if not 3 <= len(reason) <= 1000:
        raise invalid("reason", _("Please say in a few words what was not right."))
    if commitment.status not in ("done_pending", "confirmed"):
        raise Conflict(_("Only help that was marked done can be questioned."))
    if commitment.disputed_at or commitment.no_show_reported_at:
        raise Conflict(_("This has already been reported. A coordinator will follow up."))
    now = timezone.now()
    if commitment.dispute_until is None or now > commitment.dispute_until:
        raise Conflict(_("The time to question this has passed. Please talk to a coordinator."))
    commitment.disputed_at, commitment.disputed_by = now, actor
    commitment.dispute_reason = reason
    commitment.follow_up = True
    commitment.auto_confirm_at = None  # not waiting to confirm itself any more: a person decides
    commitment.save()
    ledger_reverse_exchange(commitment=commitment, actor=actor)  # nothing where none was made
    context = {**need_context(need), "reason": "dispute"}
    _tell_coordinators(need, n.FOLLOW_UP, context, f"dispute:{commitment.public_id}")
    other = commitment.helper if actor.pk != commitment.helper_id else person_side(need)
    if other is not None and other.pk != actor.pk:
        n.notify(
            other,
            n.DISPUTED,
            need_context(need),
            community=need.community,
            dedupe_key=f"dispute:{commitment.public_id}",
        )
    return commitment
