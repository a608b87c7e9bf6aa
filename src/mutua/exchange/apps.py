from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "mutua.exchange"
    label = "exchange"
    verbose_name = "Needs, offers and exchanges"

    def ready(self) -> None:
        from mutua.exchange import links, notifications, rules  # noqa: F401
