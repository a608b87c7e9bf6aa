"""Time-credit accounts, double-entry transfers and their entries, credit requests.

Amounts are whole minutes (60 = one credit = one hour of help). An account's `balance` is a
cache of the sum of its entries; `mutua ledger verify` recomputes it. Entries are append-only:
database triggers refuse UPDATE and DELETE (docs/decisions/0006-ledger-immutability.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.core.ids import PUBLIC_ID_LENGTH, new_public_id
from mutua.core.models import TimeStamped

DEFAULT_FLOOR = -600  # -10 h
DEFAULT_CEILING = 2400  # +40 h
DEFAULT_FUND_FLOOR = -6000  # -100 h


class BreachMode(models.TextChoices):
    BLOCK = "block", _("Refuse a transfer that passes a limit")
    FLAG = "flag", _("Allow it, and flag it for coordinators")


class LedgerSettings(TimeStamped):
    """A community's choice to keep a time-credit ledger, and its limits."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="ledger_settings"
    )
    is_enabled = models.BooleanField(_("keep a time-credit ledger"), default=False)
    floor_minutes = models.IntegerField(default=DEFAULT_FLOOR)
    ceiling_minutes = models.IntegerField(default=DEFAULT_CEILING)
    fund_floor_minutes = models.IntegerField(default=DEFAULT_FUND_FLOOR)
    breach_mode = models.CharField(
        max_length=8, choices=BreachMode.choices, default=BreachMode.BLOCK
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(floor_minutes__lte=0, ceiling_minutes__gte=0),
                name="ledger_limits_around_zero",
            ),
            models.CheckConstraint(
                condition=models.Q(fund_floor_minutes__lte=0), name="ledger_fund_floor_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"ledger settings of {self.community_id}"


class Account(models.Model):
    """A member's account in a community, or the community fund (`is_fund`, no user)."""

    public_id = models.CharField(
        max_length=PUBLIC_ID_LENGTH, unique=True, default=new_public_id, editable=False
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="ledger_accounts"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ledger_accounts",
    )
    is_fund = models.BooleanField(default=False)
    balance = models.IntegerField(default=0)
    floor_override = models.IntegerField(null=True, blank=True)
    ceiling_override = models.IntegerField(null=True, blank=True)
    is_supported = models.BooleanField(default=False)
    wants_nudge = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=models.Q(user__isnull=False),
                name="ledger_one_account_per_member",
            ),
            models.UniqueConstraint(
                fields=["community"],
                condition=models.Q(is_fund=True),
                name="ledger_one_fund_per_community",
            ),
        ]

    def __str__(self) -> str:
        return f"fund of {self.community_id}" if self.is_fund else f"account {self.public_id}"


class TransferKind(models.TextChoices):
    EXCHANGE = "exchange", _("Help exchanged")
    GIFT = "gift", _("Gift")
    SEND = "send", _("Credits sent")
    REQUEST = "request", _("Credits requested")
    FUND_GIFT = "fund_gift", _("Gift to the community fund")
    COORDINATOR = "coordinator", _("Recorded by a coordinator")
    FUND_PAYMENT = "fund_payment", _("Paid by the community fund")
    REVERSAL = "reversal", _("Correction")


# Kinds that are help between people, counted as hours given and received. A send and an
# approved request are how two members record help that happened outside a posted need;
# a fund payment is help the fund paid for (the helper gave it). Gifts to the fund and
# credits from the fund (`gift`) are shown apart, and corrections are left out.
HELP_KINDS = ("exchange", "send", "request", "coordinator", "fund_payment")


class Transfer(models.Model):
    """One movement of credits: its entries always sum to zero."""

    public_id = models.CharField(
        max_length=PUBLIC_ID_LENGTH, unique=True, default=new_public_id, editable=False
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="ledger_transfers"
    )
    kind = models.CharField(max_length=16, choices=TransferKind.choices)
    reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    # One transfer per source event, e.g. "commitment:<public id>".
    source = models.CharField(max_length=64, null=True, blank=True, unique=True)
    idempotency_key = models.CharField(max_length=80, blank=True)
    # What the keyed request asked for, so a key reused for something else is refused.
    request_hash = models.CharField(max_length=64, blank=True)
    is_flagged = models.BooleanField(default=False)
    # When the credits moved; an exchange's transfer carries the time the help was confirmed.
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="ledger_idempotency_once",
            ),
        ]

    def __str__(self) -> str:
        return f"transfer {self.public_id}"


class Entry(models.Model):
    """One leg of a transfer: a signed amount of minutes on one account. Never edited."""

    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.IntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["account", "id"])]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount=0), name="ledger_entry_not_zero")
        ]

    def __str__(self) -> str:
        return f"{self.amount:+d} min on {self.account_id}"


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    CANCELLED = "cancelled", _("Withdrawn")


class CreditRequest(models.Model):
    """A member asks another for credits; nothing moves until the payer approves."""

    public_id = models.CharField(
        max_length=PUBLIC_ID_LENGTH, unique=True, default=new_public_id, editable=False
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="credit_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    payer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    minutes = models.PositiveIntegerField()
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="request"
    )
    idempotency_key = models.CharField(max_length=80, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="ledger_credit_request_idempotency_once",
            ),
        ]

    def __str__(self) -> str:
        return f"credit request {self.public_id}"


class FundRequest(models.Model):
    """A member asks the community fund to pay someone who helped them; a coordinator answers.

    Coordinators approve rather than the fund paying by itself: the fund is shared and has a
    floor, and the person who answers can also offer other support. Only the member and the
    coordinators see the request; the audit log names the helper paid, not who asked.
    """

    public_id = models.CharField(
        max_length=PUBLIC_ID_LENGTH, unique=True, default=new_public_id, editable=False
    )
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="fund_requests"
    )
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    minutes = models.PositiveIntegerField()
    reason = models.CharField(max_length=300, blank=True)
    # The request for credits the member could not approve, settled by the fund's payment.
    credit_request = models.ForeignKey(
        CreditRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    transfer = models.OneToOneField(
        Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="fund_request"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    idempotency_key = models.CharField(max_length=80, blank=True)
    request_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["requester", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="ledger_fund_request_idempotency_once",
            ),
        ]

    def __str__(self) -> str:
        return f"fund request {self.public_id}"
