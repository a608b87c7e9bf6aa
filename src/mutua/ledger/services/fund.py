"""Asking the community fund: a member asks it to pay someone who helped them, a coordinator
approves or declines, and the fund pays the helper directly.

This is the path a member is offered when a payment would take them past their floor. We chose
a request that coordinators approve over an automatic payment: the fund is shared and has a
floor of its own, and a person reading the request can offer other support too. Only the member
and the coordinators see the request; the audit log names the helper who was paid, not who asked.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse as url_for
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community, Membership, MembershipStatus
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict
from mutua.core.permissions import membership_of, require
from mutua.ledger.models import CreditRequest, FundRequest
from mutua.ledger.notifications import FUND_ANSWERED, FUND_REQUESTED
from mutua.ledger.services.common import (
    COORDINATE,
    USE,
    account_for,
    clean_minutes,
    clean_reason,
    fund_for,
    invalid,
    require_on,
)
from mutua.ledger.services.posting import BLOCK_FLOOR, fingerprint, post
from mutua.ledger.services.requests import create_once
from mutua.notify.services import notification_send
from mutua.people.models import User


def _coordinators(community: Community) -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            community=community,
            status=MembershipStatus.ACTIVE,
            role__in=("coordinator", "steward"),
        ).select_related("user")
    ]


def _answering(actor: User, community: Community, credit_request: CreditRequest) -> CreditRequest:
    """The request for credits the member is answering, locked; only its payer may pass it on."""
    credit_request = CreditRequest.objects.select_for_update().get(pk=credit_request.pk)
    if credit_request.community_id != community.pk or credit_request.payer_id != actor.pk:
        raise invalid("credit_request", _("Only the person asked can pass this to the fund."))
    if credit_request.status != "pending":
        raise Conflict(_("This request has already been answered."))
    return credit_request


@transaction.atomic
def fund_request_create(
    *,
    actor: User,
    community: Community,
    recipient: User | None = None,
    minutes: int | None = None,
    reason: str = "",
    credit_request: CreditRequest | None = None,
    idempotency_key: str = "",
) -> FundRequest:
    """A member asks the community fund to pay `recipient` for help; coordinators are told.

    With `credit_request` (a request for credits the member was asked to approve), the fund is
    asked to pay its requester the hours asked, and approving settles that request too.
    """
    require(actor, USE, community)
    require_on(community)
    if credit_request is not None:
        credit_request = _answering(actor, community, credit_request)
        recipient, minutes = credit_request.requester, credit_request.minutes
        reason = reason or credit_request.reason
    minutes, reason = clean_minutes(minutes), clean_reason(reason)
    if recipient is None or membership_of(recipient, community) is None:
        raise invalid("recipient", _("This person is not a member of this community."))
    if recipient.pk == actor.pk:
        raise invalid("recipient", _("Please choose the person who helped you."))
    request = create_once(
        FundRequest,
        requester=actor,
        idempotency_key=idempotency_key,
        request_hash=fingerprint(
            "fund_request",
            community.pk,
            recipient.pk,
            minutes,
            reason,
            getattr(credit_request, "pk", None),
        ),
        community=community,
        recipient=recipient,
        minutes=minutes,
        reason=reason,
        credit_request=credit_request,
    )
    if getattr(request, "is_replay", False):
        return request
    context = {
        "community_name": community.name,
        "url": url_for("ledger:coordinate", args=[community.slug]),
    }
    for coordinator in _coordinators(community):
        notification_send(
            recipient=coordinator,
            kind=FUND_REQUESTED,
            context=context,
            community=community,
            dedupe_key=f"fund-request:{request.public_id}",
        )
    return request


def _locked(request: FundRequest) -> FundRequest:
    return (
        FundRequest.objects.select_for_update(of=("self",))
        .select_related("community", "requester", "recipient", "credit_request")
        .get(pk=request.pk)
    )


def _tell_requester(request: FundRequest, *, approved: bool) -> None:
    notification_send(
        recipient=request.requester,
        kind=FUND_ANSWERED,
        context={
            "approved": approved,
            "community_name": request.community.name,
            "url": url_for("ledger:balance", args=[request.community.slug]),
        },
        community=request.community,
        dedupe_key=f"fund-answer:{request.public_id}",
    )


@transaction.atomic
def fund_request_approve(*, actor: User, request: FundRequest) -> FundRequest:
    """A coordinator approves: the fund pays the helper once, however often this is sent."""
    request = _locked(request)
    community = request.community
    require(actor, COORDINATE, community)
    require_on(community)
    if request.status == "approved":
        return request
    if request.status != "pending":
        raise Conflict(_("This request has already been answered."))
    transfer = post(
        community=community,
        legs=[
            (fund_for(community), -request.minutes),
            (account_for(community, request.recipient), request.minutes),
        ],
        kind="fund_payment",
        created_by=actor,
        reason=request.reason,
        source=f"fund_request:{request.public_id}",
        blocks=BLOCK_FLOOR,  # the fund's floor; the helper's ceiling only flags
    )
    now = timezone.now()
    request.transfer, request.status = transfer, "approved"
    request.decided_by, request.decided_at = actor, now
    request.save(update_fields=["transfer", "status", "decided_by", "decided_at"])
    asked = request.credit_request
    if asked is not None and asked.status == "pending":
        asked.transfer, asked.status, asked.decided_at = transfer, "approved", now
        asked.save(update_fields=["transfer", "status", "decided_at"])
    audit_record(
        actor=actor,
        action="ledger.fund_grant",
        community=community,
        target=transfer,
        subject=request.recipient,
        after={"minutes": request.minutes},
        is_safeguarding=True,  # help paid by the fund: coordinators and the helper paid only
    )
    _tell_requester(request, approved=True)
    return request


@transaction.atomic
def fund_request_decline(*, actor: User, request: FundRequest) -> FundRequest:
    """A coordinator declines, or the member withdraws; nothing moves and no reason is asked."""
    request = _locked(request)
    community = request.community
    if actor.pk == request.requester_id:
        require(actor, USE, community)
        status = "cancelled"
    else:
        require(actor, COORDINATE, community)
        status = "declined"
    if request.status != "pending":
        raise Conflict(_("This request has already been answered."))
    request.status, request.decided_by, request.decided_at = status, actor, timezone.now()
    request.save(update_fields=["status", "decided_by", "decided_at"])
    if status == "declined":
        _tell_requester(request, approved=False)
    return request
