"""A plan's step log in words: the log keeps short codes, people read sentences."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutua.care.models import AlertOutcome, CheckInHow
from mutua.care.services.calls import CALL_OUTCOMES

_WORDS = {
    "reminder": gettext_lazy("Reminder sent"),
    "reminder_skipped": gettext_lazy("Reminder not sent: its time had already passed"),
    "deadline": gettext_lazy("Check-in time came with no answer yet"),
    "ask": gettext_lazy("Asked again, on every channel"),
    "contact": gettext_lazy("Someone in the circle was alerted"),
    "contact_skipped": gettext_lazy("Skipped a contact who can no longer be in the circle"),
    "on_call": gettext_lazy("The coordinator on call was alerted"),
    "coordinators": gettext_lazy("The coordinators were alerted"),
    "call": gettext_lazy("A phone call to make: %(detail)s"),
    "call_contact": gettext_lazy("A phone call to an outside contact: %(detail)s"),
    "held": gettext_lazy("%(detail)s is on it"),
    "still_held": gettext_lazy("Whoever is on it was reminded to record the all-clear"),
    "hold_released": gettext_lazy(
        "Whoever was on it can no longer respond: the alert went on to the next people"
    ),
    "all_clear": gettext_lazy("All clear: %(detail)s"),
    "help": gettext_lazy("Asked for help"),
    "checkin": gettext_lazy("Checked in: %(detail)s"),
    "resumed": gettext_lazy("Check-ins started again after a pause"),
    "instructions_shown": gettext_lazy("How to get in was shown (this is recorded)"),
    "reply": gettext_lazy("A reply for a person to read (not counted as OK): %(detail)s"),
    "reply_forwarded": gettext_lazy("The reply was passed on to be read"),
    "call_outcome": gettext_lazy("Phone call: %(detail)s"),
}
_DETAILS = {
    "all_clear": dict(AlertOutcome.choices),
    "checkin": dict(CheckInHow.choices),
    "call_outcome": CALL_OUTCOMES,
}


def event_words(kind: str, detail: str = "") -> str:
    """ "reminder:reminder:0" → "Reminder sent"; an unknown code is shown as it is."""
    head = kind.split(":", 1)[0]
    words = _WORDS.get(head)
    if words is None:
        return kind
    shown = str(_DETAILS.get(head, {}).get(detail, detail)) or _("unknown")
    text = str(words)
    return text % {"detail": shown} if "%(detail)s" in text else text
