"""A member asks another for credits; the payer approves or declines."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.errors import Conflict, NotFound, PermissionDenied
from mutua.core.permissions import membership_of, require
from mutua.ledger.models import CreditRequest
from mutua.ledger.services.common import (
    USE,
    account_for,
    clean_minutes,
    clean_reason,
    invalid,
    post,
    require_on,
)
from mutua.people.models import User


@transaction.atomic
def credit_request_create(
    *, actor: User, community: Community, payer: User, minutes: int, reason: str = ""
) -> CreditRequest:
    """Ask a member for credits; nothing moves until they approve."""
    require(actor, USE, community)
    require_on(community)
    minutes, reason = clean_minutes(minutes), clean_reason(reason)
    if payer.pk == actor.pk:
        raise invalid("payer", _("Please choose someone other than yourself."))
    if membership_of(payer, community) is None:
        raise invalid("payer", _("This person is not a member of this community."))
    return CreditRequest.objects.create(
        community=community, requester=actor, payer=payer, minutes=minutes, reason=reason
    )


def _locked(request: CreditRequest) -> CreditRequest:
    return (
        CreditRequest.objects.select_for_update()
        .select_related("community", "requester", "payer")
        .get(pk=request.pk)
    )


@transaction.atomic
def credit_request_approve(*, actor: User, request: CreditRequest) -> CreditRequest:
    """The payer approves: credits move once, however often the approval is sent."""
    request = _locked(request)
    community = request.community
    require(actor, USE, community)
    if actor.pk != request.payer_id:
        raise PermissionDenied(_("Only the person asked can approve this."))
    if request.status == "approved":
        return request
    if request.status != "pending":
        raise Conflict(_("This request has already been answered."))
    request.transfer = post(
        community=community,
        legs=[
            (account_for(community, actor), -request.minutes),
            (account_for(community, request.requester), request.minutes),
        ],
        kind="request",
        created_by=actor,
        reason=request.reason,
        source=f"request:{request.public_id}",
    )
    request.status, request.decided_at = "approved", timezone.now()
    request.save(update_fields=["transfer", "status", "decided_at"])
    return request


@transaction.atomic
def credit_request_decline(*, actor: User, request: CreditRequest) -> CreditRequest:
    """The payer declines, or the requester withdraws; no reason is asked of anyone."""
    request = _locked(request)
    if actor.pk not in (request.payer_id, request.requester_id):
        raise PermissionDenied(_("Only the two people concerned can answer this."))
    if request.status != "pending":
        raise Conflict(_("This request has already been answered."))
    request.status = "declined" if actor.pk == request.payer_id else "cancelled"
    request.decided_at = timezone.now()
    request.save(update_fields=["status", "decided_at"])
    return request


def credit_request_get(*, viewer: User, public_id: str) -> CreditRequest:
    request = (
        CreditRequest.objects.filter(public_id=public_id)
        .filter(models_q_party(viewer))
        .select_related("community")
        .first()
    )
    if request is None:
        raise NotFound(_("We could not find this request."))
    return request


def models_q_party(viewer: User):
    from django.db.models import Q

    return Q(payer=viewer) | Q(requester=viewer)
