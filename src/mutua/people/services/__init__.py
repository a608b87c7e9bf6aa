"""Writes about people, split by concept; import them from here."""

from mutua.people.services.account import account_delete, account_export
from mutua.people.services.profile import (
    LANGUAGE_CODES,
    MAX_TAGS,
    Window,
    availability_set,
    models_q_global_or_member,
    profile_clear_quiet_hours,
    profile_ensure,
    profile_set_skills,
    profile_update,
)
from mutua.people.services.sensitive import (
    SENSITIVE_FIELDS,
    phone_fingerprint,
    phone_fingerprint_matches,
    phone_reported_wrong,
    register_phone_change_handler,
    sensitive_details_lock,
    sensitive_phone_matches,
    sensitive_phone_report_wrong,
    sensitive_phones_read,
    sensitive_read,
    sensitive_update,
)
from mutua.people.services.tokens import (
    TOKEN_PREFIX,
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)

__all__ = [
    "LANGUAGE_CODES",
    "MAX_TAGS",
    "SENSITIVE_FIELDS",
    "TOKEN_PREFIX",
    "Window",
    "account_delete",
    "account_export",
    "api_token_authenticate",
    "api_token_create",
    "api_token_revoke",
    "availability_set",
    "models_q_global_or_member",
    "phone_fingerprint",
    "phone_fingerprint_matches",
    "phone_reported_wrong",
    "profile_clear_quiet_hours",
    "profile_ensure",
    "profile_set_skills",
    "profile_update",
    "register_phone_change_handler",
    "sensitive_details_lock",
    "sensitive_phone_matches",
    "sensitive_phone_report_wrong",
    "sensitive_phones_read",
    "sensitive_read",
    "sensitive_update",
]
