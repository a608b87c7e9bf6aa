"""`mutua mail_receive`: an SMTP receiver on 127.0.0.1 for e-mailed replies (opt-in).

Put your MTA (Postfix, …) in front of it: it does TLS, spam filtering and the public port 25,
and relays mail for the reply address here. See docs/operations.md, "E-mail replies".
"""

from __future__ import annotations

import logging
import signal
import threading

from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import close_old_connections

from mutua.notify.services.inbound_email import (
    DUPLICATE,
    IGNORED,
    REFUSED,
    EmailReplyResult,
    email_inbound_receive,
    reply_address_parts,
)

logger = logging.getLogger(__name__)
HOST = "127.0.0.1"
MAX_RECIPIENTS = 10
_ANSWERS = {
    DUPLICATE: "250 2.0.0 Already received, thank you",
    IGNORED: "250 2.0.0 Automatic message dropped",
}
_REFUSALS = {
    "too_large": "552 5.3.4 Message too big",
    "unreadable": "550 5.6.0 This message could not be read",
    "token_expired": "550 5.7.1 This reply address has expired; please use the link in the message",
    "sender": "550 5.7.1 This reply must come from the address the message was sent to",
    "replies_off": "550 5.7.1 Replies by e-mail are not accepted here",
}


def _receive(raw: bytes, recipients: list[str]) -> EmailReplyResult:
    close_old_connections()  # as Django does around each request
    try:
        return email_inbound_receive(raw, envelope_recipients=recipients)
    finally:
        close_old_connections()


class ReplyReceiver:
    """aiosmtpd handler: takes mail for the reply address only and hands it to the service."""

    def __init__(self, *, local: str, domain: str) -> None:
        self.local, self.domain = local.lower(), domain.lower()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local, _, domain = address.rpartition("@")
        if domain.lower() != self.domain:
            return "550 5.7.1 Relaying denied"
        if local.lower() != self.local and not local.lower().startswith(self.local + "+"):
            return "550 5.1.1 No such mailbox"
        if len(envelope.rcpt_tos) >= MAX_RECIPIENTS:
            return "452 4.5.3 Too many recipients"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        try:
            # The ORM is synchronous: one worker thread, so SQLite sees one writer at a time.
            result = await sync_to_async(_receive, thread_sensitive=True)(
                raw, list(envelope.rcpt_tos)
            )
        except Exception:
            logger.exception("e-mail reply could not be stored")
            return "451 4.3.0 Temporary failure, please try again later"
        if result.status == REFUSED:
            return _REFUSALS.get(result.reason, "550 5.7.1 This reply address is not valid")
        return _ANSWERS.get(result.status, "250 2.0.0 Reply received, thank you")


def receiver_controller(*, port: int) -> Controller:
    """The receiver, not yet started, bound to 127.0.0.1:`port`."""
    parts = reply_address_parts()
    if parts is None:
        raise CommandError("Set REPLY_ADDRESS (e.g. reply@aid.example.org) to receive replies.")
    local, domain = parts
    return Controller(
        ReplyReceiver(local=local, domain=domain),
        hostname=HOST,
        port=port,
        server_hostname=domain,  # also spares aiosmtpd a getfqdn() lookup
        data_size_limit=int(settings.MUTUA_REPLY_MAX_BYTES),
        enable_SMTPUTF8=True,
        timeout=60,
    )


class Command(BaseCommand):
    help = "Receive e-mailed replies by SMTP on 127.0.0.1; put your mail server in front of it."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=None, help="default: MAIL_RECEIVE_PORT")

    def handle(self, *args, port: int | None, **options):
        port = port or int(settings.MUTUA_MAIL_RECEIVE_PORT)
        controller = receiver_controller(port=port)
        local, domain = reply_address_parts()  # type: ignore[misc]
        controller.start()
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        self.stdout.write(
            self.style.SUCCESS(f"Receiving replies to {local}+…@{domain} on {HOST}:{port}")
        )
        try:
            while not stop.wait(1):
                pass
        except KeyboardInterrupt:
            pass
        finally:
            controller.stop()
