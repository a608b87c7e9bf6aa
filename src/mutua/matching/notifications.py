"""Notification kinds of matching; templates in `matching/templates/notify/`."""

from django.utils.translation import gettext_lazy as _

from mutua.notify.kinds import register_kind

SUGGESTION = "matching_suggestion"

register_kind(SUGGESTION, label=_("A need nearby that fits what you can do"))
