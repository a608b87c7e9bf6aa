"""Users, profiles, skills, availability and the sensitive details kept apart."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutua.core.ids import PUBLIC_ID_LENGTH, new_public_id
from mutua.core.models import PublicModel, TimeStamped


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra) -> User:
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractUser):
    """A person who can sign in. Log in by e-mail; `is_staff` means a site operator."""

    username = None  # type: ignore[assignment]
    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    public_id = models.CharField(
        max_length=PUBLIC_ID_LENGTH, unique=True, default=new_public_id, editable=False
    )
    is_anonymised = models.BooleanField(default=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = UserManager()  # type: ignore[misc]

    def __str__(self) -> str:
        profile = getattr(self, "profile", None)
        return profile.display_name if profile else self.email

    # The audit log never stores a person's name; it names them from the live profile.
    audit_label = ""


class CapacityStatus(models.TextChoices):
    AVAILABLE = "available", _("Available")
    LIMITED = "limited", _("Limited")
    BREAK = "break", _("Taking a break")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("Text message (SMS)")
    PHONE = "phone", _("Phone call")
    APP = "app", _("In the app only")


class Gender(models.TextChoices):
    """Self-described, optional, never shown to others: it serves only needs that ask for a
    helper of the same gender (personal care)."""

    WOMAN = "woman", _("Woman")
    MAN = "man", _("Man")
    NON_BINARY = "non_binary", _("Non-binary")


class Profile(TimeStamped):
    """What a member shows to their communities. Never holds sensitive details."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    display_name = models.CharField(_("name shown to others"), max_length=80)
    bio = models.TextField(_("a few words about you"), max_length=500, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    free_tags = models.JSONField(_("other things you can do"), default=list, blank=True)
    capacity_status = models.CharField(
        max_length=16, choices=CapacityStatus.choices, default=CapacityStatus.AVAILABLE
    )
    break_until = models.DateField(null=True, blank=True)
    has_car = models.BooleanField(_("I have a car"), default=False)
    has_accessible_vehicle = models.BooleanField(
        _("I have a wheelchair-accessible vehicle"), default=False
    )
    # Empty when the person has not said; such a helper is never matched to a need that asks
    # for the same gender.
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    has_pets = models.BooleanField(_("I have pets at home"), default=False)
    preferred_channel = models.CharField(
        max_length=8, choices=Channel.choices, default=Channel.EMAIL
    )
    quiet_hours_start = models.TimeField(null=True, blank=True)
    quiet_hours_end = models.TimeField(null=True, blank=True)
    preferred_language = models.CharField(max_length=8, default="en")

    def __str__(self) -> str:
        return self.display_name

    @property
    def first_name(self) -> str:
        return (self.display_name.split() or [""])[0]

    def is_on_break(self, today: dt.date | None = None) -> bool:
        if self.capacity_status != CapacityStatus.BREAK:
            return False
        today = today or timezone.localdate()
        return self.break_until is None or self.break_until >= today


class Skill(models.Model):
    """A skill in the shared taxonomy (community null) or one a community added."""

    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="skills",
    )
    slug = models.SlugField(max_length=60)
    name = models.CharField(max_length=80)
    category = models.CharField(max_length=60, blank=True)

    class Meta:
        ordering = ["category", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "slug"], name="skill_unique_per_community"
            ),
            models.UniqueConstraint(
                fields=["slug"],
                condition=models.Q(community__isnull=True),
                name="skill_unique_global",
            ),
            # The API names skills by slug (api/skills.py), so every skill needs one.
            models.CheckConstraint(condition=~models.Q(slug=""), name="skill_slug_not_empty"),
        ]

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self) -> str:
        """The name to show: translated for shared skills, as typed for a community's own."""
        if self.community_id is None:
            from mutua.people.taxonomy import SKILL_LABELS

            return str(SKILL_LABELS.get(self.slug, self.name))
        return self.name

    @property
    def category_label(self) -> str:
        if self.community_id is None:
            from mutua.people.taxonomy import CATEGORY_LABELS

            return str(CATEGORY_LABELS.get(self.category, self.category))
        return self.category


class ProfileSkill(models.Model):
    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="profile_skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="profile_skills")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "skill"], name="profile_skill_once")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id}:{self.skill_id}"


class AvailabilityWindow(models.Model):
    """A weekly window when a member can usually help, in their community's local time."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField()  # 0 = Monday
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(weekday__gte=0, weekday__lte=6),
                name="availability_weekday_range",
            ),
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="availability_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.weekday} {self.start:%H:%M}-{self.end:%H:%M}"


class SensitiveDetails(TimeStamped):
    """Address, phone, access and health notes: shown only under the rule in DESIGN.md."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sensitive"
    )
    address = models.TextField(_("address"), max_length=500, blank=True)
    phone = models.CharField(_("phone number"), max_length=32, blank=True)
    # A caller found this number wrong or dead; cleared when the number changes.
    phone_reported_wrong_at = models.DateTimeField(null=True, blank=True)
    access_notes = models.TextField(
        _("how to get in (keyholder, door code)"), max_length=1000, blank=True
    )
    health_notes = models.TextField(_("health notes"), max_length=2000, blank=True)
    health_consent_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"sensitive details of user {self.user_id}"


class ApiToken(PublicModel):
    """A personal access token. Only its SHA-256 is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=80)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
