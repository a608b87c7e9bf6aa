from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "mutua.matching"
    label = "matching"
    verbose_name = "Matching and dispatch plans"

    def ready(self) -> None:
        from mutua.matching import notifications  # noqa: F401
