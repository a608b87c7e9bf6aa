from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "mutua.api"
    label = "api"
    verbose_name = "API"
