"""Vouches, in-person verification, trust scores and settings; blocks and concerns."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutua.core.models import PublicModel, TimeStamped


class Level(models.TextChoices):
    NEW = "new", _("New")
    KNOWN = "known", _("Known")
    TRUSTED = "trusted", _("Trusted")


# Allowed ranges of the settings a community may change (the service, API, form and a database
# constraint all read them). Thresholds are on the normalised score, where 1.0 is average.
SETTING_RANGES: dict[str, tuple[float, float]] = {
    "known_at": (0.05, 5.0),
    "trusted_at": (0.1, 20.0),
    "min_backers": (1, 10),
    "damping": (0.5, 0.95),
    "vouch_monthly_limit": (1, 50),
}


def _in_ranges() -> models.Q:
    q = models.Q()
    for name, (low, high) in SETTING_RANGES.items():
        q &= models.Q(**{f"{name}__gte": low, f"{name}__lte": high})
    return q


class TrustSettings(TimeStamped):
    """Per-community thresholds on the normalised score (1.0 is the average member)."""

    community = models.OneToOneField(
        "communities.Community", on_delete=models.CASCADE, related_name="trust_settings"
    )
    known_at = models.FloatField(default=0.2)
    trusted_at = models.FloatField(default=1.0)
    min_backers = models.PositiveSmallIntegerField(default=2)
    damping = models.FloatField(default=0.85)
    vouch_monthly_limit = models.PositiveSmallIntegerField(default=5)
    gates_enabled = models.BooleanField(default=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # Evidence changed: recompute at this time (a short wait lets a burst share one recompute).
    recompute_due_at = models.DateTimeField(null=True, blank=True, db_index=True)

    class Meta:
        verbose_name_plural = "trust settings"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(known_at__gte=0, trusted_at__gte=models.F("known_at")),
                name="trust_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=models.Q(damping__gt=0, damping__lt=1), name="trust_damping_range"
            ),
            models.CheckConstraint(condition=_in_ranges(), name="trust_settings_in_range"),
        ]

    def __str__(self) -> str:
        return f"trust settings of {self.community_id}"


class Vouch(PublicModel):
    """A member with standing says they know and trust another member. Revocable."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="vouches"
    )
    voucher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vouches_given"
    )
    vouchee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="vouches_received"
    )
    note = models.CharField(max_length=300, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "voucher", "vouchee"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_vouch_per_pair",
            ),
            models.CheckConstraint(
                condition=~models.Q(voucher=models.F("vouchee")), name="vouch_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"vouch {self.public_id}"


class Verification(TimeStamped):
    """A coordinator met the member in person (a flag; no documents are kept)."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="verifications"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verifications"
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_live_verification",
            )
        ]

    def __str__(self) -> str:
        return f"met in person: {self.user_id}"


class TrustScore(models.Model):
    """The last computed score of one membership. Members see their level, never the score."""

    membership = models.OneToOneField(
        "communities.Membership", on_delete=models.CASCADE, related_name="trust_score"
    )
    score = models.FloatField(default=0.0)
    normalised = models.FloatField(default=0.0)
    level = models.CharField(max_length=8, choices=Level.choices, default=Level.NEW)
    # Evidence counts and names; `explain()` in services renders them in the reader's language.
    explanation = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.membership_id}: {self.level}"


class Block(TimeStamped):
    """One person blocks another: neither sees the other's needs and offers."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"block {self.blocker_id}->{self.blocked_id}"


class ConcernStatus(models.TextChoices):
    OPEN = "open", _("Waiting for review")
    REVIEWED = "reviewed", _("Reviewed")


class Concern(PublicModel):
    """A concern reported privately to coordinators; only they and the reporter read it."""

    community = models.ForeignKey(
        "communities.Community", on_delete=models.CASCADE, related_name="concerns"
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    about = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="concerns_about",
    )
    text = models.TextField(max_length=4000)
    status = models.CharField(
        max_length=10, choices=ConcernStatus.choices, default=ConcernStatus.OPEN, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(max_length=2000, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"concern {self.public_id}"
