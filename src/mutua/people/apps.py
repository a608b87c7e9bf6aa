from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "mutua.people"
    label = "people"
    verbose_name = "People"
