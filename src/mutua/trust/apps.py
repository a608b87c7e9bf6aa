from django.apps import AppConfig


class TrustConfig(AppConfig):
    name = "mutua.trust"
    label = "trust"
    verbose_name = "Trust and safeguarding"

    def ready(self) -> None:
        from mutua.trust import notifications  # noqa: F401
