"""Ledger writes. Every transfer goes through `posting.post`, in one transaction."""

from mutua.ledger.services.accounts import (
    account_set_limits,
    account_set_nudge,
    account_set_supported,
    account_update,
    ledger_configure,
)
from mutua.ledger.services.common import LimitReached, account_for, fund_for, settings_for
from mutua.ledger.services.exchanges import ledger_record_exchange, ledger_reverse_exchange
from mutua.ledger.services.fund import (
    fund_request_approve,
    fund_request_create,
    fund_request_decline,
)
from mutua.ledger.services.requests import (
    credit_request_approve,
    credit_request_create,
    credit_request_decline,
    credit_request_get,
)
from mutua.ledger.services.transfers import (
    fund_gift,
    fund_grant,
    transfer_get,
    transfer_record,
    transfer_reverse,
    transfer_send,
)

__all__ = [
    "LimitReached",
    "account_for",
    "account_set_limits",
    "account_set_nudge",
    "account_set_supported",
    "account_update",
    "credit_request_approve",
    "credit_request_create",
    "credit_request_decline",
    "credit_request_get",
    "fund_for",
    "fund_gift",
    "fund_grant",
    "fund_request_approve",
    "fund_request_create",
    "fund_request_decline",
    "ledger_configure",
    "ledger_record_exchange",
    "ledger_reverse_exchange",
    "settings_for",
    "transfer_get",
    "transfer_record",
    "transfer_reverse",
    "transfer_send",
]
