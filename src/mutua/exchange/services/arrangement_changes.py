"""Changing a standing arrangement: the helper's answer, pause, resume, end, hand over.

A pause or an end cancels the dates already made for the time after it (a helper is never
expected on a date nobody wants any more); resuming brings the paused dates back.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.permissions import require
from mutua.exchange.models import (
    LIVE_NEED_STATUSES,
    ArrangementStatus,
    Commitment,
    Need,
    Response,
    StandingArrangement,
)
from mutua.exchange.services.arrangement_notices import tell, tell_helper_proposed
from mutua.exchange.services.arrangements import (
    PAUSED_REASON,
    arrangement_materialise,
    commit_to_coming,
    refusal_for_arrangement,
)
from mutua.exchange.services.common import COORDINATE, invalid, is_coordinator, refresh_need_status
from mutua.people.models import User

ENDED_REASON = "arrangement ended"


def _locked(arrangement: StandingArrangement) -> StandingArrangement:
    """Lock the row and bring the caller's object up to date (callers keep using it)."""
    list(StandingArrangement.objects.select_for_update().filter(pk=arrangement.pk).values("pk"))
    arrangement.refresh_from_db()
    return arrangement


def _require_manage(actor: User, arrangement: StandingArrangement) -> None:
    if actor.pk == getattr(arrangement.person, "pk", None):
        return
    if not is_coordinator(actor, arrangement.community):
        raise PermissionDenied(_("Only the person helped or a coordinator can change this."))


