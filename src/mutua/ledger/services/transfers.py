"""Members send credits and give to the fund; coordinators record, grant and reverse."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, NotFound
from mutua.core.permissions import membership_of, require
from mutua.ledger.models import Transfer
from mutua.ledger.services.common import (
    COORDINATE,
    USE,
    LimitReached,
    account_for,
    accounts_for,
    clean_minutes,
    clean_reason,
    fund_for,
    invalid,
    refuse_if_blocked,
    require_on,
)
from mutua.ledger.services.posting import BLOCK_NOTHING, post
from mutua.people.models import User


def _member_or_refuse(user: User, community: Community, field: str) -> None:
    if membership_of(user, community) is None:
        raise invalid(field, _("This person is not a member of this community."))


@transaction.atomic
def transfer_send(
    *,
    actor: User,
    community: Community,
    recipient: User,
    minutes: int,
    reason: str = "",
    idempotency_key: str = "",
) -> Transfer:
    """A member sends some of their credits to another member, within the limits; past their
    floor they are offered the community fund, which can pay the recipient instead."""
    require(actor, USE, community)
    require_on(community)
    minutes, reason = clean_minutes(minutes), clean_reason(reason)
    if recipient.pk == actor.pk:
        raise invalid("recipient", _("Please choose someone other than yourself."))
    _member_or_refuse(recipient, community, "recipient")
    refuse_if_blocked(actor, recipient, _("You cannot send credits to this member."))
    accounts = accounts_for(community, [actor, recipient])
    try:
        return post(
            community=community,
            legs=[(accounts[actor.pk], -minutes), (accounts[recipient.pk], minutes)],
            kind="send",
            created_by=actor,
            reason=reason,
            idempotency_key=idempotency_key,
            locked=True,
        )
    except LimitReached as exc:
        if exc.fund_offered:
            exc.offer_fund(recipient=recipient, minutes=minutes)
        raise


@transaction.atomic
def fund_gift(
    *, actor: User, community: Community, minutes: int, reason: str = "", idempotency_key: str = ""
) -> Transfer:
    """A member gives some of their credits to the community fund, within their floor."""
    require(actor, USE, community)
    require_on(community)
    minutes, reason = clean_minutes(minutes), clean_reason(reason)
    try:
        return post(
            community=community,
            legs=[(account_for(community, actor), -minutes), (fund_for(community), minutes)],
            kind="fund_gift",
            created_by=actor,
            reason=reason,
            idempotency_key=idempotency_key,
        )
    except LimitReached as exc:
        if exc.limit != "floor":
            raise
        message = _(
            "Thank you for thinking of the fund. This gift would take your balance below this "
            "community's limit; there is no need to give more than you can."
        )
        raise LimitReached(message, limit="floor") from exc


@transaction.atomic
def fund_grant(
    *,
    actor: User,
    community: Community,
    recipient: User,
    minutes: int,
    reason: str,
    idempotency_key: str = "",
) -> Transfer:
    """A coordinator credits a member from the community fund (audit-logged)."""
    require(actor, COORDINATE, community)
    require_on(community)
    minutes, reason = clean_minutes(minutes), clean_reason(reason, required=True)
    _member_or_refuse(recipient, community, "recipient")
    transfer = post(
        community=community,
        legs=[(fund_for(community), -minutes), (account_for(community, recipient), minutes)],
        kind="gift",
        created_by=actor,
        reason=reason,
        idempotency_key=idempotency_key,
    )
    if getattr(transfer, "is_replay", False):
        return transfer
    audit_record(
        actor=actor,
        action="ledger.fund_grant",
        community=community,
        target=transfer,
        subject=recipient,
        after={"minutes": minutes},
        reason=reason,
        is_safeguarding=True,  # nobody is shamed for receiving: coordinators and them only
    )
    return transfer


@transaction.atomic
def transfer_record(
    *,
    actor: User,
    community: Community,
    payers: list[tuple[User | None, int]],
    payees: list[tuple[User | None, int]],
    reason: str,
    idempotency_key: str = "",
) -> Transfer:
    """A coordinator records help on people's behalf: a group exchange, say (audit-logged).

    `None` stands for the community fund; each helper is credited their own minutes.
    """
    require(actor, COORDINATE, community)
    require_on(community)
    reason = clean_reason(reason, required=True)
    legs = []
    for side, sign in ((payers, -1), (payees, 1)):
        if not side or len(side) > 50:
            raise invalid("payers" if sign < 0 else "payees", _("Please name 1 to 50 people."))
        for user, minutes in side:
            minutes = clean_minutes(minutes)
            if user is None:
                legs.append((fund_for(community), sign * minutes))
            else:
                _member_or_refuse(user, community, "payers" if sign < 0 else "payees")
                legs.append((account_for(community, user), sign * minutes))
    transfer = post(
        community=community,
        legs=legs,
        kind="coordinator",
        created_by=actor,
        reason=reason,
        idempotency_key=idempotency_key,
    )
    if getattr(transfer, "is_replay", False):  # a retry: recorded and logged the first time
        return transfer
    audit_record(
        actor=actor,
        action="ledger.record",
        community=community,
        target=transfer,
        after={"legs": [[a.public_id, m] for a, m in legs]},
        reason=reason,
        # The fund paying for someone's help is support: not for every member to read.
        is_safeguarding=any(account.is_fund for account, _minutes in legs),
    )
    return transfer


def existing_reversal(transfer: Transfer) -> Transfer | None:
    """The correction of a transfer, once its row is locked (so two corrections queue)."""
    list(Transfer.objects.select_for_update().filter(pk=transfer.pk).values_list("pk"))
    return Transfer.objects.filter(reverses=transfer).first()


def reverse(
    *, transfer: Transfer, created_by: User | None, reason: str, source: str | None = None
) -> Transfer:
    """Post the mirror image of a transfer (caller holds the transaction and checks rights).

    A correction restores the balances from before the mistake, so no limit ever refuses it;
    when it leaves someone past a limit (the helper spent the credits), it is flagged for
    coordinators instead.
    """
    if transfer.kind == "reversal":
        raise Conflict(_("A correction cannot itself be reversed; record a new transfer."))
    if existing_reversal(transfer) is not None:
        raise Conflict(_("This transfer has already been reversed."))
    legs = [(e.account, -e.amount) for e in transfer.entries.select_related("account")]
    return post(
        community=transfer.community,
        legs=legs,
        kind="reversal",
        created_by=created_by,
        reason=reason,
        reverses=transfer,
        source=source,
        blocks=BLOCK_NOTHING,
    )


@transaction.atomic
def transfer_reverse(*, actor: User, transfer: Transfer, reason: str) -> Transfer:
    """A coordinator corrects a transfer with a reversing one, linked and explained."""
    community = transfer.community
    require(actor, COORDINATE, community)
    require_on(community)
    reason = clean_reason(reason, required=True)
    reversal = reverse(transfer=transfer, created_by=actor, reason=reason)
    audit_record(
        actor=actor,
        action="ledger.reverse",
        community=community,
        target=transfer,
        after={"reversal": reversal.public_id},
        reason=reason,
        # Correcting credits from or to the fund would tell who received from it.
        is_safeguarding=transfer.entries.filter(account__is_fund=True).exists(),
    )
    return reversal


def transfer_get(*, community: Community, public_id: str) -> Transfer:
    transfer = Transfer.objects.filter(community=community, public_id=public_id).first()
    if transfer is None:
        raise NotFound(_("We could not find this transfer."))
    return transfer
