"""The registry of notification kinds. Each app registers its own from its AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from mutua.core.errors import ValidationFailed

APP = "app"
EMAIL = "email"
SMS = "sms"
# Channels a member can switch per kind on the preferences page; the in-app row is always kept.
CHOOSABLE_CHANNELS = (EMAIL, SMS)


@dataclass(frozen=True)
class Kind:
    code: str
    label: Any
    critical: bool
    default_channels: tuple[str, ...]
    template: str


_KINDS: dict[str, Kind] = {}


def register_kind(
    code: str,
    *,
    label: Any,
    critical: bool = False,
    default_channels: tuple[str, ...] = (APP, EMAIL),
    template: str = "",
) -> Kind:
    """Declare a kind. Templates: `<template>_subject.txt`, `_message.txt`, optional `_message.html`
    and `_sms.txt`; `template` defaults to `notify/<code>`. Registering twice replaces it."""
    kind = Kind(
        code=code,
        label=label,
        critical=critical,
        default_channels=tuple(default_channels),
        template=template or f"notify/{code}",
    )
    _KINDS[code] = kind
    return kind


def kind_get(code: str) -> Kind:
    try:
        return _KINDS[code]
    except KeyError:
        raise ValidationFailed(
            _("This kind of notification is not known."), field_errors={"kind": [code]}
        ) from None


def kind_all() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda k: k.code)


DIGEST = "digest"
register_kind(
    DIGEST,
    label=_("Daily digest of needs that fit you"),
    default_channels=(EMAIL,),
)
