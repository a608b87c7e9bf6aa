from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "mutua.web"
    label = "web"
    verbose_name = "Web pages"
