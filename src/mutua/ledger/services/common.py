"""What the ledger services share: settings, accounts, limits and refusals in kind words.

The one way to write a transfer is `posting.post`."""

from __future__ import annotations

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from mutua.communities.models import Community, Membership, MembershipStatus
from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.ledger import engine
from mutua.ledger.models import Account, LedgerSettings
from mutua.people.models import User

USE, COORDINATE, CONFIGURE = "ledger.use", "ledger.coordinate", "ledger.configure"
MAX_MINUTES = 100 * 60  # one transfer moves at most 100 hours


class LimitReached(Conflict):
    """A transfer would pass a blocking limit. When `fund_offered`, the service that refused
    has filled in what a request to the community fund would need (`recipient`, `minutes`,
    and the `credit_request` being answered, if any), so pages and the API can offer it."""

    code = "limit"

    def __init__(self, message, *, limit: str, fund_offered: bool = False):
        super().__init__(message)
        self.limit = limit
        self.fund_offered = fund_offered
        self.recipient: User | None = None
        self.minutes: int | None = None
        self.credit_request = None

    def offer_fund(self, *, recipient: User, minutes: int, credit_request=None) -> LimitReached:
        self.recipient, self.minutes, self.credit_request = recipient, minutes, credit_request
        return self


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def refuse_if_blocked(actor: User, other: User, message: str) -> None:
    """Credits and requests for credits do not cross a block, in either direction. The words
    say only that it cannot be done, never who blocked whom."""
    from mutua.trust.safeguarding import is_blocked

    if is_blocked(actor, other):
        raise PermissionDenied(message)


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


# Every column an Account needs to check limits and be refused in words (no created_at: it
# would need a converter on SQLite).
ACCOUNT_COLUMNS = (
    "id",
    "public_id",
    "community_id",
    "user_id",
    "is_fund",
    "balance",
    "floor_override",
    "ceiling_override",
    "is_supported",
    "wants_nudge",
)


def accounts_for(community: Community, users: list[User]) -> dict[int, Account]:
    """The members' accounts, locked for this transaction (one query), opened if missing."""
    wanted = sorted({u.pk for u in users})
    # Plain SQL and `from_db`: this runs once per transfer, and the ORM's query compilation
    # (or a RawQuerySet's column mapping) cost more than the query itself.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    marks = ", ".join(["%s"] * len(wanted))
    columns = ", ".join(ACCOUNT_COLUMNS)
    sql = (
        f"SELECT {columns} FROM ledger_account WHERE community_id = %s AND user_id IN ({marks})"  # noqa: S608 (placeholders only)
        f" ORDER BY id{lock}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [community.pk, *wanted])
        rows = cursor.fetchall()
    found = {}
    for row in rows:
        account = Account.from_db(connection.alias, ACCOUNT_COLUMNS, row)
        found[account.user_id] = account
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


def refusal(breach: engine.Breach, account: Account, *, actor: User | None) -> LimitReached:
    """The words for a blocked transfer. A member paying past their own floor is offered the
    community fund; nobody is told they owe anything."""
    if breach.limit == "floor" and account.is_fund:
        return LimitReached(
            _("The community fund has reached the limit its coordinators set."), limit="floor"
        )
    if breach.limit == "floor":
        if actor is not None and account.user_id == actor.pk:
            message = _(
                "This would take your balance below this community's limit. That is all right: "
                "you can ask the community fund to pay for this help instead. A coordinator "
                "will arrange it, and only coordinators see who asked."
            )
            return LimitReached(message, limit="floor", fund_offered=True)
        message = _(
            "This would take the payer's balance below this community's limit. The community "
            "fund can pay for this help instead: choose the fund as the one who gives."
        )
        return LimitReached(message, limit="floor")
    return LimitReached(
        _(
            "This would take the receiving balance above this community's upper limit. "
            "They have given a lot: perhaps they could be asked to receive help instead."
        ),
        limit="ceiling",
    )
