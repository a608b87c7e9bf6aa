from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "mutua.care"
    label = "care"
    verbose_name = "Care plans and circles"

    def ready(self) -> None:
        from mutua.care import health, links, notifications  # noqa: F401
        from mutua.care.services.alerts import holds_final_alert
        from mutua.care.services.checkins import care_reply_handle
        from mutua.core.permissions import SENSITIVE_ACCESS_RULES, register_sensitive_rule
        from mutua.notify.services import register_reply_handler

        register_reply_handler(care_reply_handle)
        from mutua.care.services.circle import contacts_flag_below_trust
        from mutua.trust.recompute import LEVEL_CHANGE_HANDLERS, register_level_change_handler

        if contacts_flag_below_trust not in LEVEL_CHANGE_HANDLERS:
            register_level_change_handler(contacts_flag_below_trust)
        if holds_final_alert not in SENSITIVE_ACCESS_RULES:
            register_sensitive_rule(holds_final_alert)
