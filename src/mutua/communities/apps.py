from django.apps import AppConfig


class CommunitiesConfig(AppConfig):
    name = "mutua.communities"
    label = "communities"
    verbose_name = "Communities"

    def ready(self) -> None:
        from mutua.communities.account import register

        register()
