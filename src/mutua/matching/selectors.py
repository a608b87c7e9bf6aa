"""Reads of matching: top helpers for a need with reasons, plans, offers and needs that meet."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mutua.communities.models import Community
from mutua.core.errors import NotFound
from mutua.core.permissions import require
from mutua.exchange.models import OPEN_NEED_STATUSES, PLACE_HOLDING, Commitment, Need, Offer
from mutua.matching import arrays, engine
from mutua.matching.models import DispatchPlan, MatchingSettings, PlanAssignment
from mutua.people.models import User

COORDINATE = "exchange.coordinate"

REASON_WORDS = {
    engine.NO_ONE_NEAR: gettext_lazy("Nobody who can help lives in that area."),
    engine.NO_SKILL: gettext_lazy("Nobody with that skill in that area."),
    engine.NO_LANGUAGE: gettext_lazy("Nobody nearby speaks the language asked for."),
    engine.NO_REQUIREMENT: gettext_lazy(
        "Nobody nearby meets what the person asked for (vetted, car, …)."
    ),
    engine.NOT_FREE: gettext_lazy("Nobody nearby is free then."),
    engine.AT_CAPACITY: gettext_lazy("Everyone who fits already has enough to do."),
}


def reason_words(code: str) -> str:
    return str(REASON_WORDS.get(code, code))


def terms_of(c: engine.Candidate, skill_names: list[str]) -> dict:
    """The cost terms of one suggestion, JSON-safe: what its explanation is built from."""
    return {
        "distance_km": round(c.distance_m / 1000.0, 1),
        "skills": [skill_names[s] for s in c.skills if s < len(skill_names)],
        "week_load": c.week_load,
        "notified": c.notified,
        "trust": None if c.trust is None else round(c.trust, 2),
    }


def explain(terms: dict) -> str:
    """Reasons in words, in the reader's language: "0.8 km away; has the 'shopping' skill"."""
    parts = [_("%(km)s km away") % {"km": f"{terms.get('distance_km', 0):.1f}"}]
    parts += [_("has the '%(skill)s' skill") % {"skill": s} for s in terms.get("skills", [])]
    load = int(terms.get("week_load", 0))
    parts.append(
        ngettext("%(n)d task this week", "%(n)d tasks this week", load) % {"n": load}
        if load
        else _("no tasks this week")
    )
    notified = int(terms.get("notified", 0))
    if notified:
        parts.append(
            ngettext("%(n)d notification today", "%(n)d notifications today", notified)
            % {"n": notified}
        )
    return "; ".join(parts)


@dataclass
class Match:
    user: User
    cost: float
    terms: dict

    @property
    def reasons(self) -> str:
        return explain(self.terms)


def need_arrays(data: arrays.CommunityArrays, need: Need, *, radius_km: float) -> engine.Needs:
    skills = list(need.skills.values_list("id", flat=True))
    return arrays.needs_arrays(
        data, [need], {need.pk: skills}, radius_km=radius_km, tz=need.community.time_zone
    )


def rank_need(
    need: Need, *, k: int, radius_km: float | None = None, capacity: int | None = None
) -> list[Match]:
    """The k best helpers for a need (no permission check: services and selectors call it)."""
    ms = arrays.settings_for(need.community)
    w = arrays.weights_for(ms)
    data = arrays.community_arrays(need.community)
    nd = need_arrays(data, need, radius_km=radius_km or w.radius_km)
    found = engine.rank(data.index, nd, 0, k, w, capacity=capacity or ms.capacity)
    users = User.objects.select_related("profile").in_bulk([c.uid for c in found])
    return [
        Match(users[c.uid], c.cost, terms_of(c, data.skill_names)) for c in found if c.uid in users
    ]


def matching_rank(*, viewer: User, need: Need, k: int = 10) -> list[Match]:
    """Coordinators see the best-placed helpers for a need, each with reasons in words."""
    require(viewer, COORDINATE, need.community)
    return rank_need(need, k=max(1, min(k, 50)))


def matching_rank_many(
    *, viewer: User, community: Community, needs: list[Need], k: int = 3
) -> dict[int, list[Match]]:
    """The k best helpers for each of a page of needs, in a bounded number of queries.

    One settings read, the cached community arrays, one skills query and one users query,
    however many needs: what the dispatch board shows beside every unanswered need.
    """
    require(viewer, COORDINATE, community)
    needs = [nd for nd in needs if nd.community_id == community.pk]
    if not needs:
        return {}
    ms = arrays.settings_for(community)
    w = arrays.weights_for(ms)
    data = arrays.community_arrays(community)
    skills_of: dict[int, list[int]] = {nd.pk: [] for nd in needs}
    through = Need.skills.through.objects.filter(need_id__in=list(skills_of))
    for need_id, skill_id in through.values_list("need_id", "skill_id"):
        skills_of[need_id].append(skill_id)
    nd_arrays = arrays.needs_arrays(
        data, needs, skills_of, radius_km=w.radius_km, tz=community.time_zone
    )
    k = max(1, min(k, 50))
    found = {
        nd.pk: engine.rank(data.index, nd_arrays, j, k, w, capacity=ms.capacity)
        for j, nd in enumerate(needs)
    }
    uids = {c.uid for cands in found.values() for c in cands}
    users = User.objects.select_related("profile").in_bulk(list(uids)) if uids else {}
    return {
        pk: [
            Match(users[c.uid], c.cost, terms_of(c, data.skill_names))
            for c in cands
            if c.uid in users
        ]
        for pk, cands in found.items()
    }