def cancel_coming(arrangement: StandingArrangement, now: dt.datetime, reason: str) -> int:
    """Cancel the dates after `now` that nobody has marked done; their helper is released."""
    held = Commitment.objects.filter(need=OuterRef("pk"), status__in=("done_pending", "confirmed"))
    ids = list(
        Need.objects.select_for_update()
        .filter(arrangement=arrangement, starts_at__gt=now, status__in=LIVE_NEED_STATUSES)
        .exclude(Exists(held))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    Commitment.objects.filter(need_id__in=ids, status="active").update(
        status="cancelled", ended_at=now, end_reason=reason, updated_at=now
    )
    Response.objects.filter(need_id__in=ids, status="pending").update(
        status="declined", answered_at=now, updated_at=now
    )
    return Need.objects.filter(pk__in=ids).update(
        status="cancelled", status_changed_at=now, updated_at=now
    )


@transaction.atomic
def arrangement_answer(
    *, actor: User, arrangement: StandingArrangement, accept: bool
) -> StandingArrangement:
    """The named helper says yes (the dates are made) or no (nothing is expected of them)."""
    arrangement = _locked(arrangement)
    if actor.pk != arrangement.helper_id:
        raise PermissionDenied(_("Only the helper asked can answer this."))
    if arrangement.status != ArrangementStatus.PENDING:
        raise Conflict(_("This has already been answered."))
    now = timezone.now()
    if accept:
        reason = refusal_for_arrangement(arrangement, actor)
        if reason:
            raise PermissionDenied(reason)
    arrangement.status = ArrangementStatus.ACTIVE if accept else ArrangementStatus.DECLINED
    arrangement.helper_answered_at = now
    arrangement.save(update_fields=["status", "helper_answered_at", "updated_at"])
    if accept:
        commit_to_coming(arrangement, actor, now, assigned_by=arrangement.proposed_by)
        arrangement_materialise(arrangement, now)
    tell(
        arrangement,
        actor,
        "accepted" if accept else "declined",
        helper_too=False,
        also=(arrangement.proposed_by,),
    )
    return arrangement


TRANSITIONS = {
    # from: the statuses it may move to
    ArrangementStatus.PENDING: (ArrangementStatus.ENDED,),  # withdraw the proposal
    ArrangementStatus.ACTIVE: (ArrangementStatus.PAUSED, ArrangementStatus.ENDED),
    ArrangementStatus.PAUSED: (ArrangementStatus.ACTIVE, ArrangementStatus.ENDED),
}
CHANGE_WORD = {"paused": "paused", "active": "resumed", "ended": "ended"}


@transaction.atomic
def arrangement_set_status(
    *, actor: User, arrangement: StandingArrangement, status: str
) -> StandingArrangement:
    """Pause, resume or end; pausing or ending cancels the dates already made after now."""
    _require_manage(actor, arrangement)
    if status not in (ArrangementStatus.ACTIVE, ArrangementStatus.PAUSED, ArrangementStatus.ENDED):
        raise invalid("status", _("Please choose pause, resume or end."))
    arrangement = _locked(arrangement)
    if arrangement.status in (ArrangementStatus.ENDED, ArrangementStatus.DECLINED):
        raise Conflict(_("This arrangement has ended."))
    if status == arrangement.status:
        return arrangement
    if status not in TRANSITIONS[arrangement.status]:
        raise Conflict(_("The helper has not answered yet. You can withdraw the request."))
    now = timezone.now()
    if status == ArrangementStatus.PAUSED:
        cancel_coming(arrangement, now, PAUSED_REASON)
    elif status == ArrangementStatus.ENDED:
        cancel_coming(arrangement, now, ENDED_REASON)
    arrangement.status = status
    if status == ArrangementStatus.ACTIVE:
        arrangement.materialised_until = now  # dates cancelled by the pause come back
    arrangement.save()
    if status == ArrangementStatus.ACTIVE:
        arrangement_materialise(arrangement, now)
    tell(arrangement, actor, CHANGE_WORD[status], helper_too=True)
    return arrangement


@transaction.atomic
def arrangement_hand_over(
    *,
    actor: User,
    arrangement: StandingArrangement,
    helper: User,
    helper_agreed: bool = False,
) -> StandingArrangement:
    """A coordinator (or the person) gives the arrangement to a new helper who meets what its
    dates ask; both helpers and the person are told.

    Nobody is committed to recurring help without saying yes: the new helper is asked and the
    coming dates wait, open, for their answer, unless a coordinator records that they already
    agreed (audit-logged) or the new helper is the one taking it over.
    """
    _require_manage(actor, arrangement)
    arrangement = _locked(arrangement)
    if arrangement.status in (ArrangementStatus.ENDED, ArrangementStatus.DECLINED):
        raise Conflict(_("This arrangement has ended."))
    if helper.pk == arrangement.helper_id:
        raise Conflict(_("This helper already has this arrangement."))
    reason = refusal_for_arrangement(arrangement, helper)
    if reason:
        raise PermissionDenied(reason)
    if helper_agreed and helper.pk != actor.pk:
        require(actor, COORDINATE, arrangement.community)
    agreed = helper_agreed or helper.pk == actor.pk
    if arrangement.status == ArrangementStatus.PAUSED and not agreed:
        raise Conflict(
            _("Resume the arrangement first, or record that the new helper already agreed.")
        )
    now = timezone.now()
    future = Commitment.objects.filter(
        need__arrangement=arrangement, status="active", need__starts_at__gt=now
    ).order_by("need_id")
    for commitment in future:
        need = (
            Need.objects.select_for_update().select_related("community").get(pk=commitment.need_id)
        )
        commitment.status, commitment.ended_at, commitment.end_reason = (
            "released",
            now,
            "handed over",
        )
        commitment.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
        refresh_need_status(need)
    previous = arrangement.helper
    was_pending = arrangement.status == ArrangementStatus.PENDING
    arrangement.helper = helper
    arrangement.proposed_by = actor
    if agreed:
        arrangement.helper_answered_at = now
        if was_pending:
            arrangement.status = ArrangementStatus.ACTIVE
    else:
        arrangement.status, arrangement.helper_answered_at = ArrangementStatus.PENDING, None
    arrangement.save()
    audit_record(
        actor=actor,
        action="arrangement.hand_over",
        community=arrangement.community,
        target=arrangement,
        before={"helper": previous.public_id},
        after={"helper": helper.public_id},
    )
    if helper_agreed and helper.pk != actor.pk:
        audit_record(
            actor=actor,
            action="arrangement.helper_agreed",
            community=arrangement.community,
            target=arrangement,
            subject=helper,
            after={"helper": helper.public_id},
        )
    if not agreed:
        tell_helper_proposed(arrangement, actor)  # the new helper is asked, as the first was
        tell(arrangement, actor, "handed_over_asked", helper_too=False, also=(previous,))
        return arrangement
    if arrangement.status == ArrangementStatus.ACTIVE:
        commit_to_coming(arrangement, helper, now, assigned_by=actor)
        arrangement_materialise(arrangement, now)
    tell(arrangement, actor, "handed_over", helper_too=True, also=(previous,))
    return arrangement
