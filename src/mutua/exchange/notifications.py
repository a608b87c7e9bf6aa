"""The notification kinds of the exchange loop and the one helper services call to send them.

Templates live in `exchange/templates/notify/<kind>_subject.txt` and `_message.txt`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from mutua.notify.kinds import register_kind

if TYPE_CHECKING:
    from mutua.communities.models import Community
    from mutua.people.models import User

RESPONSE_NEW = "exchange_response_new"
RESPONSE_ACCEPTED = "exchange_response_accepted"
TASK_ASKED = "exchange_task_asked"
TASK_DECLINED = "exchange_task_declined"
COMMITMENT_RELEASED = "exchange_commitment_released"
DONE_MARKED = "exchange_done_marked"
CONFIRMED = "exchange_confirmed"
THANKS = "exchange_thanks"
NEED_CLOSED = "exchange_need_closed"
FOLLOW_UP = "exchange_follow_up"
OFFER_EXPIRING = "exchange_offer_expiring"
OFFER_REQUEST = "exchange_offer_request"
OFFER_ANSWERED = "exchange_offer_answered"
ARRANGEMENT_PROPOSED = "exchange_arrangement_proposed"
ARRANGEMENT_CHANGED = "exchange_arrangement_changed"
DISPUTED = "exchange_disputed"
CONFIRMATION_WAITING = "exchange_confirmation_waiting"

KINDS = {
    RESPONSE_NEW: _("Someone offered to help with your need"),
    RESPONSE_ACCEPTED: _("Your offer to help was accepted"),
    TASK_ASKED: _("A coordinator asks if you can help"),
    TASK_DECLINED: _("A helper cannot take a task you asked about"),
    COMMITMENT_RELEASED: _("A task was released"),
    DONE_MARKED: _("Help was marked as done"),
    CONFIRMED: _("Help was confirmed"),
    THANKS: _("A thank-you note"),
    NEED_CLOSED: _("A need you were helping with was closed"),
    FOLLOW_UP: _("A task needs a coordinator's follow-up"),
    OFFER_EXPIRING: _("Your offer is about to expire"),
    OFFER_REQUEST: _("Someone asked for your offer"),
    OFFER_ANSWERED: _("An answer about an offer you asked for"),
    ARRANGEMENT_PROPOSED: _("Someone asks if you can help regularly"),
    ARRANGEMENT_CHANGED: _("A standing arrangement changed"),
    DISPUTED: _("Help you were part of was questioned"),
    CONFIRMATION_WAITING: _("Help waits for someone to confirm it"),
}

for _code, _label in KINDS.items():
    register_kind(_code, label=_label)


def notify(
    recipient: User | None,
    kind: str,
    context: dict[str, Any],
    *,
    community: Community | None = None,
    dedupe_key: str = "",
    actions: list[dict] | None = None,
) -> None:
    """Write the notification in the caller's transaction (the outbox delivers it later)."""
    if recipient is None:
        return
    from mutua.notify.services import notification_send

    notification_send(
        recipient=recipient,
        kind=kind,
        context=context,
        community=community,
        dedupe_key=dedupe_key,
        actions=actions,
    )
