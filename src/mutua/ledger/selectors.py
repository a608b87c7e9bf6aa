"""Ledger reads: my balance, my statement, the coordinator summary, verification."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.errors import NotFound
from mutua.core.permissions import can, require
from mutua.ledger import engine
from mutua.ledger.models import HELP_KINDS, Account, CreditRequest, Entry, FundRequest, Transfer
from mutua.ledger.services.common import COORDINATE, USE, account_for, limits_of, settings_for
from mutua.people.models import User

NEAR = 0.75  # within the last quarter of the way to a limit


def ledger_is_on(*, community: Community) -> bool:
    return settings_for(community).is_enabled


def _require_on(community: Community) -> None:
    if not ledger_is_on(community=community):
        raise NotFound(_("This community does not keep a time-credit ledger."))


@dataclass
class Balance:
    account: Account
    balance: int
    given: int  # hours of help given (see `balance_get`)
    received: int  # hours of help received
    gifts_to_fund: int
    from_fund: int  # credits the community fund gave this member
    floor: int | None
    ceiling: int | None
    nudge: str = ""  # "ask" (given a lot), "offer" (received a lot) or ""
    pending: list[CreditRequest] = field(default_factory=list)
    fund_pending: list[FundRequest] = field(default_factory=list)


def _nudge(account: Account, limits: engine.Limits) -> str:
    if limits.ceiling and account.balance >= NEAR * limits.ceiling:
        return "ask"
    if limits.floor and account.balance <= NEAR * limits.floor:
        return "offer"
    return ""


def balance_get(*, viewer: User, community: Community) -> Balance:
    """The viewer's own balance; nobody else's.

    Hours given and received count help only: exchanges, coordinator records, fund payments,
    and member sends and approved requests (how two members record help that happened outside
    a posted need; Mutua has no member-to-member gift). Gifts to the community fund and credits
    from the fund are shown apart, and reversed transfers and their corrections are left out.
    Help the fund paid for on a supported member's behalf moves nothing on their account.
    """
    require(viewer, USE, community)
    _require_on(community)
    account = account_for(community, viewer)
    help_kind = Q(transfer__kind__in=HELP_KINDS)
    sums = (
        Entry.objects.filter(account=account)
        .exclude(transfer__kind="reversal")
        .exclude(transfer__reversed_by__isnull=False)
        .aggregate(
            given=Sum("amount", filter=help_kind & Q(amount__gt=0), default=0),
            received=Sum("amount", filter=help_kind & Q(amount__lt=0), default=0),
            to_fund=Sum("amount", filter=Q(transfer__kind="fund_gift", amount__lt=0), default=0),
            from_fund=Sum("amount", filter=Q(transfer__kind="gift", amount__gt=0), default=0),
        )
    )
    limits = limits_of(account, settings_for(community))
    pending = list(
        CreditRequest.objects.filter(community=community, status="pending")
        .filter(Q(payer=viewer) | Q(requester=viewer))
        .select_related("payer__profile", "requester__profile")[:50]
    )
    fund_pending = list(
        FundRequest.objects.filter(community=community, requester=viewer, status="pending")
        .select_related("recipient__profile")
        .order_by("created_at", "id")[:50]
    )
    return Balance(
        account=account,
        balance=account.balance,
        given=sums["given"],
        received=-sums["received"],
        gifts_to_fund=-sums["to_fund"],
        from_fund=sums["from_fund"],
        floor=limits.floor,
        ceiling=limits.ceiling,
        nudge=_nudge(account, limits) if account.wants_nudge else "",
        pending=pending,
        fund_pending=fund_pending,
    )


@dataclass
class StatementFilters:
    kind: str = ""
    since: dt.date | None = None
    until: dt.date | None = None


def statement(
    *, viewer: User, community: Community, filters: StatementFilters | None = None
) -> QuerySet[Entry]:
    """The viewer's own entries, newest first, with their transfers."""
    require(viewer, USE, community)
    _require_on(community)
    filters = filters or StatementFilters()
    account = account_for(community, viewer)
    entries = Entry.objects.filter(account=account).select_related("transfer")
    if filters.kind:
        entries = entries.filter(transfer__kind=filters.kind)
    if filters.since:
        entries = entries.filter(created_at__date__gte=filters.since)
    if filters.until:
        entries = entries.filter(created_at__date__lte=filters.until)
    return entries.order_by("-created_at", "-id")


