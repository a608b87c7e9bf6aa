"""A member asks another for credits; the payer approves or declines."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.errors import Conflict, NotFound, PermissionDenied
from mutua.core.permissions import membership_of, require
from mutua.ledger.models import CreditRequest
from mutua.ledger.services.common import (
    USE,
    LimitReached,
    account_for,
    clean_minutes,
    clean_reason,
    invalid,
    refuse_if_blocked,
    require_on,
)
from mutua.ledger.services.posting import fingerprint, post, replay_or_refuse
from mutua.people.models import User


def create_once(model, *, requester: User, idempotency_key: str, request_hash: str, **fields):
    """Create a request row once per (requester, key): a retry returns the first one, and the
    same key sent with a different request is refused."""
    if not idempotency_key:
        return model.objects.create(requester=requester, **fields)
    earlier = model.objects.filter(requester=requester, idempotency_key=idempotency_key).first()
    if earlier is not None:
        return replay_or_refuse(earlier, request_hash)
    try:
        with transaction.atomic():
            return model.objects.create(
                requester=requester,
                idempotency_key=idempotency_key,
                request_hash=request_hash,
                **fields,
            )
    except IntegrityError:  # the same key, sent twice at the same moment
        earlier = model.objects.get(requester=requester, idempotency_key=idempotency_key)
        return replay_or_refuse(earlier, request_hash)


@transaction.atomic
def credit_request_create(
    *,
    actor: User,
    community: Community,
    payer: User,
    minutes: int,
    reason: str = "",
    idempotency_key: str = "",
) -> CreditRequest:
    """Ask a member for credits; nothing moves until they approve. A retried key asks once."""
    require(actor, USE, community)
    require_on(community)
    minutes, reason = clean_minutes(minutes), clean_reason(reason)
    if payer.pk == actor.pk:
        raise invalid("payer", _("Please choose someone other than yourself."))
    if membership_of(payer, community) is None:
        raise invalid("payer", _("This person is not a member of this community."))
    refuse_if_blocked(actor, payer, _("You cannot ask this member for credits."))
    request = create_once(
        CreditRequest,
        requester=actor,
        idempotency_key=idempotency_key,
        request_hash=fingerprint("credit_request", community.pk, payer.pk, minutes, reason),
        community=community,
        payer=payer,
        minutes=minutes,
        reason=reason,
    )
    if not getattr(request, "is_replay", False):
        _tell_payer(request, community)
    return request


def _tell_payer(request: CreditRequest, community: Community) -> None:
    """The payer hears about it (a request nobody sees would wait for ever)."""
    from django.urls import reverse

    from mutua.ledger.notifications import CREDIT_REQUESTED
    from mutua.notify.services import notification_send

    hours = request.minutes / 60
    notification_send(
        recipient=request.payer,
        kind=CREDIT_REQUESTED,
        context={
            "community_name": community.name,
            "requester_name": request.requester.profile.first_name,
            "hours": f"{hours:g} h",
            "reason": request.reason,
            "url": reverse("ledger:balance", args=[community.slug]),
        },
        community=community,
        dedupe_key=f"credit-request:{request.public_id}",
    )


def _locked(request: CreditRequest) -> CreditRequest:
    return (
        CreditRequest.objects.select_for_update()
        .select_related("community", "requester", "payer")
        .get(pk=request.pk)
    )


@transaction.atomic
def credit_request_approve(*, actor: User, request: CreditRequest) -> CreditRequest:
    """The payer approves: credits move once, however often the approval is sent. Past the
    payer's floor, they are offered the community fund, which can pay the requester instead."""
    request = _locked(request)
    community = request.community
    require(actor, USE, community)
    if actor.pk != request.payer_id:
        raise PermissionDenied(_("Only the person asked can approve this."))
    if request.status == "approved":
        return request
    if request.status != "pending":
        raise Conflict(_("This request has already been answered."))
    # A block made since the request was sent: it can still be declined, not paid.
    refuse_if_blocked(actor, request.requester, _("You cannot send credits to this member."))
    try:
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
    except LimitReached as exc:
        if exc.fund_offered:
            exc.offer_fund(
                recipient=request.requester, minutes=request.minutes, credit_request=request
            )
        raise
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
