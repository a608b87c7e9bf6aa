"""API: the community's exchange settings (timings, categories) and the coordinators' queue of
commitments flagged for follow-up. On the exchange router (see api.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field, StringConstraints

from mutua.api.errors import responses
from mutua.api.fields import NO_NUL, In, Slug
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.communities.selectors import community_get
from mutua.exchange import selectors, services
from mutua.exchange.api import _viewer, router
from mutua.exchange.services.settings import MAX_CATEGORIES, RANGES


class ExchangeSettingsOut(Schema):
    categories: list[str]
    auto_confirm_days: int = Field(description="Help marked done confirms itself after this")
    dispute_window_days: int = Field(description="Days after marking done to question it")
    stale_grace_hours: int = Field(description="Hours past due before a task is released")
    offer_reminder_days: int = Field(description="Days before an offer expires to remind")


def _range(field: str):
    low, high = RANGES[field]
    return Field(None, ge=low, le=high)


Category = Annotated[str, StringConstraints(min_length=1, max_length=60, pattern=NO_NUL)]


class ExchangeSettingsIn(In):
    """Only the fields given change."""

    categories: list[Category] | None = Field(None, max_length=MAX_CATEGORIES)
    auto_confirm_days: int | None = _range("auto_confirm_days")
    dispute_window_days: int | None = _range("dispute_window_days")
    stale_grace_hours: int | None = _range("stale_grace_hours")
    offer_reminder_days: int | None = _range("offer_reminder_days")


@router.get(
    "/communities/{slug}/exchange-settings",
    response=responses({200: ExchangeSettingsOut}),
    summary="The community's categories and timings of the exchange loop (members)",
)
def exchange_settings_get(request: HttpRequest, slug: Slug) -> Any:
    return selectors.exchange_settings_get(
        viewer=_viewer(request), community=community_get(slug=slug)
    )


@router.patch(
    "/communities/{slug}/exchange-settings",
    response=responses({200: ExchangeSettingsOut}),
    summary="Change categories and timings (coordinators; audit-logged)",
)
def exchange_settings_patch(request: HttpRequest, slug: Slug, payload: ExchangeSettingsIn) -> Any:
    return services.exchange_settings_update(
        actor=_viewer(request),
        community=community_get(slug=slug),
        **payload.model_dump(exclude_unset=True),
    )


class FollowUpOut(Schema):
    commitment: str = Field(alias="public_id")
    need: str = Field(alias="need.public_id")
    need_title: str = Field(alias="need.title")
    helper: str = Field(alias="helper.public_id")
    status: str
    note: str = Field(alias="follow_up_note")
    no_show_reported_at: dt.datetime | None
    no_show_note: str
    disputed_at: dt.datetime | None
    dispute_reason: str
    updated_at: dt.datetime


@router.get(
    "/communities/{slug}/follow-ups",
    response=responses({200: Page[FollowUpOut]}),
    summary="Commitments flagged for a coordinator's follow-up, oldest first (coordinators)",
)
def follow_ups_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    qs = selectors.follow_up_queue(viewer=_viewer(request), community=community_get(slug=slug))
    return paginate(qs, page)
