"""notification_send: the in-app row and one outbox row per allowed channel, in the caller's
transaction. Quiet hours defer and the daily cap suppresses non-critical messages.

The rules live here as small functions that `notification_send_many` (bulk.py) shares: who is
skipped, which channels a kind reaches, what each row says (rendering: render.py).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.notify import engine
from mutua.notify.channels import Channel, channel_addresses, channel_get
from mutua.notify.kinds import APP, CHOOSABLE_CHANNELS, EMAIL, SMS, Kind, kind_get
from mutua.notify.models import (
    Notification,
    NotificationPreference,
    OutboxMessage,
    OutboxStatus,
)
from mutua.notify.services.render import absolute_url, parts_wanted, render_messages
from mutua.people.models import User

logger = logging.getLogger(__name__)
ALL_KINDS = "*"

Choices = dict[tuple[str, str], bool]


def preferences_of(user_ids: Iterable[int], kind_codes: Iterable[str]) -> dict[int, Choices]:
    """Everyone's choices for these kinds (and for every kind, "*"), in one query."""
    chosen: dict[int, Choices] = {}
    rows = NotificationPreference.objects.filter(
        user_id__in=list(user_ids), kind__in=[*kind_codes, ALL_KINDS]
    ).values_list("user_id", "kind", "channel", "enabled")
    for user_id, kind, channel, enabled in rows:
        chosen.setdefault(user_id, {})[(kind, channel)] = enabled
    return chosen


def preferred_channel(user: User) -> str:
    """The channel the person prefers (their profile), e-mail when they have not said."""
    profile = getattr(user, "profile", None)
    return profile.preferred_channel if profile is not None else EMAIL


def textable(users: Iterable[User]) -> set[int]:
    """Ids of the people who can be sent a text message (a phone number, SMS set up here)."""
    channel = channel_get(SMS)
    people = list(users)
    if channel is None or not people:
        return set()
    return {pk for pk, (address, _why) in channel_addresses(channel, people).items() if address}


def preferred_defaults(kind: Kind, preferred: str, *, can_text: bool) -> tuple[str, ...]:
    """The channels a non-critical kind reaches someone on who has not chosen for it: "app" in
    the app only; "sms" a text message instead of an e-mail when they can be texted; "email"
    and "phone" (there are no automated calls) the kind's own defaults."""
    defaults = kind.default_channels
    others = tuple(c for c in defaults if c not in CHOOSABLE_CHANNELS)
    if preferred == APP:
        return others
    if preferred == SMS and can_text and (EMAIL in defaults or SMS in defaults):
        return (*others, SMS)
    return defaults


def channels_chosen(
    kind: Kind, chosen: Choices, *, preferred: str = EMAIL, can_text: bool = False
) -> list[str]:
    """Defaults from the kind shaped by the preferred channel, the person's choices per kind on
    top (critical kinds keep their own defaults), and an SMS STOP ("*" off) always honoured."""
    can_text = can_text and chosen.get((ALL_KINDS, SMS)) is not False  # STOP: e-mail instead
    defaults = (
        kind.default_channels
        if kind.critical
        else preferred_defaults(kind, preferred, can_text=can_text)
    )
    candidates = list(dict.fromkeys([*CHOOSABLE_CHANNELS, *kind.default_channels]))
    result = []
    for code in candidates:
        if code == APP:
            continue
        default = code in defaults
        enabled = default if kind.critical else chosen.get((kind.code, code), default)
        if chosen.get((ALL_KINDS, code)) is False:
            enabled = False
        if enabled:
            result.append(code)
    return result


def channels_of(messages: Sequence[tuple[User, Kind]]) -> list[list[str]]:
    """The channels each (person, kind) reaches: the one decision `notification_send` and
    `notification_send_many` share. One query for the choices, one for phones when needed."""
    chosen = preferences_of({u.pk for u, _k in messages}, {k.code for _u, k in messages})
    preferred = {u.pk: preferred_channel(u) for u, k in messages if not k.critical}
    texters = textable({u.pk: u for u, k in messages if preferred.get(u.pk) == SMS}.values())
    return [
        channels_chosen(
            k, chosen.get(u.pk, {}), preferred=preferred.get(u.pk, EMAIL), can_text=u.pk in texters
        )
        for u, k in messages
    ]