@dataclass
class Summary:
    fund_balance: int
    in_circulation: int
    accounts: int
    flagged: int
    may_need_support: list[Account]  # each with `is_past_limit`
    could_be_asked: list[Account]
    recent_flagged: list[Transfer] = field(default_factory=list)
    fund_requests: int = 0  # waiting for a coordinator


FLAGGED_SHOWN = 20


def summary_get(*, viewer: User, community: Community) -> Summary:
    """For coordinators: the fund, credits in circulation, who may need support or be asked,
    and the latest flagged transfers. Lists are in account order, never ranked by balance."""
    require(viewer, COORDINATE, community)
    _require_on(community)
    ledger = settings_for(community)
    members = Account.objects.filter(community=community, is_fund=False)
    totals = members.aggregate(
        circulation=Sum("balance", filter=Q(balance__gt=0), default=0), count=Count("id")
    )
    fund = Account.objects.filter(community=community, is_fund=True).first()
    candidates = list(
        members.filter(user__isnull=False)
        .select_related("user__profile")
        .filter(
            Q(balance__lte=NEAR * ledger.floor_minutes)
            | Q(balance__gte=NEAR * ledger.ceiling_minutes)
            | Q(floor_override__isnull=False)
            | Q(ceiling_override__isnull=False)
        )
        .order_by("id")
    )
    low, high = [], []
    for account in candidates:
        limits = limits_of(account, ledger)
        if limits.floor and account.balance <= NEAR * limits.floor:
            account.is_past_limit = account.balance < limits.floor  # type: ignore[attr-defined]
            low.append(account)
        elif limits.ceiling and account.balance >= NEAR * limits.ceiling:
            account.is_past_limit = account.balance > limits.ceiling  # type: ignore[attr-defined]
            high.append(account)
    flagged = Transfer.objects.filter(community=community, is_flagged=True)
    return Summary(
        fund_balance=fund.balance if fund else 0,
        in_circulation=totals["circulation"],
        accounts=totals["count"],
        flagged=flagged.count(),
        may_need_support=low,
        could_be_asked=high,
        recent_flagged=list(
            flagged.select_related("reverses").order_by("-created_at", "-id")[:FLAGGED_SHOWN]
        ),
        fund_requests=FundRequest.objects.filter(community=community, status="pending").count(),
    )


def can_coordinate(*, viewer: User, community: Community) -> bool:
    return can(viewer, COORDINATE, community)


def requests_for(*, viewer: User, community: Community) -> QuerySet[CreditRequest]:
    """Requests for credits the viewer made or was asked to pay (nobody else's)."""
    require(viewer, USE, community)
    _require_on(community)
    return CreditRequest.objects.filter(community=community).filter(
        Q(payer=viewer) | Q(requester=viewer)
    )


def fund_requests_pending(*, viewer: User, community: Community) -> QuerySet[FundRequest]:
    """Requests to the community fund waiting for an answer, oldest first (coordinators)."""
    require(viewer, COORDINATE, community)
    _require_on(community)
    return (
        FundRequest.objects.filter(community=community, status="pending")
        .select_related("requester__profile", "recipient__profile")
        .order_by("created_at", "id")
    )


def fund_request_get(*, viewer: User, public_id: str) -> FundRequest:
    """A request to the fund, for the member who asked or a coordinator of its community."""
    request = (
        FundRequest.objects.filter(public_id=public_id)
        .select_related("community", "requester", "recipient")
        .first()
    )
    if request is None or not (
        request.requester_id == viewer.pk or can(viewer, COORDINATE, request.community)
    ):
        raise NotFound(_("We could not find this request."))
    return request


