"""Needs, offers, responses, commitments and what follows them (thanks, feedback, expenses).

Sensitive details for a task live apart, in `NeedPrivate`; lists never join it.
Timers are indexed due fields (`release_at`, `auto_confirm_at`, `remind_at`, `expires_at`,
`materialised_until`) that the sweeps in `exchange/sweeps.py` claim.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutua.core.models import PublicModel, TimeStamped
from mutua.people.models import Gender


class ExchangeSettings(TimeStamped):
    """Per-community timings of the exchange loop (kept here so communities stays untouched)."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="exchange_settings"
    )
    auto_confirm_days = models.PositiveSmallIntegerField(default=3)
    dispute_window_days = models.PositiveSmallIntegerField(default=14)
    stale_grace_hours = models.PositiveSmallIntegerField(default=24)
    offer_reminder_days = models.PositiveSmallIntegerField(default=3)
    categories = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name_plural = "exchange settings"

    def __str__(self) -> str:
        return f"exchange settings of {self.community_id}"


class Kind(models.TextChoices):
    GOODS = "goods", _("Goods or things")
    ERRAND = "errand", _("Errand or time")
    SKILL = "skill", _("Skill or service")
    RIDE = "ride", _("Ride")
    COMPANIONSHIP = "companionship", _("Companionship or emotional support")
    KNOWLEDGE = "knowledge", _("Knowledge or teaching")
    OTHER = "other", _("Other")


class Urgency(models.TextChoices):
    IMMEDIATE = "immediate", _("Right now")
    DAY = "day", _("Within a day")
    WEEK = "week", _("This week")
    FLEXIBLE = "flexible", _("Flexible")


URGENCY_RANK = {"immediate": 0, "day": 1, "week": 2, "flexible": 3}


class Requirement(models.TextChoices):
    VETTED = "vetted", _("A vetted helper")
    SAME_GENDER = "same_gender", _("Same gender (personal care)")
    CAR = "car", _("Has a car")
    ACCESSIBLE_VEHICLE = "accessible_vehicle", _("Has a wheelchair-accessible vehicle")
    NO_PETS = "no_pets", _("No pets")


REQUIREMENT_LABELS = dict(Requirement.choices)


class NeedStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PARTLY_COMMITTED = "partly_committed", _("Some helpers found")
    COMMITTED = "committed", _("All helpers found")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")
    EXPIRED = "expired", _("Expired")
    NOT_NEEDED = "not_needed", _("No longer needed")
    DUPLICATE = "duplicate", _("Duplicate")


OPEN_NEED_STATUSES = ("open", "partly_committed")
LIVE_NEED_STATUSES = ("open", "partly_committed", "committed", "in_progress")
CLOSING_STATUSES = ("cancelled", "not_needed", "duplicate")
# Why the person or a coordinator closes a live need: each reason is the status it ends in.
CLOSE_REASONS = ("done", "not_needed", "duplicate", "cancelled", "expired")


