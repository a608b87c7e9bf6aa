"""Writes of the notify app: `from mutua.notify.services import notification_send`."""

from mutua.notify.services.bulk import Outgoing, notification_send_many
from mutua.notify.services.centre import notification_mark_all_read, notification_mark_read
from mutua.notify.services.delivery import DeliveryReport, outbox_deliver_due
from mutua.notify.services.digest import digest_send_daily, register_digest_source
from mutua.notify.services.inbound import inbound_sms_receive, register_reply_handler
from mutua.notify.services.preferences import (
    notification_preferences_page_save,
    notification_preferences_update,
    notification_unsubscribe,
    unsubscribe_peek,
    unsubscribe_token,
)
from mutua.notify.services.send import notification_send

__all__ = [
    "DeliveryReport",
    "Outgoing",
    "digest_send_daily",
    "inbound_sms_receive",
    "notification_mark_all_read",
    "notification_mark_read",
    "notification_preferences_page_save",
    "notification_preferences_update",
    "notification_send",
    "notification_send_many",
    "notification_unsubscribe",
    "outbox_deliver_due",
    "register_digest_source",
    "register_reply_handler",
    "unsubscribe_peek",
    "unsubscribe_token",
]
