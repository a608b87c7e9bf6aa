from django.apps import AppConfig


class CareConfig(AppConfig):
    name = "mutua.care"
    label = "care"
    verbose_name = "Care plans and circles"

    def ready(self) -> None:
        # No sensitive-details rule here: holding an alert unlocks only the address and access
        # notes, through `care_access_details` (its own check, audit-logged), never the rest.
        from mutua.care import health, links, notifications  # noqa: F401
        from mutua.care.services.checkins import care_reply_handle
        from mutua.notify.services import register_reply_handler

        register_reply_handler(care_reply_handle)
        from mutua.care.services.circle import contacts_flag_below_trust
        from mutua.trust.recompute import LEVEL_CHANGE_HANDLERS, register_level_change_handler

        if contacts_flag_below_trust not in LEVEL_CHANGE_HANDLERS:
            register_level_change_handler(contacts_flag_below_trust)
        from mutua.care.services.circle import person_plans_flag_refresh
        from mutua.people.services import register_phone_change_handler

        register_phone_change_handler(person_plans_flag_refresh)
