"""E-mail rendered from templates and sent by the worker after the transaction commits."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def render_mail(template: str, context: dict, language: str = "en") -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", context).strip()
        body = render_to_string(f"{template}_message.txt", context)
    return " ".join(subject.split()), body


def send_templated_mail_on_commit(
    *, to: str, template: str, context: dict, language: str = "en"
) -> None:
    """Render now (inside the transaction, with its data) and hand to the worker on commit."""
    subject, body = render_mail(template, context, language)

    def enqueue() -> None:
        from mutua.core.tasks import send_email

        send_email(to, subject, body)

    transaction.on_commit(enqueue)


def deliver(to: str, subject: str, body: str) -> None:
    from django.conf import settings

    EmailMultiAlternatives(subject, body, settings.DEFAULT_FROM_EMAIL, [to]).send()
