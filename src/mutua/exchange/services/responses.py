"""Responses and commitments: offering to help, accepting, assigning, taking a place."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.permissions import require
from mutua.exchange import notifications as n
from mutua.exchange.models import (
    OPEN_NEED_STATUSES,
    PLACE_HOLDING,
    Commitment,
    Need,
    Response,
)
from mutua.exchange.services.common import (
    COORDINATE,
    acts_for_another,
    audit_for_another,
    coordinators_of,
    invalid,
    need_context,
    person_side,
    places_taken,
    refresh_need_status,
    require_fits,
    require_person_or_coordinator,
    settings_for,
)
from mutua.exchange.services.listing import DEFAULT_OPEN_FOR
from mutua.people.models import User


def _locked(need: Need) -> Need:
    return Need.objects.select_for_update().select_related("community").get(pk=need.pk)


def _require_open(need: Need) -> None:
    if need.status not in OPEN_NEED_STATUSES:
        if need.status in ("committed", "in_progress"):
            raise Conflict(_("All the places for this need are taken. Thank you for offering."))
        raise Conflict(_("This need is closed."))


def _commit(
    *,
    need: Need,
    helper: User,
    assigned_by: User | None,
    response: Response | None = None,
    due_at: dt.datetime | None = None,
) -> Commitment:
    """Take one place on a need. The caller holds the need's row lock: one winner per place."""
    _require_open(need)
    if need.commitments.filter(helper=helper, status__in=PLACE_HOLDING).exists():
        raise Conflict(_("This helper is already helping with this need."))
    if places_taken(need) >= need.helpers_wanted:
        raise Conflict(_("All the places for this need are taken. Thank you for offering."))
    now = timezone.now()
    due = due_at or need.ends_at or need.starts_at or now + DEFAULT_OPEN_FOR[need.urgency]
    grace = dt.timedelta(hours=settings_for(need.community).stale_grace_hours)
    try:
        with transaction.atomic():
            commitment = Commitment.objects.create(
                need=need,
                helper=helper,
                response=response,
                assigned_by=assigned_by,
                due_at=due,
                release_at=due + grace,
            )
    except IntegrityError:
        raise Conflict(_("This helper is already helping with this need.")) from None
    refresh_need_status(need)
    return commitment


@transaction.atomic
def response_create(
    *, helper: User, need: Need, message: str = "", proposed_time: str = ""
) -> Response:
    """A member who fits the need's requirements offers to help."""
    require_fits(need, helper)
    if len(message or "") > 1000:
        raise invalid("message", _("Please use at most 1000 characters."))
    if len(proposed_time or "") > 120:
        raise invalid("proposed_time", _("Please use at most 120 characters."))
    need = _locked(need)
    _require_open(need)
    if need.responses.filter(helper=helper, status="pending").exists():
        raise Conflict(_("You have already offered to help. The person will answer soon."))
    if need.commitments.filter(helper=helper, status__in=PLACE_HOLDING).exists():
        raise Conflict(_("You are already helping with this need."))
    response = Response.objects.create(
        need=need, helper=helper, message=message.strip(), proposed_time=proposed_time.strip()
    )
    n.notify(
        person_side(need),
        n.RESPONSE_NEW,
        {
            **need_context(need),
            "helper_name": str(helper),
            "message": response.message,
            "proposed_time": response.proposed_time,
        },
        community=need.community,
        dedupe_key=f"response:{response.public_id}",
    )
    return response


def _tell_helper_accepted(need: Need, commitment: Commitment) -> None:
    n.notify(
        commitment.helper,
        n.RESPONSE_ACCEPTED,
        {**need_context(need), "due_at": commitment.due_at.isoformat()},
        community=need.community,
        dedupe_key=f"accepted:{commitment.public_id}",
    )


@transaction.atomic
def response_accept(
    *, actor: User, response: Response, due_at: dt.datetime | None = None
) -> Commitment:
    """The person or a coordinator accepts a response; the helper gets a place if one is free."""
    need = response.need
    require_person_or_coordinator(actor, need)
    need = _locked(need)
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.status != "pending":
        raise Conflict(_("This offer of help has already been answered."))
    require_fits(need, response.helper)
    commitment = _commit(
        need=need, helper=response.helper, assigned_by=actor, response=response, due_at=due_at
    )
    response.status, response.answered_at = "accepted", timezone.now()
    response.save(update_fields=["status", "answered_at", "updated_at"])
    if acts_for_another(actor, need):
        audit_for_another(
            actor=actor,
            action="response.accept",
            need=need,
            subject=response.helper,
            after={"response": response.public_id, "commitment": commitment.public_id},
        )
    _tell_helper_accepted(need, commitment)
    return commitment


@transaction.atomic
def response_decline(*, actor: User, response: Response) -> Response:
    """The person or a coordinator says "not this time"; the helper withdraws their own."""
    need = response.need
    if actor.pk != response.helper_id:
        require_person_or_coordinator(actor, need)
    response = Response.objects.select_for_update().get(pk=response.pk)
    if response.status != "pending":
        raise Conflict(_("This offer of help has already been answered."))
    response.status = "withdrawn" if actor.pk == response.helper_id else "declined"
    response.answered_at = timezone.now()
    response.save(update_fields=["status", "answered_at", "updated_at"])
    if acts_for_another(actor, need, response.helper_id):
        audit_for_another(
            actor=actor,
            action="response.decline",
            need=need,
            subject=response.helper,
            after={"response": response.public_id},
        )
    return response


