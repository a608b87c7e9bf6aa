"""Django's `flush`, allowed to empty the audit log too (the triggers refuse any other DELETE)."""

from __future__ import annotations

from django.core.management.commands.flush import Command as DjangoFlush

from mutua.core.audit_guard import audit_unlocked


class Command(DjangoFlush):
    def handle(self, **options):
        # PostgreSQL empties tables with TRUNCATE, which row triggers never see; SQLite deletes
        # row by row, so the log is unlocked for this process while it runs.
        with audit_unlocked(options.get("database") or "default"):
            return super().handle(**options)
