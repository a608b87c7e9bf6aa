"""Replies that come back (SMS through the gateway): stored, STOP honoured, the rest handed on.

E-mail replies (inbound_email.py) are handed to the same handlers through reply_handlers_run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction

from mutua.notify import engine
from mutua.notify.engine import Reply
from mutua.notify.kinds import SMS
from mutua.notify.models import InboundMessage, NotificationPreference, OutboxMessage
from mutua.people.models import SensitiveDetails, User

logger = logging.getLogger(__name__)

# A handler returns a truthy value when it acted on the reply (care records a check-in,
# exchange accepts a task). Each runs in its own savepoint: one failing does not undo others.
ReplyHandler = Callable[[InboundMessage, Reply], object]
_HANDLERS: list[ReplyHandler] = []


def register_reply_handler(handler: ReplyHandler) -> None:
    if handler not in _HANDLERS:
        _HANDLERS.append(handler)


def _sender_for(phone: str) -> User | None:
    """The person we last texted at this number, or whose private details hold it."""
    recipient_id = (
        OutboxMessage.objects.filter(channel=SMS, to_address=phone)
        .order_by("-created_at", "-id")
        .values_list("recipient_id", flat=True)
        .first()
    )
    if recipient_id is None:
        recipient_id = (
            SensitiveDetails.objects.filter(phone=phone).values_list("user_id", flat=True).first()
        )
    return User.objects.filter(pk=recipient_id).first() if recipient_id else None


@transaction.atomic
def inbound_sms_receive(*, from_address: str, text: str) -> InboundMessage:
    """Record a reply. STOP turns off every SMS to that person; other replies go to handlers."""
    phone = engine.normalise_phone(from_address)
    reply = engine.parse_reply(text)
    sender = _sender_for(phone)
    inbound = InboundMessage.objects.create(
        channel=SMS,
        from_address=phone,
        text=text,
        sender=sender,
        reply_kind=reply.kind,
        reply_code=reply.code,
    )
    if reply.kind == engine.STOP:
        if sender is not None:
            NotificationPreference.objects.update_or_create(
                user=sender, kind="*", channel=SMS, defaults={"enabled": False}
            )
            inbound.handled_by = ["notify.stop"]
    else:
        reply_handlers_run(inbound, reply)
    inbound.save(update_fields=["handled_by", "updated_at"])
    return inbound


def reply_handlers_run(inbound: InboundMessage, reply: Reply) -> None:
    """Offer a stored reply (SMS or e-mail) to every handler; note in `handled_by` who acted."""
    for handler in list(_HANDLERS):
        name = f"{handler.__module__}.{getattr(handler, '__qualname__', handler)}"
        try:
            with transaction.atomic():
                if handler(inbound, reply):
                    inbound.handled_by.append(name)
        except Exception:
            logger.exception("reply handler %s failed on inbound %s", name, inbound.pk)