def channels_for(user: User, kind: Kind) -> list[str]:
    """The channels this kind reaches this person on."""
    return channels_of([(user, kind)])[0]


def is_unreachable(recipient: User) -> bool:
    """Inactive and anonymised people are never written to."""
    return not recipient.is_active or bool(getattr(recipient, "is_anonymised", False))


def home_time_zones(user_ids: Iterable[int]) -> dict[int, str]:
    """The time zone of the first community each person joined (still active there)."""
    rows = (
        Community.objects.filter(
            memberships__user_id__in=list(user_ids), memberships__status="active"
        )
        .order_by("memberships__created_at")
        .values_list("memberships__user_id", "time_zone")
    )
    zones: dict[int, str] = {}
    for user_id, name in rows:
        zones.setdefault(user_id, name)
    return zones


def time_zone_name(
    user: User, community: Community | None, homes: dict[int, str] | None = None
) -> str | None:
    """The community's zone, or else the person's home zone (from `homes` when loaded)."""
    name = community.time_zone if community is not None else None
    if name is None:
        name = (home_time_zones([user.pk]) if homes is None else homes).get(user.pk)
    return name


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def has_quiet_hours(kind: Kind, profile: Any) -> bool:
    """Whether quiet hours can apply at all (critical kinds bypass them)."""
    return not kind.critical and profile is not None


def has_quiet_hours_set(profile: Any) -> bool:
    """Whether the person has quiet hours at all (their time zone matters only then)."""
    start, end = profile.quiet_hours_start, profile.quiet_hours_end
    return start is not None and end is not None and start != end


def quiet_end(profile: Any, tz: ZoneInfo, now: dt.datetime) -> dt.datetime | None:
    return engine.quiet_hours_end(now, profile.quiet_hours_start, profile.quiet_hours_end, tz)


def language_of(recipient: User) -> str:
    profile = getattr(recipient, "profile", None)
    return profile.preferred_language if profile else settings.LANGUAGE_CODE


def prepared_actions(actions: list[dict] | None) -> list[dict]:
    return [{"label": str(a["label"]), "url": absolute_url(a["url"])} for a in actions or []]


def unsubscribe_url(recipient: User, kind: Kind) -> str:
    if kind.critical:
        return ""
    from mutua.notify.services.preferences import unsubscribe_token

    token = unsubscribe_token(user=recipient, kind=kind.code)
    return absolute_url(reverse("notify:unsubscribe", args=[token]))


def preferences_url() -> str:
    return absolute_url(reverse("notify:preferences"))


def message_context(
    recipient: User,
    kind: Kind,
    context: dict,
    *,
    actions: list[dict],
    unsubscribe: str,
    preferences: str,
) -> dict[str, Any]:
    return {
        **context,
        "recipient": recipient,
        "site_url": settings.SITE_URL,
        "unsubscribe_url": unsubscribe,
        "actions": actions,
        "is_critical": kind.critical,
        "preferences_url": preferences,
    }


def notification_fields(
    recipient: User,
    kind: Kind,
    rendered: dict[str, str],
    *,
    context: dict,
    community: Community | None,
    actions: list[dict],
    dedupe_key: str,
) -> dict[str, Any]:
    """The fields of the in-app row."""
    return {
        "recipient": recipient,
        "community": community,
        "kind": kind.code,
        "title": rendered["subject"],
        "body": rendered["text"],
        "url": str(context.get("url", ""))[:500],
        "actions": actions,
        "is_critical": kind.critical,
        "dedupe_key": dedupe_key,
    }


def sent_today(user_ids: Iterable[int], now: dt.datetime) -> dict[int, int]:
    """Non-critical messages of the last day counted against each person's daily cap."""
    rows = (
        OutboxMessage.objects.filter(
            recipient_id__in=list(user_ids),
            is_critical=False,
            created_at__gte=now - dt.timedelta(days=1),
        )
        .exclude(status=OutboxStatus.SUPPRESSED)
        .values("recipient_id")
        .annotate(n=Count("id"))
        .values_list("recipient_id", "n")
    )
    return dict(rows)


def daily_cap() -> int:
    return int(getattr(settings, "NOTIFY_DAILY_CAP", 10))