def matching_settings_of(*, viewer: User, community: Community) -> MatchingSettings:
    """Coordinators read the community's matching settings (the defaults until first saved)."""
    require(viewer, COORDINATE, community)
    found = MatchingSettings.objects.filter(community=community).first()
    return found or MatchingSettings(community=community)


def dispatch_plan_list(*, viewer: User, community: Community) -> QuerySet[DispatchPlan]:
    require(viewer, COORDINATE, community)
    return DispatchPlan.objects.filter(community=community).select_related("created_by__profile")


def dispatch_plan_get(*, viewer: User, public_id: str) -> DispatchPlan:
    plan = DispatchPlan.objects.select_related("community").filter(public_id=public_id).first()
    if plan is None:
        raise NotFound(_("This dispatch plan does not exist."))
    require(viewer, COORDINATE, plan.community)
    return plan


def plan_assignments(plan: DispatchPlan) -> list[PlanAssignment]:
    """Assignments with need and helper (two queries); a place taken by link counts as yes."""
    rows = list(plan.assignments.select_related("need", "helper__profile"))
    placed = set(
        Commitment.objects.filter(
            need_id__in={r.need_id for r in rows}, status__in=PLACE_HOLDING
        ).values_list("need_id", "helper_id")
    )
    for row in rows:
        row.reasons = explain(row.terms)  # type: ignore[attr-defined]
        if row.status == "asked" and (row.need_id, row.helper_id) in placed:
            row.status = "accepted"
    return rows


def my_asks(*, viewer: User) -> QuerySet[PlanAssignment]:
    return PlanAssignment.objects.filter(helper=viewer, status="asked").select_related(
        "need__community", "plan"
    )


def assignment_get(*, viewer: User, public_id: str) -> PlanAssignment:
    row = (
        PlanAssignment.objects.select_related("need__community", "plan")
        .filter(public_id=public_id)
        .first()
    )
    if row is None or (row.helper_id != viewer.pk):
        raise NotFound(_("This request does not exist."))
    return row


# --- offers and needs meet ------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return {
        w for w in "".join(c.lower() if c.isalnum() else " " for c in text).split() if len(w) > 3
    }


def _score(a_kind, a_cat, a_skills, a_words, a_xy, b_kind, b_cat, b_skills, b_words, b_xy):
    score = 2.0 * (a_kind == b_kind and a_kind != "other")
    score += 1.0 * bool(a_cat and a_cat == b_cat)
    score += 2.0 * len(a_skills & b_skills)
    score += 0.5 * len(a_words & b_words)
    if None not in (*a_xy, *b_xy):
        xy = engine.project([a_xy[0], b_xy[0]], [a_xy[1], b_xy[1]], a_xy[0], a_xy[1])
        score -= 0.2 * float(np.hypot(*(xy[1] - xy[0]))) / 1000.0
    return score


def offers_for_need(*, viewer: User, need: Need, limit: int = 5) -> list[Offer]:
    """Open offers of the community that look like they could meet this need, best first."""
    require(viewer, "community.view", need.community)
    need_skills = set(need.skills.values_list("id", flat=True))
    words = _words(f"{need.title} {need.description}")
    offers = list(
        Offer.objects.filter(community=need.community, status="open")
        .exclude(owner_id=need.author_id)
        .select_related("owner__profile")
        .prefetch_related("skills")
        .order_by("-created_at")[:500]
    )
    scored = []
    for o in offers:
        s = _score(
            need.kind, need.category, need_skills, words, (need.approx_lat, need.approx_lon),
            o.kind, o.category, {x.pk for x in o.skills.all()},
            _words(f"{o.title} {o.description}"), (o.approx_lat, o.approx_lon),
        )  # fmt: skip
        if s > 0.9:
            scored.append((s, o))
    return [o for _, o in sorted(scored, key=lambda p: -p[0])[:limit]]


def needs_for_offer(*, viewer: User, offer: Offer, limit: int = 5) -> list[Need]:
    """Open needs of the community that this offer could meet, best first."""
    require(viewer, "community.view", offer.community)
    offer_skills = set(offer.skills.values_list("id", flat=True))
    words = _words(f"{offer.title} {offer.description}")
    needs = list(
        Need.objects.filter(community=offer.community, status__in=OPEN_NEED_STATUSES)
        .exclude(author_id=offer.owner_id)
        .prefetch_related("skills")
        .order_by("-created_at")[:500]
    )
    scored = []
    for nd in needs:
        s = _score(
            offer.kind, offer.category, offer_skills, words, (offer.approx_lat, offer.approx_lon),
            nd.kind, nd.category, {x.pk for x in nd.skills.all()},
            _words(f"{nd.title} {nd.description}"), (nd.approx_lat, nd.approx_lon),
        )  # fmt: skip
        if s > 0.9:
            scored.append((s, nd))
    return [nd for _, nd in sorted(scored, key=lambda p: -p[0])[:limit]]
