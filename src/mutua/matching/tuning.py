"""Coordinators tune how helpers are chosen: the weights of the cost, capacity, and how
suggestions go out. Every value has a range and a label in plain words; changes are audited."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutua.communities.models import Community
from mutua.core.audit import audit_record
from mutua.core.errors import ValidationFailed
from mutua.core.permissions import require
from mutua.matching import engine, renewals
from mutua.matching.models import MatchingSettings
from mutua.matching.selectors import COORDINATE
from mutua.people.models import User


@dataclass(frozen=True)
class Tunable:
    name: str
    low: float
    high: float
    label: Any
    help: Any
    is_weight: bool = False  # kept in `MatchingSettings.weights`, else a column
    step: float = 1

    @property
    def is_integer(self) -> bool:
        return not self.is_weight


TUNABLES = (
    Tunable(
        "radius_km", 0.5, 50, gettext_lazy("How far to look for helpers, in km"),
        gettext_lazy("Helpers further away than this are not suggested."), True, 0.5,
    ),
    Tunable(
        "distance_per_km", 0, 10, gettext_lazy("How much distance counts"),
        gettext_lazy("Higher: nearer helpers are asked first."), True, 0.1,
    ),
    Tunable(
        "skill_missing", 0, 10, gettext_lazy("How much a missing skill counts"),
        gettext_lazy("Higher: helpers with all the skills a need asks for come first."), True, 0.1,
    ),
    Tunable(
        "load", 0, 10, gettext_lazy("Spreading tasks fairly"),
        gettext_lazy("Higher: people who already help a lot this week are asked less."), True, 0.1,
    ),
    Tunable(
        "fatigue", 0, 10, gettext_lazy("Sparing people who heard from us lately"),
        gettext_lazy("Higher: people who had many messages today are asked less."), True, 0.1,
    ),
    Tunable(
        "trust", 0, 10, gettext_lazy("Preferring people trusted here"),
        gettext_lazy("Higher: trusted members come first; 0: trust makes no difference."),
        True, 0.1,
    ),
    Tunable(
        "reciprocity", 0, 5, gettext_lazy("Sparing people who have given much more than received"),
        gettext_lazy(
            "Higher: people who gave many more hours than they received lately are asked a "
            "little less; never left out. Counted per 10 hours, up to 40."
        ),
        True, 0.1,
    ),
    Tunable(
        "capacity", 1, 10, gettext_lazy("Most open tasks one helper has at once"),
        gettext_lazy("A helper who said their capacity is limited gets one at most."),
    ),
    Tunable(
        "daily_suggestion_cap", 1, 20, gettext_lazy("Most suggestions one helper gets a day"),
        gettext_lazy("Nobody hears about more needs than this in a day."),
    ),
    Tunable(
        "suggest_per_round", 1, 20, gettext_lazy("Helpers told about a new need at a time"),
        gettext_lazy("The best placed few hear first, not everyone."),
    ),
    Tunable(
        "max_rounds", 1, 10, gettext_lazy("How many times the circle widens"),
        gettext_lazy("Each time, a few more people a little further away hear about it."),
    ),
    Tunable(
        "widen_minutes_urgent", 5, 24 * 60,
        gettext_lazy("Minutes before telling more people, for urgent needs"),
        gettext_lazy("When nobody has offered to help by then, the circle widens."),
    ),
    Tunable(
        "widen_minutes", 30, 7 * 24 * 60,
        gettext_lazy("Minutes before telling more people, for other needs"),
        gettext_lazy("When nobody has offered to help by then, the circle widens."),
    ),
)  # fmt: skip
BY_NAME = {t.name: t for t in TUNABLES}
TERM_FIELDS = ("trusted_arrangements_renew", "arrangement_term_days")


def tuned_values(ms: MatchingSettings) -> dict[str, float | int]:
    """Every tunable's current value (the engine's default for a weight never set)."""
    defaults = engine.Weights()
    out: dict[str, float | int] = {}
    for t in TUNABLES:
        if t.is_weight:
            out[t.name] = float((ms.weights or {}).get(t.name, getattr(defaults, t.name)))
        else:
            out[t.name] = int(getattr(ms, t.name))
    return out


def _check(values: dict[str, Any]) -> dict[str, float | int]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, float | int] = {}
    for name, value in values.items():
        t = BY_NAME.get(name)
        if t is None:
            errors[name] = [_("This setting does not exist.")]
            continue
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = float("nan")
        if t.is_integer and number == number and number != int(number):
            number = float("nan")
        if not (t.low <= number <= t.high):  # NaN fails too
            low, high = (int(t.low), int(t.high)) if t.is_integer else (t.low, t.high)
            errors[name] = [
                _("Please give a number from %(low)s to %(high)s.") % {"low": low, "high": high}
            ]
            continue
        clean[name] = int(number) if t.is_integer else round(number, 3)
    if errors:
        raise ValidationFailed(next(iter(errors.values()))[0], field_errors=errors)
    return clean


@transaction.atomic
def matching_settings_change(
    *, actor: User, community: Community, **changes: Any
) -> MatchingSettings:
    """Coordinators change any matching setting, each within its range; one audit entry with
    before and after. Arrangement terms go through `renewals.matching_settings_update`."""
    require(actor, COORDINATE, community)
    terms = {k: changes.pop(k) for k in TERM_FIELDS if k in changes}
    clean = _check(changes)
    ms, _created = MatchingSettings.objects.select_for_update().get_or_create(community=community)
    if terms:
        current = {f: getattr(ms, f) for f in TERM_FIELDS}
        renewals.matching_settings_update(actor=actor, community=community, **{**current, **terms})
        ms.refresh_from_db()
    before = tuned_values(ms)
    weights = dict(ms.weights or {})
    for name, value in clean.items():
        if BY_NAME[name].is_weight:
            weights[name] = value
        else:
            setattr(ms, name, value)
    ms.weights = weights
    after = tuned_values(ms)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if not changed:
        return ms
    ms.save()
    audit_record(
        actor=actor,
        action="matching.settings",
        community=community,
        target=community,
        before={k: before[k] for k in changed},
        after=changed,
    )
    return ms
