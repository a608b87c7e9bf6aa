"""E-mail from the outbox through a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
from email import policy

import pytest
from aiosmtpd.controller import Controller

from mutua.notify.kinds import register_kind
from mutua.notify.models import OutboxMessage
from mutua.notify.services import notification_send, outbox_deliver_due
from tests.factories import make_user
from tests.support.ports import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)  # no getfqdn lookups
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 10
    settings.SITE_URL = "https://mutua.example"
    yield inbox
    controller.stop()


def test_outbox_email_arrives_multipart_with_one_click_unsubscribe(db, smtp):
    register_kind("digest", label="Digest", default_channels=("email",))
    ana = make_user("Ana Ruiz")
    notification_send(
        recipient=ana,
        kind="digest",
        context={"items": [{"title": "Shopping for Mrs Lee", "url": "/needs/x/"}], "more": 0},
        actions=[{"label": "I can help", "url": "/l/token/"}],
    )
    report = outbox_deliver_due()
    assert report.sent == 1, OutboxMessage.objects.values_list("last_error", flat=True)
    [(sender, recipients, raw)] = smtp.messages
    assert recipients == [ana.email] and "noreply" in sender
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part.get_content() for part in message.iter_parts()}
    assert "Shopping for Mrs Lee" in parts["text/plain"]
    assert "I can help: https://mutua.example/l/token/" in parts["text/plain"]
    assert 'href="https://mutua.example/l/token/"' in parts["text/html"]
    assert message["List-Unsubscribe"].strip().startswith("<https://mutua.example/unsubscribe/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert OutboxMessage.objects.get().status == "sent"


def test_smtp_server_down_means_retry_not_loss(db, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listening
    settings.EMAIL_TIMEOUT = 5
    register_kind("digest", label="Digest", default_channels=("email",))
    ana = make_user()
    notification_send(recipient=ana, kind="digest", context={"items": [], "more": 0})
    assert outbox_deliver_due().retrying == 1
    message = OutboxMessage.objects.get()
    assert message.status == "pending" and "ConnectionRefused" in message.last_error
