"""API: the ledger's settings, a member's own limits and support (coordinators), the nudge."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug, Str300
from mutua.communities.selectors import community_get
from mutua.ledger import services
from mutua.ledger.api_common import member, router, viewer


class LedgerSettingsIn(In):
    is_enabled: bool | None = None
    floor_minutes: int | None = Field(None, ge=-60000, le=0)
    ceiling_minutes: int | None = Field(None, ge=0, le=60000)
    fund_floor_minutes: int | None = Field(None, ge=-60000, le=0)
    breach_mode: Literal["block", "flag"] | None = None


class LedgerSettingsOut(Schema):
    is_enabled: bool
    floor_minutes: int
    ceiling_minutes: int
    fund_floor_minutes: int
    breach_mode: str


class AccountIn(In):
    floor_minutes: int | None = Field(None, ge=-60000, le=0)
    ceiling_minutes: int | None = Field(None, ge=0, le=60000)
    is_supported: bool | None = None
    reason: Str300


class AccountOut(Schema):
    floor_override: int | None
    ceiling_override: int | None
    is_supported: bool


class NudgeIn(In):
    wants_nudge: bool


@router.patch(
    "/communities/{slug}/ledger/settings",
    response=responses({200: LedgerSettingsOut}),
    summary="Turn the ledger on or off, and set its limits",
)
def settings_update(request: HttpRequest, slug: Slug, payload: LedgerSettingsIn) -> Any:
    return services.ledger_configure(
        actor=viewer(request), community=community_get(slug=slug), **payload.model_dump()
    )


@router.patch(
    "/communities/{slug}/ledger/accounts/{member_id}",
    response=responses({200: AccountOut}),
    summary="A member's own limits, or support from the fund (coordinators)",
)
def accounts_update(
    request: HttpRequest, slug: Slug, member_id: PublicId, payload: AccountIn
) -> Any:
    community = community_get(slug=slug)
    given = payload.model_dump(include=payload.model_fields_set - {"reason"})
    return services.account_update(
        actor=viewer(request),
        community=community,
        member=member(community, member_id, "member"),
        reason=payload.reason,
        **given,
    )


@router.put(
    "/communities/{slug}/ledger/nudge",
    response=responses({200: NudgeIn}),
    summary="Opt in or out of a gentle nudge about my balance",
)
def nudge_set(request: HttpRequest, slug: Slug, payload: NudgeIn) -> Any:
    return services.account_set_nudge(
        actor=viewer(request), community=community_get(slug=slug), wants_nudge=payload.wants_nudge
    )
