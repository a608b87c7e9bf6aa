"""Replies by e-mail: signed reply addresses, the reply read out of a MIME message, and the
same reply handlers as SMS (care's check-in).

A check-in message goes out with `Reply-To: <local>+<token>@<domain>`. The token names the
notification, carries the time it was issued and an HMAC over (notification, its recipient,
issued): lower-case base32 and fixed-width, so it survives MTAs that fold case and fits the
64-character local part. A reply counts only when a valid, unexpired token is among its
recipients and its From address belongs to the token's recipient. From alone is never
trusted: it is trivially forged, and a forged "OK" would silence an alarm.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import formataddr, getaddresses, parseaddr

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from mutua.core.ids import ALPHABET, PUBLIC_ID_LENGTH
from mutua.notify import engine
from mutua.notify.email_text import reply_text
from mutua.notify.kinds import EMAIL
from mutua.notify.models import InboundMessage, Notification
from mutua.notify.services.inbound import reply_handlers_run

logger = logging.getLogger(__name__)

# Kinds whose e-mails ask the person to check in, and so carry a reply address.
REPLY_KIND_PREFIXES = ("care_reminder", "care_ask")
ACCEPTED, DUPLICATE, IGNORED, REFUSED = "accepted", "duplicate", "ignored", "refused"

_SALT = "mutua.notify.reply-address"
_TS_LEN, _SIG_LEN = 7, 20  # 7 base32 digits of Unix seconds; 100 bits of HMAC
TOKEN_LENGTH = PUBLIC_ID_LENGTH + _TS_LEN + _SIG_LEN
_CLOCK_SKEW = 300
_TO_CROCKFORD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)


# --- Reply addresses -----------------------------------------------------------------------


def _b32(data: bytes) -> str:
    return base64.b32encode(data).decode().rstrip("=").translate(_TO_CROCKFORD)


def _int_b32(value: int) -> str:
    digits = []
    for _ in range(_TS_LEN):
        value, rest = divmod(value, 32)
        digits.append(ALPHABET[rest])
    return "".join(reversed(digits))


def _signature(notification_id: str, recipient_pk: int, issued: str, secret: str) -> str:
    value = f"{notification_id}|{recipient_pk}|{issued}"
    return _b32(salted_hmac(_SALT, value, secret=secret, algorithm="sha256").digest())[:_SIG_LEN]


def reply_address_parts() -> tuple[str, str] | None:
    """(local part, domain) of MUTUA_REPLY_ADDRESS, or None when e-mail replies are off."""
    address = parseaddr(getattr(settings, "MUTUA_REPLY_ADDRESS", "") or "")[1]
    local, _, domain = address.rpartition("@")
    if not local or not domain or "+" in local:
        return None
    return local, domain.lower()


def wants_reply_address(kind: str) -> bool:
    return kind.startswith(REPLY_KIND_PREFIXES)


def reply_address_for(notification: Notification, *, now: dt.datetime | None = None) -> str:
    """The signed Reply-To for an e-mail of this notification, or "" when replies are off."""
    parts = reply_address_parts()
    if parts is None:
        return ""
    local, domain = parts
    issued = _int_b32(int((now or timezone.now()).timestamp()))
    token = (
        notification.public_id
        + issued
        + _signature(notification.public_id, notification.recipient_id, issued, settings.SECRET_KEY)
    )
    name = parseaddr(settings.DEFAULT_FROM_EMAIL)[0]
    return formataddr((name, f"{local}+{token}@{domain}"))


class _Refused(Exception):
    def __init__(self, reason: str, status: str = REFUSED):
        super().__init__(reason)
        self.reason, self.status = reason, status


def _token_notification(token: str, *, now: dt.datetime) -> Notification:
    token = token.lower()
    if len(token) != TOKEN_LENGTH or any(c not in ALPHABET for c in token):
        raise _Refused("token_invalid")
    public_id, issued = token[:PUBLIC_ID_LENGTH], token[PUBLIC_ID_LENGTH:-_SIG_LEN]
    notification = (
        Notification.objects.select_related("recipient").filter(public_id=public_id).first()
    )
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    if notification is None or not any(
        hmac.compare_digest(
            token[-_SIG_LEN:], _signature(public_id, notification.recipient_id, issued, key)
        )
        for key in keys
    ):
        raise _Refused("token_invalid")
    age = now.timestamp() - sum(ALPHABET.index(c) * 32**i for i, c in enumerate(issued[::-1]))
    if not -_CLOCK_SKEW <= age <= settings.MUTUA_REPLY_TOKEN_MAX_AGE_SECONDS:
        raise _Refused("token_expired")
    user = notification.recipient
    if not wants_reply_address(notification.kind) or not user.is_active:
        raise _Refused("token_invalid")
    if getattr(user, "is_anonymised", False):
        raise _Refused("token_invalid")
    return notification


def _token_candidates(message: EmailMessage, envelope_recipients: Sequence[str]) -> list[str]:
    parts = reply_address_parts()
    if parts is None:
        raise _Refused("replies_off")
    prefix, domain = parts[0].lower() + "+", parts[1]
    values = list(envelope_recipients)
    for header in ("Delivered-To", "X-Original-To", "To", "Cc"):
        values += [str(v) for v in message.get_all(header) or []]
    tokens: list[str] = []
    for _name, address in getaddresses(values):
        local, _, at = address.strip().rpartition("@")
        token = local[len(prefix) :].lower()
        if at.lower() == domain and local.lower().startswith(prefix) and token not in tokens:
            tokens.append(token)
    return tokens


def _sender_address(message: EmailMessage) -> str:
    found = [a for _n, a in getaddresses([str(v) for v in message.get_all("From") or []])]
    found = [a.strip() for a in found if "@" in a]
    if len(found) != 1:
        raise _Refused("sender")
    return found[0]


def _address_belongs_to(user, address: str) -> bool:
    from allauth.account.models import EmailAddress

    if user.email and user.email.casefold() == address.casefold():
        return True
    return EmailAddress.objects.filter(user=user, verified=True, email__iexact=address).exists()


def _is_automatic(message: EmailMessage) -> bool:
    """Out-of-office answers and bounces must never count as an answer (RFC 3834)."""
    auto = str(message.get("Auto-Submitted", "")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return (
        (bool(auto) and auto != "no")
        or precedence in {"bulk", "junk", "list", "auto_reply"}
        or any(h in message for h in ("X-Autoreply", "X-Autorespond", "X-Failed-Recipients"))
        or message.get_content_type() == "multipart/report"
    )


# --- The service -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EmailReplyResult:
    status: str  # accepted, duplicate (seen before), ignored (automatic), refused
    reason: str = ""
    inbound: InboundMessage | None = None


def _dedupe_id(user_pk: int, message: EmailMessage, raw: bytes) -> str:
    """InboundMessage.public_id for this message: an HMAC of its Message-ID (or its bytes),
    so a redelivery collides on the unique public id instead of acting twice."""
    message_id = str(message.get("Message-ID", "")).strip()
    basis = f"id:{message_id}" if message_id else "raw:" + hashlib.sha256(raw).hexdigest()
    digest = salted_hmac(_SALT + ".dedupe", f"{user_pk}|{basis}", algorithm="sha256").digest()
    return _b32(digest)[:PUBLIC_ID_LENGTH]


def _parsed(raw: bytes) -> EmailMessage:
    if len(raw) > settings.MUTUA_REPLY_MAX_BYTES:
        raise _Refused("too_large")
    try:
        message = message_from_bytes(raw, policy=policy.default)
        for header in ("From", "To", "Cc", "Delivered-To", "X-Original-To", "Message-ID"):
            for value in message.get_all(header) or []:
                str(value)  # header parsing errors surface here, not later
    except Exception as exc:  # the stdlib parser raises many kinds on broken input
        raise _Refused("unreadable") from exc
    if not isinstance(message, EmailMessage) or "From" not in message:
        raise _Refused("unreadable")
    return message


def _authenticate(
    raw: bytes, envelope_recipients: Sequence[str], now: dt.datetime
) -> tuple[EmailMessage, Notification, str]:
    if reply_address_parts() is None:
        raise _Refused("replies_off")
    message = _parsed(raw)
    if _is_automatic(message):
        raise _Refused("automatic", status=IGNORED)
    tokens = _token_candidates(message, envelope_recipients)
    if not tokens:
        raise _Refused("no_token")
    problems: list[str] = []
    for token in tokens:
        try:
            notification = _token_notification(token, now=now)
        except _Refused as exc:
            problems.append(exc.reason)
            continue
        sender = _sender_address(message)
        if not _address_belongs_to(notification.recipient, sender):
            raise _Refused("sender")
        return message, notification, sender
    raise _Refused("token_expired" if "token_expired" in problems else problems[0])


def email_inbound_receive(
    raw: bytes, *, envelope_recipients: Sequence[str] = (), now: dt.datetime | None = None
) -> EmailReplyResult:
    """Apply an e-mailed reply once: only with a valid, unexpired reply token among its
    recipients and a From address of that token's recipient; the same Message-ID once."""
    now = now or timezone.now()
    try:
        message, notification, sender = _authenticate(raw, envelope_recipients, now)
    except _Refused as exc:
        log = logger.info if exc.status == IGNORED else logger.warning
        log("e-mail reply %s: %s (%d bytes)", exc.status, exc.reason, len(raw))
        return EmailReplyResult(exc.status, exc.reason)
    user = notification.recipient
    text = reply_text(message)
    reply = engine.parse_reply(text)
    public_id = _dedupe_id(user.pk, message, raw)
    with transaction.atomic():
        if InboundMessage.objects.filter(public_id=public_id).exists():
            return EmailReplyResult(DUPLICATE, "message_id")
        try:
            with transaction.atomic():
                inbound = InboundMessage.objects.create(
                    public_id=public_id,
                    channel=EMAIL,
                    from_address=sender[:64],
                    text=text,
                    sender=user,
                    reply_kind=reply.kind,
                    reply_code=reply.code,
                )
        except IntegrityError:  # the same message delivered twice at the same moment
            return EmailReplyResult(DUPLICATE, "message_id")
        # STOP by e-mail is only recorded: e-mails carry an unsubscribe link, and a care
        # message must not be silenced by a word in a reply.
        if reply.kind != engine.STOP:
            reply_handlers_run(inbound, reply)
        inbound.save(update_fields=["handled_by", "updated_at"])
    logger.info("e-mail reply %s from user %s: %s", inbound.public_id, user.pk, reply.kind)
    return EmailReplyResult(ACCEPTED, "", inbound)
