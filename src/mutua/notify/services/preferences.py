"""Preferences per kind and channel, and one-click unsubscribe tokens (RFC 8058)."""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext as _

from mutua.core.errors import Conflict, NotFound, ValidationFailed
from mutua.notify.kinds import CHOOSABLE_CHANNELS, EMAIL, Kind, kind_all, kind_get
from mutua.notify.models import NotificationPreference
from mutua.notify.services.send import channels_of
from mutua.people.models import User

UNSUBSCRIBE_SALT = "mutua.notify.unsubscribe"


def _set(user: User, kind: str, channel: str, enabled: bool) -> None:
    NotificationPreference.objects.update_or_create(
        user=user, kind=kind, channel=channel, defaults={"enabled": enabled}
    )


@transaction.atomic
def notification_preferences_update(*, user: User, choices: dict[str, dict[str, bool]]) -> None:
    """Set channels per kind: `{"digest": {"email": False}}`. Safety kinds cannot be turned off."""
    errors: dict[str, list[str]] = {}
    for code, channels in choices.items():
        try:
            kind = kind_get(code)
        except ValidationFailed as exc:
            errors[code] = [exc.message]
            continue
        if kind.critical:
            errors[code] = [_("Safety messages cannot be turned off.")]
        for channel in channels:
            if channel not in CHOOSABLE_CHANNELS:
                errors[f"{code}.{channel}"] = [_("This channel is not known.")]
    if errors:
        raise ValidationFailed(_("Some choices could not be saved."), field_errors=errors)
    for code, channels in choices.items():
        for channel, enabled in channels.items():
            _set(user, code, channel, bool(enabled))


def notification_preferences_page_save(*, user: User, ticked: set[tuple[str, str]]) -> None:
    """The preferences page, with the (kind, channel) boxes ticked: a choice is recorded only
    for a box the member changed from what the page showed, so the others keep following the
    kind's defaults and the profile's preferred channel."""
    kinds = [k for k in kind_all() if not k.critical]
    choices: dict[str, dict[str, bool]] = {}
    for kind, shown in zip(kinds, channels_of([(user, k) for k in kinds]), strict=True):
        for channel in CHOOSABLE_CHANNELS:
            on = (kind.code, channel) in ticked
            if on != (channel in shown):
                choices.setdefault(kind.code, {})[channel] = on
    notification_preferences_update(user=user, choices=choices)


def unsubscribe_token(*, user: User, kind: str) -> str:
    """A signed token for one person and one kind. It does not expire: old e-mails keep working."""
    return signing.dumps({"u": user.public_id, "k": kind}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_peek(token: str) -> tuple[User, Kind]:
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
        user = User.objects.get(public_id=data["u"], is_active=True)
        kind = kind_get(data["k"])
    except (signing.BadSignature, User.DoesNotExist, ValidationFailed, KeyError, TypeError):
        raise NotFound(_("This unsubscribe link is not valid.")) from None
    return user, kind


def notification_unsubscribe(*, token: str) -> tuple[User, Kind]:
    """Turn off e-mail for the token's kind. Safety kinds (care alerts) cannot be unsubscribed."""
    user, kind = unsubscribe_peek(token)
    if kind.critical:
        raise Conflict(_("Safety messages cannot be turned off, because someone may need you."))
    _set(user, kind.code, EMAIL, False)
    return user, kind
