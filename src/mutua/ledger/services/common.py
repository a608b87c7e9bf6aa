"""What the ledger services share: settings, accounts, limits and the one way to post."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community, Membership, MembershipStatus
from mutua.core.errors import Conflict, ValidationFailed
from mutua.ledger import engine
from mutua.ledger.models import Account, LedgerSettings, Transfer
from mutua.people.models import User

USE, COORDINATE, CONFIGURE = "ledger.use", "ledger.coordinate", "ledger.configure"
MAX_MINUTES = 100 * 60  # one transfer moves at most 100 hours


class LimitReached(Conflict):
    code = "limit"

    def __init__(self, message, *, limit: str, fund_offered: bool = False):
        super().__init__(message)
        self.limit = limit
        self.fund_offered = fund_offered


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def settings_for(community: Community) -> LedgerSettings:
    """The community's ledger settings; an unsaved default (ledger off) when never set."""
    cached = community.__dict__.get("_ledger_settings")
    if cached is None:
        cached = LedgerSettings.objects.filter(community=community).first() or LedgerSettings(
            community=community
        )
        community.__dict__["_ledger_settings"] = cached
    return cached


def forget_settings(community: Community) -> None:
    community.__dict__.pop("_ledger_settings", None)


def require_on(community: Community) -> LedgerSettings:
    ledger = settings_for(community)
    if not ledger.is_enabled:
        raise Conflict(_("This community does not keep a time-credit ledger."))
    return ledger


def clean_minutes(minutes, field: str = "minutes") -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        raise invalid(field, _("Please give a whole number of minutes."))
    if not 1 <= minutes <= MAX_MINUTES:
        raise invalid(field, _("Please give between 1 minute and 100 hours."))
    return minutes


def clean_reason(reason: str, *, required: bool = False) -> str:
    reason = (reason or "").strip()
    if len(reason) > 300:
        raise invalid("reason", _("Please use at most 300 characters."))
    if required and not reason:
        raise invalid("reason", _("Please say why, in a few words."))
    return reason


def fund_for(community: Community) -> Account:
    account, _created = Account.objects.get_or_create(community=community, is_fund=True)
    return account


def account_for(community: Community, user: User) -> Account:
    """The member's account, opened the first time it is needed."""
    account = Account.objects.filter(community=community, user=user).first()
    if account is None:
        try:
            with transaction.atomic():
                account = Account.objects.create(community=community, user=user)
        except IntegrityError:
            account = Account.objects.get(community=community, user=user)
    return account


def accounts_for(community: Community, users: list[User]) -> dict[int, Account]:
    """The members' accounts, locked for this transaction (one query), opened if missing."""
    wanted = sorted({u.pk for u in users})
    # Raw SQL: this runs once per transfer and the ORM's query compilation cost more than it.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    marks = ", ".join(["%s"] * len(wanted))
    sql = (
        f"SELECT * FROM ledger_account WHERE community_id = %s AND user_id IN ({marks})"  # noqa: S608 (placeholders only)
        f" ORDER BY id{lock}"
    )
    found = {a.user_id: a for a in Account.objects.raw(sql, [community.pk, *wanted])}
    for user_id in set(wanted) - set(found):
        found[user_id] = account_for(community, User(pk=user_id))
    return found