def ledger_verify() -> list[str]:
    """Recompute every balance from the entries; check zero-sum and reversals. [] when clean."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, community_id, balance FROM ledger_account")
        rows = cursor.fetchall()
        cursor.execute("SELECT account_id, SUM(amount) FROM ledger_entry GROUP BY account_id")
        summed = {a: int(s) for a, s in cursor.fetchall()}
        cursor.execute(
            "SELECT transfer_id, SUM(amount) FROM ledger_entry GROUP BY transfer_id "
            "HAVING SUM(amount) <> 0"
        )
        unbalanced = {t: int(s) for t, s in cursor.fetchall()}
        cursor.execute(
            "SELECT r.id FROM ledger_transfer r "
            "LEFT JOIN ledger_transfer o ON o.id = r.reverses_id "
            "WHERE (r.kind = 'reversal' AND (o.id IS NULL OR o.community_id <> r.community_id)) "
            "OR (r.kind <> 'reversal' AND r.reverses_id IS NOT NULL)"
        )
        bad_reversals = [r for (r,) in cursor.fetchall()]
    return engine.find_discrepancies(
        cached={a: b for a, _c, b in rows},
        summed=summed,
        community_of={a: c for a, c, _b in rows},
        unbalanced_transfers=unbalanced,
        bad_reversals=bad_reversals,
    )


def member_user(*, community: Community, public_id: str) -> User | None:
    """The user behind an active member id of this community, or None."""
    from mutua.communities.models import Membership

    m = (
        Membership.objects.filter(community=community, public_id=public_id, status="active")
        .select_related("user")
        .first()
    )
    return m.user if m else None


def member_ids(*, community: Community, users: list[int]) -> dict[int, str]:
    """user id -> member id in this community, in one query."""
    from mutua.communities.models import Membership

    return dict(
        Membership.objects.filter(community=community, user_id__in=users).values_list(
            "user_id", "public_id"
        )
    )


def transfer_get(*, viewer: User, community: Community, public_id: str) -> Transfer:
    """A transfer of this community, for coordinators."""
    require(viewer, COORDINATE, community)
    transfer = (
        Transfer.objects.filter(community=community, public_id=public_id)
        .select_related("community")
        .first()
    )
    if transfer is None:
        raise NotFound(_("We could not find this transfer."))
    return transfer


def member_choices(*, viewer: User, community: Community) -> list[tuple[str, str]]:
    """(member id, name) of the other active members, for choosing whom to send to or ask;
    nobody the viewer blocked or was blocked by (credits do not cross a block)."""
    from mutua.communities.models import Membership
    from mutua.trust.safeguarding import not_blocked

    require(viewer, USE, community)
    rows = (
        Membership.objects.filter(community=community, status="active")
        .filter(not_blocked(viewer, "user"))
        .exclude(user=viewer)
        .select_related("user__profile")
        .order_by("user__profile__display_name", "id")
    )
    return [(m.public_id, str(m.user)) for m in rows[:2000]]


def settings_get(*, viewer: User, community: Community):
    """The ledger settings, for coordinators and stewards."""
    require(viewer, COORDINATE, community)
    return settings_for(community)


def changed_settings(current, **values) -> dict:
    """Only the settings that differ, so a coordinator saving limits never toggles the ledger."""
    return {k: v for k, v in values.items() if getattr(current, k) != v}


def coordinator_member_choices(*, viewer: User, community: Community) -> list[tuple[str, str]]:
    """(member id, name) of every active member, for coordinators acting on someone's behalf."""
    from mutua.communities.models import Membership

    require(viewer, COORDINATE, community)
    _require_on(community)
    rows = (
        Membership.objects.filter(community=community, status="active")
        .select_related("user__profile")
        .order_by("user__profile__display_name", "id")
    )
    return [(m.public_id, str(m.user)) for m in rows[:2000]]
