"""Care's notification kinds. Every message about someone's safety is critical (it bypasses
quiet hours and the daily cap). A drill's messages all say TEST (see the templates).

Messages that ask the person themselves come in one kind per channel set, because the plan
chooses where to ask (web only, e-mail, SMS).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from mutua.notify.kinds import APP, EMAIL, SMS, register_kind

if TYPE_CHECKING:
    from mutua.communities.models import Community
    from mutua.people.models import User

REMINDER = "care_reminder"  # to the person, before the deadline
ASK = "care_ask"  # to the person, after the grace period, on every channel
ALERT = "care_alert"  # to a circle member or coordinator: a check-in was missed
HELP = "care_help"  # to the circle and coordinators: the person asked for help
CALL = "care_call"  # to the coordinator on call and the callers: a phone call to make
HELD = "care_held"  # to everyone alerted: someone is on it
STILL_HELD = "care_still_held"  # to the holder: please record the all-clear
ALL_CLEAR = "care_all_clear"  # to everyone alerted
FLAGGED = "care_flagged"  # to coordinators: a plan needs mending (its circle, a dead number)
REPLY = "care_reply"  # to the circle and coordinators: a reply no machine could read
NUMBER_WRONG = "care_number_wrong"  # to coordinators: a caller found the person's number dead
YOUR_NUMBER = "care_your_number"  # to the person: a caller found their own number dead
CIRCLE_INVITE = "care_circle_invite"  # to a member asked to join a circle (not critical)

_PERSON_CHANNEL_SETS = {
    "": (APP,),
    "email": (APP, EMAIL),
    "sms": (APP, SMS),
    "email_sms": (APP, EMAIL, SMS),
}

for _base, _label in ((REMINDER, _("Check-in reminders")), (ASK, _("Check-in asked again"))):
    for _suffix, _channels in _PERSON_CHANNEL_SETS.items():
        register_kind(
            f"{_base}_{_suffix}" if _suffix else _base,
            label=_label,
            critical=True,
            default_channels=_channels,
            template=f"notify/{_base}",
        )

for _code, _label in {
    ALERT: _("A check-in in your care circle was missed"),
    HELP: _("Someone in your care circle asked for help"),
    CALL: _("A check-in phone call to make"),
    HELD: _("Someone is on it"),
    STILL_HELD: _("An alert you hold is still open"),
    ALL_CLEAR: _("All clear"),
    FLAGGED: _("A care plan needs mending"),
    REPLY: _("A reply in your care circle that a person should read"),
    NUMBER_WRONG: _("A phone number on the care call list is wrong"),
}.items():
    register_kind(_code, label=_label, critical=True, default_channels=(APP, EMAIL, SMS))

# Not by SMS: the number is what does not work.
register_kind(
    YOUR_NUMBER,
    label=_("Your phone number did not work for a check-in call"),
    critical=True,
    default_channels=(APP, EMAIL),
)
register_kind(CIRCLE_INVITE, label=_("Invitations to a care circle"))


def person_kind(base: str, channels: list[str]) -> str:
    """The kind asking the person on the plan's channels (web always, in the app)."""
    suffix = "_".join(c for c in ("email", "sms") if c in channels)
    return f"{base}_{suffix}" if suffix else base


def notify(
    recipient: User | None,
    kind: str,
    context: dict[str, Any],
    *,
    community: Community | None = None,
    dedupe_key: str = "",
    actions: list[dict] | None = None,
) -> bool:
    """Write the notification in the caller's transaction; True when it was new."""
    if recipient is None:
        return False
    from mutua.notify.services import notification_send

    return bool(
        notification_send(
            recipient=recipient,
            kind=kind,
            context=context,
            community=community,
            dedupe_key=dedupe_key[:200],
            actions=actions,
        )
    )
