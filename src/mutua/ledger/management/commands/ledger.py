"""`mutua ledger verify`: recompute every balance from the entries and say where they differ."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from mutua.ledger.selectors import ledger_verify


class Command(BaseCommand):
    help = "Time-credit ledger tools. `verify` checks balances, zero-sum and reversals."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Recompute balances from entries; exit 1 on any discrepancy.")

    def handle(self, *args, action: str, **options) -> None:
        if action == "verify":
            problems = ledger_verify()
            for problem in problems:
                self.stderr.write(problem)
            if problems:
                raise CommandError(f"the ledger has {len(problems)} discrepancies (listed above)")
            self.stdout.write("ledger verified: every balance equals the sum of its entries")
