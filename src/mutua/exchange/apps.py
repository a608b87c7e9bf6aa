from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "mutua.exchange"
    label = "exchange"
    verbose_name = "Needs, offers and exchanges"

    def ready(self) -> None:
        from mutua.communities.services.membership import register_membership_end_handler
        from mutua.exchange import links, notifications  # noqa: F401
        from mutua.exchange.account import register as register_account_parts
        from mutua.exchange.digest import new_needs_that_fit
        from mutua.exchange.replies import task_reply_handle
        from mutua.exchange.services import exchange_membership_end
        from mutua.notify.services import register_digest_source, register_reply_handler

        register_account_parts()
        register_membership_end_handler(exchange_membership_end)
        register_digest_source(new_needs_that_fit)
        register_reply_handler(task_reply_handle)