class Need(PublicModel):
    """Something a person needs; the community sees this row, never `NeedPrivate`."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="needs"
    )
    # Null when a coordinator posts on behalf of someone without an account.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    on_behalf_name = models.CharField(max_length=80, blank=True)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_note = models.CharField(max_length=300, blank=True)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs_as_contact",
        help_text=_("The coordinator to contact for a need posted on someone's behalf."),
    )
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    category = models.CharField(max_length=60, blank=True)
    urgency = models.CharField(max_length=12, choices=Urgency.choices, default=Urgency.FLEXIBLE)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    service_area = models.ForeignKey(
        "communities.ServiceArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
    )
    approx_lat = models.FloatField(null=True, blank=True)
    approx_lon = models.FloatField(null=True, blank=True)
    helpers_wanted = models.PositiveSmallIntegerField(default=1)
    skills = models.ManyToManyField("people.Skill", blank=True, related_name="needs")
    languages = models.JSONField(default=list, blank=True)
    requirements = models.JSONField(default=list, blank=True)
    # With the "same_gender" requirement: the helper's gender the person asks for (their own,
    # or what a coordinator records at intake). Seen only by the person and coordinators.
    gender_wanted = models.CharField(max_length=16, choices=Gender.choices, blank=True, default="")
    allow_self_assign = models.BooleanField(default=False)
    status = models.CharField(
        max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN, db_index=True
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    arrangement = models.ForeignKey(
        "StandingArrangement",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="occurrences",
    )
    # A private need is seen only by its person, its helpers and coordinators, and never
    # listed (the board, browsing, the call list): help agreed from an offer request.
    is_private = models.BooleanField(default=False)
    offer_request = models.OneToOneField(
        "OfferRequest", null=True, blank=True, on_delete=models.SET_NULL, related_name="need"
    )
    # How a closed need ended: the status says why; the note and the duplicate are read only by
    # the person, the helpers and coordinators (`selectors.need_closing_for`).
    close_note = models.TextField(max_length=1000, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["community", "status", "urgency"]),
            models.Index(fields=["status", "expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(helpers_wanted__gte=1, helpers_wanted__lte=50),
                name="need_helpers_wanted_range",
            ),
            models.CheckConstraint(
                condition=models.Q(author__isnull=False)
                | (~models.Q(on_behalf_name="") & models.Q(consent_recorded_at__isnull=False)),
                name="need_has_author_or_consent",
            ),
            models.UniqueConstraint(
                fields=["arrangement", "starts_at"],
                condition=models.Q(arrangement__isnull=False),
                name="need_one_occurrence_per_time",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_on_behalf(self) -> bool:
        return self.author_id is None

    @property
    def is_urgent(self) -> bool:
        return self.urgency in ("immediate", "day")

    @property
    def requirement_labels(self) -> list[str]:
        """What the helper must meet, in words (never the gender asked for)."""
        return [str(REQUIREMENT_LABELS.get(code, code)) for code in self.requirements or []]


class NeedPrivate(TimeStamped):
    """Address, access notes and phone for one need: the person, coordinators, assigned helpers."""

    need = models.OneToOneField(Need, on_delete=models.CASCADE, related_name="private")
    address = models.TextField(max_length=500, blank=True)
    access_notes = models.TextField(max_length=1000, blank=True)
    contact_phone = models.CharField(max_length=32, blank=True)

    def __str__(self) -> str:
        return f"private details of need {self.need_id}"


class OfferStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    EXPIRED = "expired", _("Expired")


class Offer(PublicModel):
    """What a member gives, lends or does; it expires unless renewed."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="offers"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.OTHER)
    category = models.CharField(max_length=60, blank=True)
    service_area = models.ForeignKey(
        "communities.ServiceArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="offers",
    )
    approx_lat = models.FloatField(null=True, blank=True)
    approx_lon = models.FloatField(null=True, blank=True)
    skills = models.ManyToManyField("people.Skill", blank=True, related_name="offers")
    available_note = models.CharField(max_length=200, blank=True)
    # Given once (a sofa): the offer closes when its owner accepts a request for it.
    is_one_off = models.BooleanField(default=False)
    status = models.CharField(
        max_length=12, choices=OfferStatus.choices, default=OfferStatus.OPEN, db_index=True
    )
    expires_at = models.DateTimeField(db_index=True)
    remind_at = models.DateTimeField(null=True, blank=True, db_index=True)
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["community", "status", "kind"])]

    def __str__(self) -> str:
        return self.title


class OfferRequestStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class OfferRequest(PublicModel):
    """A member asks for an offer; its owner accepts or declines."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="requests")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offer_requests"
    )
    message = models.TextField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=12, choices=OfferRequestStatus.choices, default=OfferRequestStatus.PENDING
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["offer", "requester"],
                condition=models.Q(status="pending"),
                name="one_pending_request_per_offer",
            )
        ]

    def __str__(self) -> str:
        return f"request for offer {self.offer_id}"


class ResponseStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Not this time")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Response(PublicModel):
    """A helper offers to help with a need ("I can do Tuesday afternoon")."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="responses")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="responses"
    )
    message = models.TextField(max_length=1000, blank=True)
    proposed_time = models.CharField(max_length=120, blank=True)
    status = models.CharField(
        max_length=12, choices=ResponseStatus.choices, default=ResponseStatus.PENDING
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "helper"],
                condition=models.Q(status="pending"),
                name="one_pending_response_per_helper",
            )
        ]

    def __str__(self) -> str:
        return f"response to need {self.need_id}"


class CommitmentStatus(models.TextChoices):
    ACTIVE = "active", _("Agreed")
    DONE_PENDING = "done_pending", _("Marked done, waiting for confirmation")
    CONFIRMED = "confirmed", _("Done")
    RELEASED = "released", _("Released")
    CANCELLED = "cancelled", _("Cancelled")


