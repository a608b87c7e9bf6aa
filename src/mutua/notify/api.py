"""API: my notifications (cursor-paginated), marking them read, and my message choices."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.notify import selectors, services

router = Router(tags=["notifications"])

if TYPE_CHECKING:
    KindCode = str
else:
    from typing import Annotated

    from pydantic import StringConstraints

    KindCode = Annotated[
        str, StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9_.-]+$")
    ]


class NotificationOut(Schema):
    id: str
    kind: str
    title: str
    body: str
    url: str
    actions: list[dict[str, str]]
    is_critical: bool
    created_at: dt.datetime
    read_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.public_id


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    kind: str
    label: str
    critical: bool
    channels: dict[str, bool]


class PreferenceIn(In):
    kind: KindCode
    channel: Literal["email", "sms"]
    enabled: bool


class PreferencesIn(In):
    preferences: list[PreferenceIn] = Field(max_length=200)


def _me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("", response=responses({200: Page[NotificationOut]}), summary="My notifications")
def notifications_list(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(selectors.notification_list(user=_me(request)), page, newest_first=True)


@router.post(
    "/read-all", response=responses({200: MarkedOut}), summary="Mark all my notifications read"
)
def notifications_read_all(request: HttpRequest) -> Any:
    return {"marked": services.notification_mark_all_read(user=_me(request))}


@router.get(
    "/preferences", response=responses({200: list[PreferenceOut]}), summary="My message choices"
)
def preferences_get(request: HttpRequest) -> Any:
    return selectors.preference_matrix(user=_me(request))


@router.put(
    "/preferences",
    response=responses({200: list[PreferenceOut]}),
    summary="Change my message choices (safety messages cannot be turned off)",
)
def preferences_put(request: HttpRequest, payload: PreferencesIn) -> Any:
    choices: dict[str, dict[str, bool]] = {}
    for p in payload.preferences:
        choices.setdefault(p.kind, {})[p.channel] = p.enabled
    services.notification_preferences_update(user=_me(request), choices=choices)
    return selectors.preference_matrix(user=_me(request))


@router.post(
    "/{public_id}/read",
    response=responses({200: NotificationOut}),
    summary="Mark one of my notifications read",
)
def notification_read(request: HttpRequest, public_id: PublicId) -> Any:
    return services.notification_mark_read(user=_me(request), public_id=public_id)
