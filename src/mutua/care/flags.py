"""Why a care plan is flagged for mending. The plan stores a code; the words are chosen when
shown, in the reader's language (a caller's Spanish is not what an English coordinator reads)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

DECLINED = "declined"
LEFT = "left"
INELIGIBLE = "ineligible"
TRUST = "trust"
CONTACT_NUMBER = "contact_number"
PERSON_NUMBER = "person_number"

FLAG_REASONS: dict[str, Promise] = {
    DECLINED: _("a contact declined"),
    LEFT: _("a contact left the circle"),
    INELIGIBLE: _(
        "a contact can no longer be in the circle (they left the community or closed their account)"
    ),
    TRUST: _("a contact's trust level fell below what care circles ask for"),
    CONTACT_NUMBER: _(
        "an outside contact's phone number is wrong or no longer works (from the call list)"
    ),
    PERSON_NUMBER: _(
        "the person's own phone number is wrong or no longer works (from the call list); "
        "they can change it on their private details page"
    ),
}


def flag_reason_words(stored: str) -> str | Promise:
    """The words for a stored reason; a reason stored as words (before codes) as it is."""
    return FLAG_REASONS.get(stored, stored)
