"""Notification kinds of matching; templates in `matching/templates/notify/`."""

from django.utils.translation import gettext_lazy as _

from mutua.notify.kinds import register_kind

SUGGESTION = "matching_suggestion"
TERM_ENDING = "matching_arrangement_term_ending"  # to coordinators: renew it or let it end
NEEDS_FOR_OFFER = "matching_needs_for_offer"  # to the owner of a new offer

register_kind(SUGGESTION, label=_("A need nearby that fits what you can do"))
register_kind(TERM_ENDING, label=_("A standing arrangement's term is coming to its end"))
register_kind(NEEDS_FOR_OFFER, label=_("Needs that your new offer could meet"))
