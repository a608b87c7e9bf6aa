"""Why a helper was suggested, and why a need found nobody, in the reader's language.

A suggestion stores its `terms` (JSON-safe facts the cost and the hard rules rested on) and is
explained from them when shown, so the words follow the reader's language and never say more
than the facts. A helper's gender is never written: a same-gender need is explained as fitting
the person's request for personal care.
"""

from __future__ import annotations

from django.utils.translation import get_language_info, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from mutua.matching import engine

REQUIREMENT_CODES = {
    engine.VETTED: "vetted",
    engine.CAR: "car",
    engine.ACCESSIBLE: "accessible_vehicle",
    engine.SAME_GENDER: "same_gender",
    engine.NO_PETS: "no_pets",
}

REQUIREMENT_WORDS = {
    "vetted": gettext_lazy("is vetted"),
    "car": gettext_lazy("has a car"),
    "accessible_vehicle": gettext_lazy("has a wheelchair-accessible vehicle"),
    "same_gender": gettext_lazy("fits the person's request for personal care"),
    "no_pets": gettext_lazy("has no pets at home"),
}

TRUST_WORDS = {
    "trusted": gettext_lazy("trusted here"),
    "known": gettext_lazy("known here"),
    "new": gettext_lazy("new here"),
}

AVAILABILITY_WORDS = {
    engine.FREE_THEN: gettext_lazy("free at that time"),
    engine.NO_TIMES_SET: gettext_lazy("has not set times, so counted as free"),
}

REMOVED = "removed"  # a coordinator took the proposed helper off a draft plan
DECLINED = "declined"  # a re-plan found nobody new after a "not this time"
ALL_ASKED = "all_asked"  # a re-plan after a skip found nobody not asked already

REASON_WORDS = {
    engine.NO_ONE_NEAR: gettext_lazy("Nobody who can help lives in that area."),
    engine.NO_SKILL: gettext_lazy("Nobody with that skill in that area."),
    engine.NO_LANGUAGE: gettext_lazy("Nobody nearby speaks the language asked for."),
    engine.NO_VETTED: gettext_lazy("Nobody nearby who fits is vetted."),
    engine.NO_CAR: gettext_lazy("Nobody nearby who fits has a car."),
    engine.NO_ACCESSIBLE: gettext_lazy(
        "Nobody nearby who fits has a wheelchair-accessible vehicle."
    ),
    engine.NO_SAME_GENDER: gettext_lazy(
        "Nobody nearby who fits matches the person's request for personal care."
    ),
    engine.NO_PET_FREE: gettext_lazy("Nobody nearby who fits has a home without pets."),
    engine.NOT_KNOWN_ENOUGH: gettext_lazy(
        "Nobody nearby who fits is known here well enough for a task that shows a home address."
    ),
    engine.NO_LOCATION: gettext_lazy(
        "Nobody nearby has a location set: helpers without one are not found for needs with a "
        "place."
    ),
    engine.NOT_FREE: gettext_lazy("Nobody nearby is free then."),
    engine.NO_REQUIREMENT: gettext_lazy(
        "The helpers nearby who fit cannot be matched with this person."
    ),
    engine.AT_CAPACITY: gettext_lazy("Everyone who fits already has enough to do."),
    engine.MORE_URGENT: gettext_lazy("The helpers who fit were given to more urgent needs first."),
    DECLINED: gettext_lazy(
        "The helpers asked said not this time, and nobody else who fits is free."
    ),
    ALL_ASKED: gettext_lazy("Everyone who fits has already been asked for this need."),
    REMOVED: gettext_lazy("A coordinator took the proposed helper off the plan."),
}


def reason_words(code: str) -> str:
    return str(REASON_WORDS.get(code, code))


def terms_of(c: engine.Candidate, data) -> dict:
    """The facts behind one suggestion, JSON-safe: what its explanation is built from.

    `data` is the community's `arrays.CommunityArrays` (names of skills and languages, trust
    levels). The trust score itself is not stored: members see their level, never the score."""
    from mutua.matching.arrays import TRUST_LEVELS

    level = int(data.trust_level[c.helper]) if len(data.trust_level) > c.helper else -1
    return {
        "distance_km": round(c.distance_m / 1000.0, 1),
        "skills": [data.skill_names[s] for s in c.skills if s < len(data.skill_names)],
        "languages": [data.lang_codes[b] for b in c.languages if b < len(data.lang_codes)],
        "requirements": [code for bit, code in REQUIREMENT_CODES.items() if c.requirements & bit],
        "availability": c.availability,
        "week_load": c.week_load,
        "notified": c.notified,
        "trust_level": TRUST_LEVELS[level] if level >= 0 else None,
        "urgent": engine.URGENT_DISTANCE[c.urgency] > 1,
        # only when it matters: the gentle cost term is said in words from a few hours on
        "given_more_hours": (
            round(c.given_more_h) if c.given_more_h >= engine.RECIPROCITY_SAY_HOURS else 0
        ),
    }


def _language_name(code: str) -> str:
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def explain(terms: dict) -> str:
    """Reasons in words, in the reader's language: "0.8 km away; has the 'shopping' skill"."""
    parts = [_("%(km)s km away") % {"km": f"{terms.get('distance_km', 0):.1f}"}]
    if terms.get("urgent"):
        parts.append(_("urgent, so nearness counts more"))
    parts += [_("has the '%(skill)s' skill") % {"skill": s} for s in terms.get("skills", [])]
    parts += [
        _("speaks %(language)s") % {"language": _language_name(code)}
        for code in terms.get("languages", [])
    ]
    parts += [
        str(REQUIREMENT_WORDS[r]) for r in terms.get("requirements", []) if r in REQUIREMENT_WORDS
    ]
    availability = terms.get("availability")
    if availability in AVAILABILITY_WORDS:
        parts.append(str(AVAILABILITY_WORDS[availability]))
    load = int(terms.get("week_load", 0))
    parts.append(
        ngettext("%(n)d task this week", "%(n)d tasks this week", load) % {"n": load}
        if load
        else _("no tasks this week")
    )
    notified = int(terms.get("notified", 0))
    if notified:
        parts.append(
            ngettext(
                "%(n)d notification in the last 24 hours",
                "%(n)d notifications in the last 24 hours",
                notified,
            )
            % {"n": notified}
        )
    level = terms.get("trust_level")
    if level in TRUST_WORDS:
        parts.append(str(TRUST_WORDS[level]))
    given_more = int(terms.get("given_more_hours", 0) or 0)
    if given_more:
        parts.append(
            ngettext(
                "has given %(n)d hour more than received lately",
                "has given %(n)d hours more than received lately",
                given_more,
            )
            % {"n": given_more}
        )
    return "; ".join(parts)
