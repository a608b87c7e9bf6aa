from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mutua.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from mutua.core.audit_guard import register_sqlite

        connection_created.connect(register_sqlite, dispatch_uid="mutua.core.audit_guard")
