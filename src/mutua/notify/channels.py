"""Delivery channels behind one small protocol, so other apps can add their own
(care adds a manual phone-call channel that puts the call on a volunteer's list)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING, Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils.translation import gettext as _

from mutua.notify import engine
from mutua.notify.kinds import EMAIL, SMS

if TYPE_CHECKING:
    from mutua.notify.models import OutboxMessage
    from mutua.people.models import User


class ChannelError(Exception):
    """Sending failed. `permanent` failures are not retried (a refused address)."""

    def __init__(self, detail: str, *, permanent: bool = False):
        super().__init__(detail)
        self.detail = detail
        self.permanent = permanent


class Channel(Protocol):
    code: str

    def address_for(self, user: User) -> tuple[str, str]:
        """(address, "") when the person can be reached here, or ("", why not)."""
        ...

    def send(self, message: OutboxMessage) -> str:
        """Deliver one message; return a short detail for the log or raise ChannelError."""
        ...


_CHANNELS: dict[str, Channel] = {}


def register_channel(channel: Channel) -> None:
    _CHANNELS[channel.code] = channel


def channel_get(code: str) -> Channel | None:
    return _CHANNELS.get(code)


def channel_addresses(channel: Channel, users: list[User]) -> dict[int, tuple[str, str]]:
    """(address, why not) per person: with the channel's `addresses_for(users)` (one query)
    when it has one, else `address_for` each."""
    many = getattr(channel, "addresses_for", None)
    if callable(many):
        return many(users)
    return {user.pk: channel.address_for(user) for user in users}


def _reply_to(message: OutboxMessage) -> list[str]:
    """A message asking the person to check in gets a signed reply address, added here at
    delivery so the token's clock starts when the e-mail leaves (see inbound_email)."""
    from mutua.notify.services.inbound_email import reply_address_for, wants_reply_address

    if message.notification_id is None or not wants_reply_address(message.kind):
        return []
    address = reply_address_for(message.notification)  # type: ignore[arg-type]
    return [address] if address else []


class EmailChannel:
    code = EMAIL

    def address_for(self, user: User) -> tuple[str, str]:
        if not user.email:
            return "", _("No e-mail address.")
        return user.email, ""

    def send(self, message: OutboxMessage) -> str:
        mail = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[message.to_address],
            headers={"Auto-Submitted": "auto-generated", **message.headers},
            reply_to=_reply_to(message),
        )
        if message.body_html:
            mail.attach_alternative(message.body_html, "text/html")
        try:
            mail.send()
        except Exception as exc:  # SMTP and socket errors alike: retried with backoff
            raise ChannelError(f"{type(exc).__name__}: {exc}") from exc
        return "accepted by the mail server"


class SmsWebhookChannel:
    """POSTs {to, body, message_id} as JSON to SMS_GATEWAY_URL, signed with SMS_GATEWAY_SECRET."""

    code = SMS
    timeout = 10

    def address_for(self, user: User) -> tuple[str, str]:
        return self.addresses_for([user])[user.pk]

    def addresses_for(self, users: list[User]) -> dict[int, tuple[str, str]]:
        """`address_for` of many people, with one query."""
        if not settings.SMS_GATEWAY_URL:
            return {u.pk: ("", _("Text messages are not set up on this site.")) for u in users}
        from mutua.people.models import SensitiveDetails

        phones = dict(
            SensitiveDetails.objects.filter(user__in=[u.pk for u in users]).values_list(
                "user_id", "phone"
            )
        )
        found = {}
        for user in users:
            phone = engine.normalise_phone(phones.get(user.pk) or "")
            found[user.pk] = (
                (phone, "") if len(phone.lstrip("+")) >= 5 else ("", _("No phone number."))
            )
        return found

    def send(self, message: OutboxMessage) -> str:
        body = json.dumps(
            {"to": message.to_address, "body": message.sms_text, "message_id": message.public_id}
        ).encode()
        timestamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the operator's configured gateway
            settings.SMS_GATEWAY_URL,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                engine.TIMESTAMP_HEADER: timestamp,
                engine.SIGNATURE_HEADER: engine.sign(settings.SMS_GATEWAY_SECRET, timestamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return f"gateway answered {response.status}"
        except urllib.error.HTTPError as exc:
            # 4xx other than 408/429 means the gateway refused this message for good.
            permanent = 400 <= exc.code < 500 and exc.code not in (408, 429)
            raise ChannelError(f"gateway answered {exc.code}", permanent=permanent) from exc
        except OSError as exc:
            raise ChannelError(f"gateway unreachable: {exc}") from exc


register_channel(EmailChannel())
register_channel(SmsWebhookChannel())