@transaction.atomic
def need_self_assign(*, helper: User, need: Need) -> Commitment:
    """Take a place directly, where the need allows it and the helper fits it."""
    require_fits(need, helper)
    need = _locked(need)
    if not need.allow_self_assign:
        raise PermissionDenied(
            _("The person chooses helpers for this need. Offer to help instead.")
        )
    commitment = _commit(need=need, helper=helper, assigned_by=helper)
    n.notify(
        person_side(need),
        n.RESPONSE_NEW,
        {**need_context(need), "helper_name": str(helper), "self_assigned": True},
        community=need.community,
        dedupe_key=f"selfassign:{commitment.public_id}",
    )
    return commitment


@transaction.atomic
def commitment_assign(
    *, actor: User, need: Need, helper: User, due_at: dt.datetime | None = None
) -> Commitment:
    """A coordinator assigns a fitting helper (dispatch); the assignment is audit-logged."""
    require(actor, COORDINATE, need.community)
    require_fits(need, helper)
    need = _locked(need)
    commitment = _commit(need=need, helper=helper, assigned_by=actor, due_at=due_at)
    need.responses.filter(helper=helper, status="pending").update(
        status="accepted", answered_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="need.assign",
        community=need.community,
        target=need,
        subject=helper,
        after={"helper": helper.public_id},
    )
    _tell_helper_accepted(need, commitment)
    return commitment


def _link_ttl(need: Need) -> dt.timedelta:
    remaining = (need.expires_at or timezone.now()) - timezone.now()
    return max(dt.timedelta(hours=6), min(remaining, dt.timedelta(days=7)))


def _ask_links(helper: User, need: Need):
    from mutua.notify.models import SignedLink

    return SignedLink.objects.filter(
        user=helper,
        target_id=need.public_id,
        action__in=(TASK_ACCEPT, TASK_DECLINE),
        used_at__isnull=True,
    )


def spend_ask_links(helper: User, need: Need) -> None:
    """Once the helper has answered, the other link of the message (and older ones) stops."""
    _ask_links(helper, need).update(used_at=timezone.now())


@transaction.atomic
def need_ask_helper(*, actor: User, need: Need, helper: User) -> None:
    """A coordinator asks a fitting helper by e-mail/SMS; signed links answer without a password.

    Asking the same helper again sends a fresh message; the links of the earlier one stop
    working, so only the newest answer counts.
    """
    from mutua.core.signed_links import signed_link_create
    from mutua.notify.models import SignedLink

    require(actor, COORDINATE, need.community)
    require_fits(need, helper)
    _require_open(need)
    if need.commitments.filter(helper=helper, status__in=PLACE_HOLDING).exists():
        raise Conflict(_("This helper is already helping with this need."))
    asked_before = SignedLink.objects.filter(
        user=helper, action=TASK_ACCEPT, target_id=need.public_id
    ).count()
    _ask_links(helper, need).update(expires_at=timezone.now())
    ttl = _link_ttl(need)
    accept = signed_link_create(user=helper, action=TASK_ACCEPT, target_id=need.public_id, ttl=ttl)
    decline = signed_link_create(
        user=helper, action=TASK_DECLINE, target_id=need.public_id, ttl=ttl
    )
    audit_for_another(
        actor=actor,
        action="need.ask_helper",
        need=need,
        subject=helper,
        after={"helper": helper.public_id},
    )
    n.notify(
        helper,
        n.TASK_ASKED,
        {
            **need_context(need),
            "asked_by": str(actor),
            "is_urgent": need.is_urgent,
            "emergency_number": need.community.emergency_number,
        },
        community=need.community,
        dedupe_key=f"asked:{need.public_id}:{asked_before + 1}",
        actions=[
            {"label": str(_("Yes, I'll do it")), "url": accept},
            {"label": str(_("Not this time")), "url": decline},
        ],
    )


TASK_ACCEPT = "exchange.task_accept"
TASK_DECLINE = "exchange.task_decline"


@transaction.atomic
def task_accept_by_link(*, helper: User, need: Need) -> Commitment:
    """A helper asked by a coordinator takes the task from a signed link (no password)."""
    require_fits(need, helper)
    need = _locked(need)
    commitment = _commit(need=need, helper=helper, assigned_by=need.contact or need.posted_by)
    spend_ask_links(helper, need)
    n.notify(
        person_side(need),
        n.RESPONSE_NEW,
        {**need_context(need), "helper_name": str(helper), "self_assigned": True},
        community=need.community,
        dedupe_key=f"selfassign:{commitment.public_id}",
    )
    return commitment


@transaction.atomic
def task_decline_by_link(*, helper: User, need: Need) -> None:
    """The helper says "not this time"; the coordinators hear it so they can ask someone else."""
    spend_ask_links(helper, need)
    for coordinator in coordinators_of(need.community):
        n.notify(
            coordinator,
            n.TASK_DECLINED,
            {**need_context(need), "helper_name": str(helper)},
            community=need.community,
            dedupe_key=f"declined:{need.public_id}:{helper.public_id}",
        )
