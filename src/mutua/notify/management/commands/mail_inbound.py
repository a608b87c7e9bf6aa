"""`mutua mail_inbound`: read one e-mailed reply from stdin (a Postfix pipe transport).

Exit codes follow sysexits.h, which Postfix understands: 0 taken, 65 unreadable, 77 refused
(the sender gets a bounce), 75 a temporary failure (Postfix tries again later).
"""

from __future__ import annotations

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from mutua.notify.services.inbound_email import REFUSED, email_inbound_receive

EX_DATAERR, EX_TEMPFAIL, EX_NOPERM = 65, 75, 77


class Command(BaseCommand):
    help = "Read one e-mail reply (RFC 822) from standard input and apply it."
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument(
            "--recipient",
            action="append",
            default=[],
            help="envelope recipient, e.g. Postfix's ${original_recipient} (repeatable)",
        )

    def handle(self, *args, recipient: list[str], **options):
        stream = options.get("stdin") or sys.stdin.buffer
        raw = stream.read(int(settings.MUTUA_REPLY_MAX_BYTES) + 1)
        try:
            result = email_inbound_receive(raw, envelope_recipients=recipient)
        except DatabaseError as exc:
            raise CommandError(f"temporary failure: {exc}", returncode=EX_TEMPFAIL) from exc
        if result.status == REFUSED:
            code = EX_DATAERR if result.reason == "unreadable" else EX_NOPERM
            raise CommandError(f"reply refused: {result.reason}", returncode=code)
        self.stdout.write(f"{result.status} {result.reason}".strip())
