"""Notifications: the in-app row, the outbox that delivers e-mail/SMS, preferences, replies,
and one-time signed links for acting from a message without a password."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from mutua.core.ids import PUBLIC_ID_LENGTH, new_public_id
from mutua.core.models import PublicModel


class Notification(PublicModel):
    """What a member sees in their notification centre (the in-app channel)."""

    # Not indexed alone: the (recipient, -created_at, -id) index serves every read by recipient.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,
    )
    community = models.ForeignKey(
        "communities.Community",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(max_length=64)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    actions = models.JSONField(default=list, blank=True)
    is_critical = models.BooleanField(default=False)
    dedupe_key = models.CharField(max_length=200, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"]),
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notify_unread"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "kind", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notification_dedupe",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be sent")
    SUPPRESSED = "suppressed", _("Not sent")


class OutboxMessage(PublicModel):
    """One message to deliver on one channel, written in the transaction that decided to send it.

    The rendered text is kept here, so delivery never depends on rows that may change later.
    """

    # Indexed by `outbox_recipient_day` (recipient, created_at) and due rows by `outbox_due`
    # (status, next_attempt_at): indexes on either column alone would only slow the inserts.
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="outbox_messages",
        db_index=False,
    )
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    # Not a choices field: other apps add channels (care's manual phone call list).
    channel = models.CharField(max_length=16)
    kind = models.CharField(max_length=64)
    to_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    sms_text = models.CharField(max_length=1000, blank=True)
    headers = models.JSONField(default=dict, blank=True)
    is_critical = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="outbox_due"),
            models.Index(fields=["recipient", "created_at"], name="outbox_recipient_day"),
            models.Index(fields=["channel", "to_address"], name="outbox_address"),
        ]
        constraints = [
            # One message per channel for each (recipient, kind, dedupe_key).
            models.UniqueConstraint(
                fields=["recipient", "kind", "channel", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="outbox_dedupe",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.kind} → {self.recipient_id} ({self.status})"


class DeliveryAttempt(models.Model):
    """The delivery log: one row per try to send an outbox message."""

    message = models.ForeignKey(OutboxMessage, on_delete=models.CASCADE, related_name="log")
    at = models.DateTimeField()
    ok = models.BooleanField()
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.message_id} {'ok' if self.ok else 'failed'} @ {self.at}"


class NotificationPreference(models.Model):
    """A member's choice for one kind on one channel. Kind "*" applies to every kind (SMS STOP)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    channel = models.CharField(max_length=16)
    enabled = models.BooleanField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "channel"], name="notification_preference_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}/{self.channel}={self.enabled}"


class InboundMessage(PublicModel):
    """A reply that arrived (an SMS through the gateway), as received and as understood."""

    channel = models.CharField(max_length=16, default="sms")
    from_address = models.CharField(max_length=64)
    text = models.TextField(max_length=2000)
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_messages",
    )
    reply_kind = models.CharField(max_length=16)
    reply_code = models.CharField(max_length=16, blank=True)
    handled_by = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.from_address}: {self.reply_kind}"


class SignedLink(models.Model):
    """A one-time link from an e-mail or SMS (check in, accept a task). Only the hash is kept."""

    public_id = models.CharField(
        max_length=PUBLIC_ID_LENGTH, unique=True, default=new_public_id, editable=False
    )
    token_hash = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_links"
    )
    action = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.action}:{self.target_id} for {self.user_id}"
