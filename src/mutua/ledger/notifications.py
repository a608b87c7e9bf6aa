"""The ledger's one notification: an opt-in, gentle weekly nudge about a member's balance."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mutua.notify.kinds import register_kind

NUDGE = "ledger_nudge"

register_kind(
    NUDGE, label=_("A gentle note about your time credits"), template="notify/ledger_nudge"
)
