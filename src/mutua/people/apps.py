from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "mutua.people"
    label = "people"
    verbose_name = "People"

    def ready(self) -> None:
        from mutua.people.services.account import register_people_parts

        register_people_parts()