def open_accounts(community: Community) -> None:
    """Open the fund and an account for every active member who has none (one query each)."""
    fund_for(community)
    have = set(
        Account.objects.filter(community=community, user__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    users = Membership.objects.filter(
        community=community, status=MembershipStatus.ACTIVE
    ).values_list("user_id", flat=True)
    Account.objects.bulk_create(
        [Account(community=community, user_id=u) for u in users if u not in have],
        ignore_conflicts=True,
    )


def limits_of(account: Account, ledger: LedgerSettings) -> engine.Limits:
    if account.is_fund:
        return engine.Limits(ledger.fund_floor_minutes, None)
    floor = ledger.floor_minutes if account.floor_override is None else account.floor_override
    ceiling = (
        ledger.ceiling_minutes if account.ceiling_override is None else account.ceiling_override
    )
    return engine.Limits(floor, ceiling)


def _refusal(breach: engine.Breach, account: Account, *, actor: User | None) -> LimitReached:
    if breach.limit == "floor" and account.is_fund:
        return LimitReached(
            _("The community fund has reached the limit its coordinators set."), limit="floor"
        )
    if breach.limit == "floor":
        own = actor is not None and account.user_id == actor.pk
        message = (
            _(
                "This would take your balance below this community's limit. That is all right: "
                "you can receive this help from the community fund instead. A coordinator can "
                "arrange it, and nobody keeps score of who needed it."
            )
            if own
            else _(
                "This would take the payer's balance below this community's limit. They can "
                "receive this help from the community fund instead; a coordinator can arrange it."
            )
        )
        return LimitReached(message, limit="floor", fund_offered=True)
    return LimitReached(
        _(
            "This would take the receiving balance above this community's upper limit. "
            "They have given a lot: perhaps they could be asked to receive help instead."
        ),
        limit="ceiling",
    )


def post(
    *,
    community: Community,
    legs: list[tuple[Account, int]],
    kind: str,
    created_by: User | None,
    reason: str = "",
    reverses: Transfer | None = None,
    source: str | None = None,
    idempotency_key: str = "",
    ceiling_applies: bool = True,
    at: dt.datetime | None = None,
    locked: bool = False,
) -> Transfer:
    """Write one balanced transfer. Callers hold a transaction; accounts are locked here.

    The payer's row lock (SELECT ... FOR UPDATE on PostgreSQL, the IMMEDIATE write lock on
    SQLite) is taken before the limits are read, so two transfers can never together pass
    a floor. A retried idempotency key returns the first transfer, found after the lock.
    """
    ledger = require_on(community)
    try:
        merged = engine.merge_legs((account.pk, amount) for account, amount in legs)
    except engine.Unbalanced as exc:
        message = _("A transfer needs someone who pays and someone who receives.")
        raise invalid("minutes", message) from exc
    if locked:  # the caller took the accounts with accounts_for() in this transaction
        held = {account.pk: account for account, _amount in legs}
    else:
        held = {
            a.pk: a
            for a in Account.objects.select_for_update().filter(pk__in=merged).order_by("pk")
        }
    key = idempotency_key if created_by is not None else ""
    if source is not None:
        earlier = Transfer.objects.filter(source=source).first()
        if earlier is not None:
            return _replayed(earlier)
    balances = {pk: a.balance for pk, a in held.items()}
    limits = {pk: limits_of(a, ledger) for pk, a in held.items()}
    if not ceiling_applies:
        limits = {pk: engine.Limits(lim.floor, None) for pk, lim in limits.items()}
    found = engine.breaches(balances, merged, limits)
    if found and ledger.breach_mode == engine.BLOCK:
        # A retry of a transfer that went through is answered with it, whatever the limits now.
        earlier = _earlier(created_by, key)
        if earlier is not None:
            return _replayed(earlier)
        first = found[0]
        raise _refusal(first, held[first.key], actor=created_by)
    transfer = Transfer(
        community=community,
        kind=kind,
        reason=reason[:300],
        created_by=created_by,
        reverses=reverses,
        source=source,
        idempotency_key=key,
        is_flagged=bool(found),
        created_at=at or timezone.now(),
    )
    if not _insert(transfer):
        # The idempotency constraint refused a second transfer with this key: a retry.
        earlier = _earlier(created_by, key)
        if earlier is None:
            raise Conflict(_("This transfer could not be saved. Please try again."))
        return _replayed(earlier)
    _write_entries(transfer, merged)
    for pk, amount in merged.items():
        held[pk].balance += amount
    return transfer


def _earlier(created_by: User | None, key: str) -> Transfer | None:
    if not key or created_by is None:
        return None
    return Transfer.objects.filter(created_by=created_by, idempotency_key=key).first()


def _replayed(transfer: Transfer) -> Transfer:
    """Mark a transfer returned for a retry, so interfaces answer 200 rather than 201."""
    transfer.is_replay = True  # type: ignore[attr-defined]
    return transfer


def _insert(transfer: Transfer) -> bool:
    """INSERT the transfer; False when a unique constraint (the idempotency key) refuses it.

    One statement instead of a SELECT for the key and an INSERT: the constraint is the check.
    Plain SQL, because the ORM's save machinery cost more than the write itself.
    """
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transfer (public_id, community_id, kind, reason, created_by_id, "
            "reverses_id, source, idempotency_key, is_flagged, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING RETURNING id",
            [
                transfer.public_id,
                transfer.community_id,
                transfer.kind,
                transfer.reason,
                transfer.created_by_id,
                transfer.reverses_id,
                transfer.source,
                transfer.idempotency_key,
                transfer.is_flagged,
                ops.adapt_datetimefield_value(transfer.created_at),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return False
    transfer.pk = row[0]
    transfer._state.adding = False
    transfer._state.db = connection.alias
    return True


def _write_entries(transfer: Transfer, merged: dict) -> None:
    """The balanced entries in one INSERT and the cached balances in one UPDATE."""
    at = connection.ops.adapt_datetimefield_value(transfer.created_at)
    items = sorted(merged.items())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (transfer_id, account_id, amount, created_at) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s, %s)"] * len(items)),
            [v for pk, amount in items for v in (transfer.pk, pk, amount, at)],
        )
        cases = " ".join(["WHEN %s THEN %s"] * len(items))
        cursor.execute(
            f"UPDATE ledger_account SET balance = balance + CASE id {cases} END "  # noqa: S608
            f"WHERE id IN ({', '.join(['%s'] * len(items))})",
            [v for pk, amount in items for v in (pk, amount)] + [pk for pk, _a in items],
        )
