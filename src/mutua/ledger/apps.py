from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "mutua.ledger"
    label = "ledger"
    verbose_name = "Time-credit ledger"

    def ready(self) -> None:
        from mutua.ledger import notifications  # noqa: F401
