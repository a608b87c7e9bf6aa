"""Matching settings, stored dispatch plans and proactive suggestions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutua.core.models import PublicModel, TimeStamped


class MatchingSettings(TimeStamped):
    """What a community tunes: weights of the cost, capacity, and how suggestions go out."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="matching_settings"
    )
    weights = models.JSONField(default=dict, blank=True)  # overrides of engine.Weights fields
    capacity = models.PositiveSmallIntegerField(default=3)
    daily_suggestion_cap = models.PositiveSmallIntegerField(default=3)
    suggest_per_round = models.PositiveSmallIntegerField(default=3)
    max_rounds = models.PositiveSmallIntegerField(default=4)
    widen_minutes_urgent = models.PositiveIntegerField(default=30)
    widen_minutes = models.PositiveIntegerField(default=12 * 60)
    # "More automatic with trust": standing arrangements run for a term; when both the person
    # and the helper are trusted the term renews by itself, otherwise a coordinator renews it.
    trusted_arrangements_renew = models.BooleanField(default=False)
    arrangement_term_days = models.PositiveSmallIntegerField(default=56)

    class Meta:
        verbose_name_plural = "matching settings"

    def __str__(self) -> str:
        return f"matching settings of {self.community_id}"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Waiting for review")
    APPROVED = "approved", _("Approved, helpers asked")
    DISCARDED = "discarded", _("Discarded")


class DispatchPlan(PublicModel):
    """A proposed assignment of helpers to the open needs of a community or area."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="dispatch_plans"
    )
    area = models.ForeignKey(
        "communities.ServiceArea",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=12, choices=PlanStatus.choices, default="draft")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    total_cost = models.BigIntegerField(default=0)
    # [{"need": public_id, "title": ..., "missing": places, "reason": code}]
    unmet = models.JSONField(default=list, blank=True)
    needs_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"dispatch plan {self.public_id}"


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ASKED = "asked", _("Asked")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    SKIPPED = "skipped", _("Not asked")


class PlanAssignment(PublicModel):
    """One helper proposed for one need in a plan; after approval, asked and answered."""

    plan = models.ForeignKey(DispatchPlan, on_delete=models.CASCADE, related_name="assignments")
    need = models.ForeignKey("exchange.Need", on_delete=models.CASCADE, related_name="+")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="plan_assignments"
    )
    cost = models.FloatField(default=0.0)
    terms = models.JSONField(default=dict, blank=True)  # the cost terms that explain it
    status = models.CharField(max_length=12, choices=AssignmentStatus.choices, default="proposed")
    note = models.CharField(max_length=300, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "need", "helper"], name="plan_assignment_once")
        ]
        indexes = [models.Index(fields=["helper", "status"])]

    def __str__(self) -> str:
        return f"assignment {self.public_id}"


class Outreach(TimeStamped):
    """Proactive suggestions for one need: which round, and when the circle widens next."""

    need = models.OneToOneField("exchange.Need", on_delete=models.CASCADE, related_name="outreach")
    round = models.PositiveSmallIntegerField(default=0)
    next_widen_at = models.DateTimeField(null=True, blank=True, db_index=True)

    def __str__(self) -> str:
        return f"outreach for need {self.need_id}"


class Suggestion(TimeStamped):
    """A helper was told about a need that fits them (counted against the daily cap)."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    need = models.ForeignKey("exchange.Need", on_delete=models.CASCADE, related_name="+")
    helper = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="match_suggestions"
    )
    round = models.PositiveSmallIntegerField(default=1)
    terms = models.JSONField(default=dict, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["need", "helper"], name="suggestion_once")]
        indexes = [models.Index(fields=["helper", "community", "created_at"])]

    def __str__(self) -> str:
        return f"suggestion {self.need_id}->{self.helper_id}"


class ArrangementTerm(TimeStamped):
    """The end date of a standing arrangement in a community that uses terms (see settings)."""

    arrangement = models.OneToOneField(
        "exchange.StandingArrangement", on_delete=models.CASCADE, related_name="term"
    )
    ends_at = models.DateTimeField(db_index=True)
    renewals = models.PositiveIntegerField(default=0)
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # None after an automatic renewal between trusted people

    def __str__(self) -> str:
        return f"term of arrangement {self.arrangement_id}"


class SuggestionDay(models.Model):
    """How many suggestions one helper got from one community on one day (its time zone).

    The daily cap is claimed by a conditional increment of this row (`count < cap`), which the
    unique constraint and the row lock make hold when needs are suggested at the same moment."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="+"
    )
    helper = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "helper", "day"], name="suggestion_day_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.helper_id} on {self.day}: {self.count}"


class OfferOutreach(TimeStamped):
    """The owner of a new offer was told which open needs it could meet (once per offer)."""

    offer = models.OneToOneField(
        "exchange.Offer", on_delete=models.CASCADE, related_name="matching_outreach"
    )
    needs = models.JSONField(default=list, blank=True)  # public ids of the needs suggested

    def __str__(self) -> str:
        return f"needs for offer {self.offer_id}"