def outbox_rows(
    notification: dict[str, Any],
    kind: Kind,
    rendered: dict[str, str],
    *,
    addresses: list[tuple[str, str, str]],
    sent: int | None,
    quiet_until: dt.datetime | None,
    unsubscribe: str,
    now: dt.datetime,
) -> tuple[list[dict[str, Any]], int | None]:
    """The fields of one outbox row per (channel, address, why not), for the in-app row with
    these fields; returns them and the new cap count. `sent` is None for critical kinds."""
    headers = (
        {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
        if unsubscribe
        else {}
    )
    cap = daily_cap()
    rows = []
    for code, address, why in addresses:
        email, sms = parts_wanted([code])  # each row carries what its channel sends
        status, error, due = OutboxStatus.PENDING, "", now
        if not address:
            status, error = OutboxStatus.SUPPRESSED, why
        elif sent is not None and sent >= cap:
            status, error = OutboxStatus.SUPPRESSED, _("Daily limit of messages reached.")
        else:
            if sent is not None:
                sent += 1
            if quiet_until is not None:
                due = quiet_until
        rows.append(
            {
                "recipient": notification["recipient"],
                "channel": code,
                "kind": kind.code,
                "to_address": address,
                "subject": rendered["subject"],
                "body_text": rendered["email_text"] if email else "",
                "body_html": rendered["email_html"] if email else "",
                "sms_text": rendered["sms"] if sms else "",
                "headers": headers if code == EMAIL else {},
                "is_critical": kind.critical,
                "status": status,
                "next_attempt_at": due,
                "last_error": str(error),
                "dedupe_key": notification["dedupe_key"],
            }
        )
    return rows, sent


def registered_channels(kind: str, codes: list[str]) -> list[Channel]:
    found = []
    for code in codes:
        channel = channel_get(code)
        if channel is None:
            logger.warning("kind %s names channel %s, which is not registered", kind, code)
            continue
        found.append(channel)
    return found


def addresses_of(user: User, kind: str, codes: list[str]) -> list[tuple[str, str, str]]:
    """(channel, address, why not) for each registered channel."""
    found = []
    for channel in registered_channels(kind, codes):
        address, why = channel.address_for(user)
        found.append((channel.code, address, why))
    return found


def wake_when_due(rows: Iterable[dict[str, Any]], now: dt.datetime) -> None:
    """After commit, wake the sender if anything can go out now."""
    if any(r["status"] == OutboxStatus.PENDING and r["next_attempt_at"] <= now for r in rows):
        transaction.on_commit(_wake_sender)


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
    if is_unreachable(recipient):
        return []
    if (
        dedupe_key
        and Notification.objects.filter(
            recipient=recipient, kind=kind, dedupe_key=dedupe_key
        ).exists()
    ):
        return []
    now = timezone.now()
    profile = getattr(recipient, "profile", None)
    ready = prepared_actions(actions)
    unsubscribe = unsubscribe_url(recipient, k)
    full_context = message_context(
        recipient, k, context, actions=ready, unsubscribe=unsubscribe, preferences=preferences_url()
    )
    codes = channels_for(recipient, k)
    with translation.override(language_of(recipient)):
        [rendered] = render_messages(k, [full_context], channels=[codes])
    fields = notification_fields(
        recipient,
        k,
        rendered,
        context=context,
        community=community,
        actions=ready,
        dedupe_key=dedupe_key,
    )
    try:
        with transaction.atomic():
            notification = Notification.objects.create(**fields)
    except IntegrityError:  # the same dedupe key written at the same moment elsewhere
        return []

    sent = None if k.critical else sent_today([recipient.pk], now).get(recipient.pk, 0)
    quiet_until = None
    if has_quiet_hours(k, profile):
        quiet_until = quiet_end(profile, zone(time_zone_name(recipient, community)), now)
    rows, _sent = outbox_rows(
        fields,
        k,
        rendered,
        addresses=addresses_of(recipient, kind, codes),
        sent=sent,
        quiet_until=quiet_until,
        unsubscribe=unsubscribe,
        now=now,
    )
    OutboxMessage.objects.bulk_create(
        [OutboxMessage(**row, notification=notification) for row in rows]
    )
    wake_when_due(rows, now)
    return [notification]


def _wake_sender() -> None:
    from mutua.notify.tasks import wake_sender

    try:
        wake_sender()
    except Exception:  # the periodic sweep delivers it anyway; never fail the caller's request
        logger.exception("could not wake the sender")
