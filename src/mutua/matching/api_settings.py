"""API of matching's settings (how helpers are chosen, arrangement terms) and a coordinator's
renewal of a standing arrangement's term. Mounted on `matching.api`'s router."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug
from mutua.communities.selectors import community_get
from mutua.exchange import selectors as exchange_selectors
from mutua.exchange.api_coordination import ArrangementOut
from mutua.matching import renewals, selectors, tuning

router = Router(tags=["matching"])

# Wide enough never to overflow a column; the service answers a field-level message outside the
# range each setting allows (see `tuning.TUNABLES`).
AnyInt = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
AnyFloat = Annotated[float, Field(ge=-1e9, le=1e9, allow_inf_nan=False)]
B = tuning.BY_NAME


def _describe(name: str) -> str:
    t = B[name]
    return f"{t.label} ({t.low:g} to {t.high:g}). {t.help}"


def _request(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


class MatchingSettingsOut(Schema):
    radius_km: float = Field(description=_describe("radius_km"))
    distance_per_km: float = Field(description=_describe("distance_per_km"))
    skill_missing: float = Field(description=_describe("skill_missing"))
    load: float = Field(description=_describe("load"))
    fatigue: float = Field(description=_describe("fatigue"))
    trust: float = Field(description=_describe("trust"))
    capacity: int = Field(description=_describe("capacity"))
    daily_suggestion_cap: int = Field(description=_describe("daily_suggestion_cap"))
    suggest_per_round: int = Field(description=_describe("suggest_per_round"))
    max_rounds: int = Field(description=_describe("max_rounds"))
    widen_minutes_urgent: int = Field(description=_describe("widen_minutes_urgent"))
    widen_minutes: int = Field(description=_describe("widen_minutes"))
    trusted_arrangements_renew: bool = Field(
        description="Standing arrangements run for a term; trusted pairs' terms renew by themselves"
    )
    arrangement_term_days: int = Field(description="Length of a term in days (7 to 365)")


class MatchingSettingsIn(In):
    radius_km: AnyFloat | None = None
    distance_per_km: AnyFloat | None = None
    skill_missing: AnyFloat | None = None
    load: AnyFloat | None = None
    fatigue: AnyFloat | None = None
    trust: AnyFloat | None = None
    capacity: AnyInt | None = None
    daily_suggestion_cap: AnyInt | None = None
    suggest_per_round: AnyInt | None = None
    max_rounds: AnyInt | None = None
    widen_minutes_urgent: AnyInt | None = None
    widen_minutes: AnyInt | None = None
    trusted_arrangements_renew: bool | None = None
    arrangement_term_days: AnyInt | None = None


def _out(ms) -> dict:
    return {
        **tuning.tuned_values(ms),
        **{f: getattr(ms, f) for f in tuning.TERM_FIELDS},
    }


@router.get(
    "/communities/{slug}/matching-settings",
    response=responses({200: MatchingSettingsOut}),
    summary="How helpers are chosen and arrangement terms, for one community (coordinators)",
)
def settings_get(request: HttpRequest, slug: Slug) -> Any:
    community = community_get(slug=slug)
    return _out(selectors.matching_settings_of(viewer=_request(request), community=community))


@router.patch(
    "/communities/{slug}/matching-settings",
    response=responses({200: MatchingSettingsOut}),
    summary="Change how helpers are chosen or arrangement terms (coordinators); audited",
)
def settings_update(request: HttpRequest, slug: Slug, payload: MatchingSettingsIn) -> Any:
    community = community_get(slug=slug)
    changes = payload.model_dump(exclude_none=True)
    ms = tuning.matching_settings_change(actor=_request(request), community=community, **changes)
    return _out(ms)


@router.post(
    "/arrangements/{arrangement_id}/renew",
    response=responses({200: ArrangementOut}),
    summary="Renew a standing arrangement's term by one more term (coordinators)",
)
def arrangement_renew(request: HttpRequest, arrangement_id: PublicId) -> Any:
    arrangement = exchange_selectors.arrangement_get(
        viewer=_request(request), public_id=arrangement_id
    )
    renewals.arrangement_term_renew(actor=_request(request), arrangement=arrangement)
    return arrangement
