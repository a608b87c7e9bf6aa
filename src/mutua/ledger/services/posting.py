"""The one way to write a transfer: balanced entries, limits, flags and idempotent retries."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.errors import Conflict, ValidationFailed
from mutua.ledger import engine
from mutua.ledger.models import Account, Transfer
from mutua.ledger.services.common import invalid, limits_of, refusal, require_on
from mutua.people.models import User

# Which limits may refuse a transfer. Breaches of the others are recorded as a flag.
BLOCK_ALL = frozenset({"floor", "ceiling"})
BLOCK_FLOOR = frozenset({"floor"})  # help already given is never refused its credit
BLOCK_NOTHING: frozenset[str] = frozenset()  # a correction always goes through


def fingerprint(*parts) -> str:
    """A stable hash of what a keyed request asked for (compared when the key comes again)."""
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def key_reused() -> ValidationFailed:
    message = _(
        "This Idempotency-Key was already used for a different request. "
        "Please send a new key with a new request."
    )
    return ValidationFailed(message, field_errors={"idempotency_key": [message]})


def replay_or_refuse(earlier, request_hash: str):
    """The first result for a retried key, or a refusal when the key now asks for another thing."""
    if earlier.request_hash and earlier.request_hash != request_hash:
        raise key_reused()
    earlier.is_replay = True
    return earlier


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
    blocks: frozenset[str] = BLOCK_ALL,
    at: dt.datetime | None = None,
    locked: bool = False,
) -> Transfer:
    """Write one balanced transfer. Callers hold a transaction; accounts are locked here.

    The payer's row lock (SELECT ... FOR UPDATE on PostgreSQL, the IMMEDIATE write lock on
    SQLite) is taken before the limits are read, so two transfers can never together pass
    a floor. Only breaches of the limits in `blocks` refuse, and only where the community
    blocks; every other breach is written with `is_flagged` for coordinators to see. A retried
    idempotency key returns the first transfer, found after the lock; the same key sent for a
    different transfer (another amount, person, kind or endpoint) is refused.
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
    request_hash = (
        fingerprint(kind, sorted(merged.items()), reason[:300], getattr(reverses, "pk", None))
        if key
        else ""
    )
    if source is not None:
        earlier = Transfer.objects.filter(source=source).first()
        if earlier is not None:
            earlier.is_replay = True  # type: ignore[attr-defined]
            return earlier
    balances = {pk: a.balance for pk, a in held.items()}
    limits = {pk: limits_of(a, ledger) for pk, a in held.items()}
    found = engine.breaches(balances, merged, limits)
    blocking = [b for b in found if b.limit in blocks]
    if blocking and ledger.breach_mode == engine.BLOCK:
        # A retry of a transfer that went through is answered with it, whatever the limits now.
        earlier = _earlier(created_by, key)
        if earlier is not None:
            return replay_or_refuse(earlier, request_hash)
        first = blocking[0]
        raise refusal(first, held[first.key], actor=created_by)
    transfer = Transfer(
        community=community,
        kind=kind,
        reason=reason[:300],
        created_by=created_by,
        reverses=reverses,
        source=source,
        idempotency_key=key,
        request_hash=request_hash,
        is_flagged=bool(found),
        created_at=at or timezone.now(),
    )
    if not _insert(transfer):
        # The idempotency constraint refused a second transfer with this key: a retry.
        earlier = _earlier(created_by, key)
        if earlier is None:
            raise Conflict(_("This transfer could not be saved. Please try again."))
        return replay_or_refuse(earlier, request_hash)
    insert_entries(transfer, merged)
    update_balances(merged)
    for pk, amount in merged.items():
        held[pk].balance += amount
    return transfer


def _earlier(created_by: User | None, key: str) -> Transfer | None:
    if not key or created_by is None:
        return None
    return Transfer.objects.filter(created_by=created_by, idempotency_key=key).first()


def _insert(transfer: Transfer) -> bool:
    """INSERT the transfer; False when a unique constraint (the idempotency key) refuses it.

    One statement instead of a SELECT for the key and an INSERT: the constraint is the check.
    Plain SQL, because the ORM's save machinery cost more than the write itself.
    """
    ops = connection.ops
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_transfer (public_id, community_id, kind, reason, created_by_id, "
            "reverses_id, source, idempotency_key, request_hash, is_flagged, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
            "ON CONFLICT DO NOTHING RETURNING id",
            [
                transfer.public_id,
                transfer.community_id,
                transfer.kind,
                transfer.reason,
                transfer.created_by_id,
                transfer.reverses_id,
                transfer.source,
                transfer.idempotency_key,
                transfer.request_hash,
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


def insert_entries(transfer: Transfer, merged: dict) -> None:
    """The balanced entries of a transfer, in one INSERT."""
    at = connection.ops.adapt_datetimefield_value(transfer.created_at)
    items = sorted(merged.items())
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO ledger_entry (transfer_id, account_id, amount, created_at) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s, %s)"] * len(items)),
            [v for pk, amount in items for v in (transfer.pk, pk, amount, at)],
        )


def update_balances(merged: dict) -> None:
    """The cached balances of the accounts a transfer touches, in one UPDATE."""
    items = sorted(merged.items())
    cases = " ".join(["WHEN %s THEN %s"] * len(items))
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE ledger_account SET balance = balance + CASE id {cases} END "  # noqa: S608
            f"WHERE id IN ({', '.join(['%s'] * len(items))})",
            [v for pk, amount in items for v in (pk, amount)] + [pk for pk, _a in items],
        )
