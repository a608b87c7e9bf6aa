"""Notification kinds of matching; templates in `matching/templates/notify/`."""

from django.utils.translation import gettext_lazy as _

from mutua.notify.kinds import register_kind

SUGGESTION = "matching_suggestion"
TERM_ENDING = "matching_arrangement_term_ending"  # to coordinators: renew it or let it end

register_kind(SUGGESTION, label=_("A need nearby that fits what you can do"))
register_kind(TERM_ENDING, label=_("A standing arrangement's term is coming to its end"))
