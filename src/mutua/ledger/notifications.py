"""Ledger notifications: the opt-in weekly nudge, requests for credits, requests to the fund."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mutua.notify.kinds import register_kind

NUDGE = "ledger_nudge"

register_kind(
    NUDGE, label=_("A gentle note about your time credits"), template="notify/ledger_nudge"
)

FUND_REQUESTED = "ledger_fund_requested"
FUND_ANSWERED = "ledger_fund_answered"

register_kind(
    FUND_REQUESTED,
    label=_("A member asked the community fund to pay for help (coordinators)"),
    template="notify/ledger_fund_requested",
)
register_kind(
    FUND_ANSWERED,
    label=_("An answer from the community fund"),
    template="notify/ledger_fund_answered",
)

CREDIT_REQUESTED = "ledger_credit_requested"

register_kind(
    CREDIT_REQUESTED,
    label=_("A member asks you for time credits"),
    template="notify/ledger_credit_requested",
)
