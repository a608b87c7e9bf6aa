from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "mutua.notify"
    label = "notify"
    verbose_name = "Notifications"

    def ready(self) -> None:
        # Our own kinds (the digest) and the built-in channels register themselves on import.
        import mutua.notify.channels
        import mutua.notify.kinds  # noqa: F401
        from mutua.notify.account import register as register_account_parts

        register_account_parts()