# Statuses that hold a place on the need.
PLACE_HOLDING = ("active", "done_pending", "confirmed")
ACTIVE_COMMITMENT = ("active", "done_pending")


class Commitment(PublicModel):
    """A helper's agreement to help with a need; it ends confirmed, released or cancelled."""

    need = models.ForeignKey(Need, on_delete=models.CASCADE, related_name="commitments")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commitments"
    )
    response = models.OneToOneField(
        Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="commitment"
    )
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=16, choices=CommitmentStatus.choices, default=CommitmentStatus.ACTIVE
    )
    due_at = models.DateTimeField()
    release_at = models.DateTimeField(db_index=True)  # due_at + the community's grace
    hours = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    done_marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    done_marked_at = models.DateTimeField(null=True, blank=True)
    auto_confirm_at = models.DateTimeField(null=True, blank=True, db_index=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    auto_confirmed = models.BooleanField(default=False)
    dispute_until = models.DateTimeField(null=True, blank=True)
    no_show_reported_at = models.DateTimeField(null=True, blank=True)
    no_show_reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    no_show_note = models.TextField(max_length=1000, blank=True)
    follow_up = models.BooleanField(default=False, db_index=True)
    follow_up_note = models.TextField(max_length=1000, blank=True)
    # Either side questions help that was marked done, within the dispute window.
    disputed_at = models.DateTimeField(null=True, blank=True)
    disputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    dispute_reason = models.TextField(max_length=1000, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "release_at"]),
            models.Index(fields=["status", "auto_confirm_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["need", "helper"],
                condition=models.Q(status__in=["active", "done_pending", "confirmed"]),
                name="one_place_per_helper_per_need",
            ),
            models.CheckConstraint(
                condition=models.Q(hours__isnull=True) | models.Q(hours__gte=0, hours__lte=24),
                name="commitment_hours_range",
            ),
        ]

    def __str__(self) -> str:
        return f"commitment {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_COMMITMENT


class FeedbackKind(models.TextChoices):
    THANKS = "thanks", _("Thank-you note")
    FEEDBACK = "feedback", _("Private feedback for coordinators")


class Feedback(PublicModel):
    """A private thank-you (read by its recipient) or private feedback (read by coordinators)."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="thanks_received",
    )
    kind = models.CharField(max_length=10, choices=FeedbackKind.choices)
    text = models.TextField(max_length=2000)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.commitment_id}"


class Expense(PublicModel):
    """Money a helper spent for the task; repaid outside Mutua. Never part of the time ledger."""

    commitment = models.ForeignKey(Commitment, on_delete=models.CASCADE, related_name="expenses")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    note = models.CharField(max_length=300, blank=True)
    repaid_at = models.DateTimeField(null=True, blank=True)
    repaid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gt=0, amount__lte=100_000), name="expense_amount_range"
            )
        ]

    def __str__(self) -> str:
        return f"expense {self.amount} {self.currency}"


class ArrangementStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the helper's answer")
    DECLINED = "declined", _("The helper could not take it on")
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class StandingArrangement(PublicModel):
    """Recurring help (shopping every Tuesday): an RRULE whose occurrences become needs ahead."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="arrangements"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="arrangements",
    )
    on_behalf_name = models.CharField(max_length=80, blank=True)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="arrangements_helping"
    )
    title = models.CharField(max_length=120)
    description = models.TextField(max_length=4000, blank=True)
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.ERRAND)
    rrule = models.CharField(max_length=300)
    dtstart = models.DateTimeField()
    duration_minutes = models.PositiveIntegerField(default=60)
    # What each occurrence asks of its helper, as the need it came from did (a vetted helper,
    # the same gender for personal care): every date and every new helper is checked against it.
    requirements = models.JSONField(default=list, blank=True)
    gender_wanted = models.CharField(max_length=16, choices=Gender.choices, blank=True, default="")
    status = models.CharField(
        max_length=10, choices=ArrangementStatus.choices, default=ArrangementStatus.ACTIVE
    )
    materialised_until = models.DateTimeField(db_index=True)
    # Nobody is committed to recurring help without saying yes: the helper accepts a proposal,
    # or a coordinator records that the helper agreed.
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    helper_answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.title
