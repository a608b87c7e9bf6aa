from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "mutua.matching"
    label = "matching"
    verbose_name = "Matching and dispatch plans"

    def ready(self) -> None:
        from mutua.exchange.services.arrangements import register_term_source
        from mutua.matching import notifications  # noqa: F401
        from mutua.matching.renewals import arrangement_term_views

        register_term_source(arrangement_term_views)
