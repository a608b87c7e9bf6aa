"""Exchange services, split by concept; import them from here."""

from mutua.exchange.services.arrangement_changes import (
    arrangement_answer,
    arrangement_hand_over,
    arrangement_set_status,
)
from mutua.exchange.services.arrangements import (
    arrangement_create,
    arrangement_create_from_commitment,
    arrangement_materialise,
)
from mutua.exchange.services.completion import (
    commitment_confirm,
    commitment_mark_done,
    commitment_release,
    expense_mark_repaid,
    expense_record,
    feedback_give,
)
from mutua.exchange.services.dispatch import need_bulk_assign, need_bulk_close
from mutua.exchange.services.follow_up import (
    commitment_dispute,
    commitment_flag_follow_up,
    commitment_follow_up_clear,
    commitment_report_no_show,
)
from mutua.exchange.services.membership_end import exchange_membership_end
from mutua.exchange.services.needs import need_close, need_edit, need_post, need_private_set
from mutua.exchange.services.offers import (
    offer_close,
    offer_post,
    offer_renew,
    offer_request_answer,
    offer_request_create,
)
from mutua.exchange.services.responses import (
    commitment_assign,
    need_ask_helper,
    need_self_assign,
    response_accept,
    response_create,
    response_decline,
    task_accept_by_link,
    task_decline_by_link,
)
from mutua.exchange.services.settings import exchange_settings_update

__all__ = [
    "arrangement_answer",
    "arrangement_create",
    "arrangement_create_from_commitment",
    "arrangement_hand_over",
    "arrangement_materialise",
    "arrangement_set_status",
    "commitment_assign",
    "commitment_confirm",
    "commitment_dispute",
    "commitment_flag_follow_up",
    "commitment_follow_up_clear",
    "commitment_mark_done",
    "commitment_release",
    "commitment_report_no_show",
    "exchange_membership_end",
    "exchange_settings_update",
    "expense_mark_repaid",
    "expense_record",
    "feedback_give",
    "need_ask_helper",
    "need_bulk_assign",
    "need_bulk_close",
    "need_close",
    "need_edit",
    "need_post",
    "need_private_set",
    "need_self_assign",
    "offer_close",
    "offer_post",
    "offer_renew",
    "offer_request_answer",
    "offer_request_create",
    "response_accept",
    "response_create",
    "response_decline",
    "task_accept_by_link",
    "task_decline_by_link",
]
