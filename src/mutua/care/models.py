"""Care plans, care circles, the on-call rota, check-ins, alerts and their step log.

A plan's `next_due_at` is the indexed timer the sweep claims by; `state` says where the plan
is on its escalation ladder for the occurrence at `current_due_at`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutua.care.flags import flag_reason_words
from mutua.core.models import PublicModel, TimeStamped


class PlanStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    ENDED = "ended", _("Ended")


class PlanState(models.TextChoices):
    WAITING = "waiting", _("Waiting for the next check-in")
    REMINDED = "reminded", _("Reminded")
    DUE = "due", _("Check-in due")
    GRACE = "grace", _("In the grace period")
    ASKING = "asking", _("Asking again")
    ESCALATING = "escalating", _("Escalating")
    HELD = "held", _("Someone is on it")
    ALL_CLEAR = "all_clear", _("All clear")


class CareChannel(models.TextChoices):
    WEB = "web", _("A button on the web")
    EMAIL = "email", _("E-mail link")
    SMS = "sms", _("Text message")
    PHONE = "phone", _("A phone call by a volunteer")


class CareSettings(TimeStamped):
    """A community's care defaults and its drill switch (every plan then runs as a test, until
    `drill_until` when one is set; with none the drill runs until it is switched off)."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="care_settings"
    )
    is_drill = models.BooleanField(default=False)
    drill_until = models.DateTimeField(null=True, blank=True)
    grace_minutes = models.PositiveIntegerField(default=30)
    contact_timeout_minutes = models.PositiveIntegerField(default=20)
    repeat_minutes = models.PositiveIntegerField(default=15)

    def __str__(self) -> str:
        return f"care settings of {self.community_id}"


class CarePlan(PublicModel):
    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="care_plans"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_plans"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_note = models.CharField(max_length=300, blank=True)
    rrule = models.CharField(max_length=300, default="FREQ=DAILY")
    times = models.JSONField(default=list)  # ["09:00", "18:00"] in the community's time zone
    starts_on = models.DateField()
    channels = models.JSONField(default=list)  # CareChannel values
    grace_minutes = models.PositiveIntegerField(default=30)
    reminder_leads = models.JSONField(default=list)  # minutes before the deadline
    contact_timeout_minutes = models.PositiveIntegerField(default=20)
    repeat_minutes = models.PositiveIntegerField(default=15)
    paused_until = models.DateTimeField(null=True, blank=True)
    is_drill = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default="active")
    state = models.CharField(max_length=16, choices=PlanState.choices, default="waiting")
    step = models.PositiveSmallIntegerField(default=0)
    current_due_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    current_alert = models.ForeignKey(
        "Alert", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reply_code = models.CharField(max_length=8, db_index=True)
    is_flagged = models.BooleanField(default=False)
    flag_reason = models.CharField(max_length=300, blank=True)  # a code of care/flags.py
    flag_remind_at = models.DateTimeField(null=True, blank=True, db_index=True)
    last_checkin_at = models.DateTimeField(null=True, blank=True)
    # Set when the sweep could not advance the plan (an error), cleared when it next can: the
    # board shows such plans in red and /health answers 503 while one stays stuck.
    failing_since = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["community", "status", "state"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(grace_minutes__lte=24 * 60), name="care_plan_grace_range"
            )
        ]

    def __str__(self) -> str:
        return f"care plan {self.public_id}"

    @property
    def flag_reason_words(self) -> Any:
        """Why the plan needs mending, in the reader's language."""
        return flag_reason_words(self.flag_reason)


class ContactKind(models.TextChoices):
    MEMBER = "member", _("A member of the community")
    OUTSIDE = "outside", _("An outside emergency contact")
    ON_CALL = "on_call", _("The coordinator on call")


class ContactStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    LEFT = "left", _("Left the circle")
    INELIGIBLE = "ineligible", _("No longer able to be in the circle")


class CircleContact(PublicModel):
    """One place in a plan's care circle. Only accepted contacts are ever relied on."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="contacts")
    order = models.PositiveSmallIntegerField(default=0)
    kind = models.CharField(max_length=16, choices=ContactKind.choices)
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="care_circles",
    )
    name = models.CharField(max_length=120, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(blank=True)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    # How an outside contact agreed to be called, and who noted it: shown only to those who
    # manage the plan (the person and coordinators).
    consent_note = models.CharField(max_length=300, blank=True)
    consent_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=16, choices=ContactStatus.choices, default="invited")
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["order", "id"]
        # The hourly eligibility pass reads member contacts by status.
        indexes = [models.Index(fields=["status", "kind"])]

    def __str__(self) -> str:
        return f"circle contact {self.public_id}"


class OnCallShift(PublicModel):
    """The rota coordinators keep: who is on call, from when until when (ended early by
    coordinators, e.g. when the coordinator steps down)."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="care_shifts"
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="care_shifts"
    )
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["community", "starts_at", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="care_shift_order"
            )
        ]

    def __str__(self) -> str:
        return f"on call {self.coordinator_id} {self.starts_at:%Y-%m-%d %H:%M}"


class CheckInHow(models.TextChoices):
    WEB = "web", _("On the web")
    LINK = "link", _("From a link in a message")
    SMS = "sms", _("By text message")
    REPLY = "reply", _("By a reply")
    CIRCLE = "circle", _("By someone in the circle")
    COORDINATOR = "coordinator", _("By a coordinator")


class CheckIn(TimeStamped):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="checkins")
    due_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField()
    how = models.CharField(max_length=16, choices=CheckInHow.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_name = models.CharField(max_length=120, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-answered_at", "-id"]

    def __str__(self) -> str:
        return f"check-in {self.plan_id} {self.answered_at:%Y-%m-%d %H:%M}"


class AlertReason(models.TextChoices):
    MISSED = "missed", _("A check-in was missed")
    HELP = "help", _("Asked for help")


class AlertOutcome(models.TextChoices):
    WAS_FINE = "was_fine", _("They were fine")
    NEEDED_HELP = "needed_help", _("They needed help")
    EMERGENCY = "emergency", _("Emergency services were called")
    OTHER = "other", _("Something else")


class Alert(PublicModel):
    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="alerts")
    reason = models.CharField(max_length=16, choices=AlertReason.choices)
    due_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField()
    step = models.PositiveSmallIntegerField(default=0)
    reached_final_step = models.BooleanField(default=False)
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=16, choices=AlertOutcome.choices, blank=True)
    is_drill = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["plan", "outcome"])]

    def __str__(self) -> str:
        return f"alert {self.public_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class AlertEvent(models.Model):
    """The log: every step of a plan's ladder with its time (late when the sweep caught up)."""

    plan = models.ForeignKey(CarePlan, on_delete=models.CASCADE, related_name="events")
    alert = models.ForeignKey(
        Alert, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    kind = models.CharField(max_length=32)
    step = models.PositiveSmallIntegerField(default=0)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The circle contact this step was about: the ladder tries each contact once per alert.
    contact = models.ForeignKey(
        CircleContact, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    detail = models.CharField(max_length=300, blank=True)
    is_late = models.BooleanField(default=False)
    is_drill = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["plan", "at"])]

    def __str__(self) -> str:
        return f"{self.kind} @ {self.at:%Y-%m-%d %H:%M}"
