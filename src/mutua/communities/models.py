"""Communities, memberships and roles, invitations, applications and service areas."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutua.core.models import PublicModel, TimeStamped


class JoinPolicy(models.TextChoices):
    OPEN = "open", _("Anyone can join")
    APPLICATION = "application", _("People apply and coordinators decide")
    INVITATION = "invitation", _("By invitation only")


class Community(TimeStamped):
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(_("web address"), max_length=60, unique=True)
    description = models.TextField(_("description"), max_length=4000, blank=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    join_policy = models.CharField(
        _("how people join"),
        max_length=16,
        choices=JoinPolicy.choices,
        default=JoinPolicy.APPLICATION,
    )
    application_questions = models.JSONField(
        _("questions for applicants"), default=list, blank=True
    )
    emergency_number = models.CharField(_("emergency number"), max_length=32, default="112")
    location_cell_m = models.PositiveIntegerField(_("location cell size in metres"), default=500)
    require_mfa_for_staff = models.BooleanField(
        _("coordinators and stewards must use two-factor sign-in"), default=False
    )
    is_listed = models.BooleanField(_("listed publicly"), default=True)

    class Meta:
        verbose_name_plural = "communities"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(location_cell_m__gte=100, location_cell_m__lte=50_000),
                name="community_cell_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    """Built-in roles, lowest first. Custom roles add permissions on top of one of these."""

    MEMBER = "member", _("Member")
    CALLER = "caller", _("Caller")
    COORDINATOR = "coordinator", _("Coordinator")
    STEWARD = "steward", _("Steward")


class CustomRole(TimeStamped):
    """A community-defined role: a name and extra permissions granted to its holders."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="custom_roles")
    name = models.CharField(max_length=60)
    permissions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="custom_role_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class MembershipStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    LEFT = "left", _("Left")
    REMOVED = "removed", _("Removed")
    SUSPENDED = "suspended", _("Suspended")


class ServiceArea(TimeStamped):
    """A named part of a community's territory; areas nest (town → neighbourhood)."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="areas")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children"
    )
    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=60)
    centre_lat = models.FloatField()
    centre_lon = models.FloatField()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "slug"], name="area_unique_slug"),
            models.CheckConstraint(
                condition=models.Q(
                    centre_lat__gte=-90,
                    centre_lat__lte=90,
                    centre_lon__gte=-180,
                    centre_lon__lte=180,
                ),
                name="area_centre_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Membership(PublicModel):
    """A person in a community: their role, area and approximate location there."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)
    custom_roles = models.ManyToManyField(CustomRole, blank=True, related_name="memberships")
    status = models.CharField(
        max_length=16, choices=MembershipStatus.choices, default=MembershipStatus.ACTIVE
    )
    service_area = models.ForeignKey(
        ServiceArea, null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    # Snapped to the community's cell size when written; precise coordinates are never kept.
    approx_lat = models.FloatField(null=True, blank=True)
    approx_lon = models.FloatField(null=True, blank=True)
    is_vulnerable = models.BooleanField(default=False)
    listed_in_directory = models.BooleanField(default=True)
    vetted_until = models.DateField(null=True, blank=True)
    ended_reason = models.TextField(blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "user"], name="membership_once"),
        ]
        indexes = [models.Index(fields=["community", "status", "role"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.community} ({self.role})"

    # Names a person: the audit log names them from the live subject instead.
    audit_label = ""

    @property
    def is_active(self) -> bool:
        return self.status == MembershipStatus.ACTIVE


class Invitation(PublicModel):
    """A single-use, expiring invitation, sent to an e-mail address or shared as a link."""

    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"invitation {self.public_id} to {self.community}"


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for a decision")
    APPROVED = "approved", _("Approved")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class JoinApplication(PublicModel):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="applications")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_applications"
    )
    answers = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=16, choices=ApplicationStatus.choices, default=ApplicationStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=models.Q(status="pending"),
                name="one_pending_application",
            ),
        ]

    def __str__(self) -> str:
        return f"application of {self.user} to {self.community}"

    audit_label = ""  # names a person (see Membership.audit_label)
