"""notification_send: the in-app row and one outbox row per allowed channel, in the caller's
transaction. Quiet hours defer and the daily cap suppresses non-critical messages."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import linebreaks
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.notify import engine
from mutua.notify.channels import channel_get
from mutua.notify.kinds import APP, CHOOSABLE_CHANNELS, Kind, kind_get
from mutua.notify.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
)
from mutua.people.models import User

logger = logging.getLogger(__name__)
ALL_KINDS = "*"
SMS_MAX = 480


def absolute_url(path: str) -> str:
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + "/" + path.lstrip("/")


def channels_for(user: User, kind: Kind) -> list[str]:
    """The channels this kind reaches this person on: defaults from the kind, their choices on
    top (critical kinds keep their defaults), and an SMS STOP always honoured."""
    chosen = {
        (p.kind, p.channel): p.enabled
        for p in NotificationPreference.objects.filter(user=user, kind__in=[kind.code, ALL_KINDS])
    }
    candidates = list(dict.fromkeys([*CHOOSABLE_CHANNELS, *kind.default_channels]))
    result = []
    for code in candidates:
        if code == APP:
            continue
        default = code in kind.default_channels
        enabled = default if kind.critical else chosen.get((kind.code, code), default)
        if chosen.get((ALL_KINDS, code)) is False:
            enabled = False
        if enabled:
            result.append(code)
    return result


def _time_zone(user: User, community: Community | None) -> ZoneInfo:
    name = community.time_zone if community is not None else None
    if name is None:
        name = (
            Community.objects.filter(memberships__user=user, memberships__status="active")
            .order_by("memberships__created_at")
            .values_list("time_zone", flat=True)
            .first()
        )
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _optional(template: str, context: dict) -> str:
    try:
        get_template(template)
    except TemplateDoesNotExist:
        return ""
    return render_to_string(template, context)


def _render(kind: Kind, context: dict[str, Any]) -> dict[str, str]:
    subject = " ".join(render_to_string(f"{kind.template}_subject.txt", context).split())
    text = render_to_string(f"{kind.template}_message.txt", context).strip()
    html = _optional(f"{kind.template}_message.html", context) or linebreaks(text, autoescape=True)
    sms = " ".join(_optional(f"{kind.template}_sms.txt", context).split())
    if not sms:
        first_url = next((a["url"] for a in context["actions"]), "") or context.get("url", "")
        sms = f"{subject} {absolute_url(first_url)}".strip()
    layout = {**context, "subject": subject, "text": text, "content_html": html}
    return {
        "subject": subject[:300],
        "text": text,
        "email_text": render_to_string("notify/email.txt", layout),
        "email_html": render_to_string("notify/email.html", layout),
        "sms": sms[:SMS_MAX],
    }


def _sent_today(user: User, now: dt.datetime) -> int:
    return (
        OutboxMessage.objects.filter(
            recipient=user, is_critical=False, created_at__gte=now - dt.timedelta(days=1)
        )
        .exclude(status=OutboxStatus.SUPPRESSED)
        .count()
    )


def notification_send(
    *,
    recipient: User,
    kind: str,
    context: dict,
    community: Community | None = None,
    dedupe_key: str = "",
    actions: list[dict] | None = None,
) -> list[Notification]:
    """Write the in-app row and the outbox rows in the caller's transaction; never send.

    The same (recipient, kind, dedupe_key) is written once. Critical kinds bypass quiet hours
    and the daily cap.
    """
    k = kind_get(kind)
    if not recipient.is_active or getattr(recipient, "is_anonymised", False):
        return []
    if (
        dedupe_key
        and Notification.objects.filter(
            recipient=recipient, kind=kind, dedupe_key=dedupe_key
        ).exists()
    ):
        return []
    from mutua.notify.services.preferences import unsubscribe_token

    now = timezone.now()
    profile = getattr(recipient, "profile", None)
    actions = [{"label": str(a["label"]), "url": absolute_url(a["url"])} for a in actions or []]
    unsubscribe_url = (
        ""
        if k.critical
        else absolute_url(
            reverse("notify:unsubscribe", args=[unsubscribe_token(user=recipient, kind=kind)])
        )
    )
    full_context = {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe_url,
        "actions": actions,
        "is_critical": k.critical,
        "preferences_url": absolute_url(reverse("notify:preferences")),
    }
    with translation.override(profile.preferred_language if profile else settings.LANGUAGE_CODE):
        rendered = _render(k, full_context)

    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                community=community,
                kind=kind,
                title=rendered["subject"],
                body=rendered["text"],
                url=str(context.get("url", ""))[:500],
                actions=actions,
                is_critical=k.critical,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:  # the same dedupe key written at the same moment elsewhere
        return []

    cap = int(getattr(settings, "NOTIFY_DAILY_CAP", 10))
    sent_today = None if k.critical else _sent_today(recipient, now)
    quiet_end = None
    if not k.critical and profile is not None:
        quiet_end = engine.quiet_hours_end(
            now,
            profile.quiet_hours_start,
            profile.quiet_hours_end,
            _time_zone(recipient, community),
        )
    headers = (
        {
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        if unsubscribe_url
        else {}
    )
    rows = []
    for code in channels_for(recipient, k):
        channel = channel_get(code)
        if channel is None:
            logger.warning("kind %s names channel %s, which is not registered", kind, code)
            continue
        address, why = channel.address_for(recipient)
        status, error, due = OutboxStatus.PENDING, "", now
        if not address:
            status, error = OutboxStatus.SUPPRESSED, why
        elif sent_today is not None and sent_today >= cap:
            status, error = OutboxStatus.SUPPRESSED, _("Daily limit of messages reached.")
        else:
            if sent_today is not None:
                sent_today += 1
            if quiet_end is not None:
                due = quiet_end
        rows.append(
            OutboxMessage(
                recipient=recipient,
                notification=notification,
                channel=code,
                kind=kind,
                to_address=address,
                subject=rendered["subject"],
                body_text=rendered["email_text"],
                body_html=rendered["email_html"],
                sms_text=rendered["sms"],
                headers=headers if code == "email" else {},
                is_critical=k.critical,
                status=status,
                next_attempt_at=due,
                last_error=str(error),
                dedupe_key=dedupe_key,
            )
        )
    OutboxMessage.objects.bulk_create(rows)
    if any(r.status == OutboxStatus.PENDING and r.next_attempt_at <= now for r in rows):
        transaction.on_commit(_wake_sender)
    return [notification]


def _wake_sender() -> None:
    from mutua.notify.tasks import wake_sender

    try:
        wake_sender()
    except Exception:  # the periodic sweep delivers it anyway; never fail the caller's request
        logger.exception("could not wake the sender")
