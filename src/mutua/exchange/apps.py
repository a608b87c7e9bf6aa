from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "mutua.exchange"
    label = "exchange"
    verbose_name = "Needs, offers and exchanges"

    def ready(self) -> None:
        from mutua.exchange import links, notifications, rules  # noqa: F401
        from mutua.exchange.digest import new_needs_that_fit
        from mutua.exchange.replies import task_reply_handle
        from mutua.notify.services import register_digest_source, register_reply_handler

        register_digest_source(new_needs_that_fit)
        register_reply_handler(task_reply_handle)
