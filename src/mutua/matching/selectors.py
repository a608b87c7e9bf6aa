"""Reads of matching: top helpers for a need with reasons, plans, asks, outreach state.

Explanations are in `explanations.py`, offers and needs that meet in `meet.py`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.errors import NotFound
from mutua.core.permissions import can, require
from mutua.exchange.models import PLACE_HOLDING, Commitment, Need
from mutua.matching import arrays, engine
from mutua.matching.explanations import explain, terms_of
from mutua.matching.live import live_check, private_need_ids
from mutua.matching.models import (
    DispatchPlan,
    MatchingSettings,
    Outreach,
    PlanAssignment,
    Suggestion,
)
from mutua.people.models import User

COORDINATE = "exchange.coordinate"


def is_coordinator(user: User, community: Community) -> bool:
    return can(user, COORDINATE, community)


@dataclass
class Match:
    user: User
    cost: float
    terms: dict

    @property
    def reasons(self) -> str:
        return explain(self.terms)


def need_arrays(
    data: arrays.CommunityArrays,
    need: Need,
    *,
    radius_km: float,
    private: set[int] | frozenset[int] = frozenset(),
) -> engine.Needs:
    skills = list(need.skills.values_list("id", flat=True))
    return arrays.needs_arrays(
        data,
        [need],
        {need.pk: skills},
        radius_km=radius_km,
        tz=need.community.time_zone,
        private=private,
    )


SPARE = 5  # extra candidates ranked, for those the live check turns away


def rank_need(
    need: Need, *, k: int, radius_km: float | None = None, capacity: int | None = None
) -> list[Match]:
    """The k best helpers for a need who pass every hard rule on live rows now (no permission
    check: services and selectors call it)."""
    ms = arrays.settings_for(need.community)
    w = arrays.weights_for(ms)
    capacity = capacity or ms.capacity
    data = arrays.community_arrays(need.community)
    private = private_need_ids([need.pk])
    nd = need_arrays(data, need, radius_km=radius_km or w.radius_km, private=private)
    want = k + SPARE
    while True:
        found = engine.rank(data.index, nd, 0, want, w, capacity=capacity)
        now = live_check(
            community=need.community,
            needs=[need],
            helper_ids=[c.uid for c in found],
            capacity=capacity,
            private=private,
        )
        kept = [c for c in found if now.fits(need, c.uid)]
        if len(kept) >= k or len(found) < want:  # enough, or nobody else to rank
            break
        want *= 2
    users = now.users
    return [Match(users[c.uid], c.cost, terms_of(c, data)) for c in kept[:k]]


def unmet_reason_of(need: Need) -> str:
    """Why nobody at all fits this need now (an engine code; see `explanations.reason_words`)."""
    ms = arrays.settings_for(need.community)
    w = arrays.weights_for(ms)
    data = arrays.community_arrays(need.community)
    nd = need_arrays(data, need, radius_km=w.radius_km, private=private_need_ids([need.pk]))
    return engine.unmet_reason(data.index, nd, 0, ms.capacity)


def matching_rank(*, viewer: User, need: Need, k: int = 10) -> list[Match]:
    """Coordinators see the best-placed helpers for a need, each with reasons in words."""
    require(viewer, COORDINATE, need.community)
    return rank_need(need, k=max(1, min(k, 50)))


def matching_rank_many(
    *, viewer: User, community: Community, needs: list[Need], k: int = 3
) -> dict[int, list[Match]]:
    """The k best helpers for each of a page of needs, in a bounded number of queries.

    One settings read, the cached community arrays, one skills query, one query for private
    details and the live check of the helpers found, however many needs: what the dispatch
    board shows beside every unanswered need.
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
    private = private_need_ids(skills_of)
    nd_arrays = arrays.needs_arrays(
        data, needs, skills_of, radius_km=w.radius_km, tz=community.time_zone, private=private
    )
    k = max(1, min(k, 50))
    found = {
        nd.pk: engine.rank(data.index, nd_arrays, j, k + SPARE, w, capacity=ms.capacity)
        for j, nd in enumerate(needs)
    }
    now = live_check(
        community=community,
        needs=needs,
        helper_ids={c.uid for cands in found.values() for c in cands},
        capacity=ms.capacity,
        private=private,
    )
    by_pk = {nd.pk: nd for nd in needs}
    users = now.users
    return {
        pk: [
            Match(users[c.uid], c.cost, terms_of(c, data))
            for c in cands
            if now.fits(by_pk[pk], c.uid)
        ][:k]
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


ASKED_STATUSES = ("asked", "accepted", "declined")  # proposed and skipped were never sent


def my_asks(*, viewer: User, waiting: bool | None = None) -> QuerySet[PlanAssignment]:
    """What dispatch plans asked me, newest first: waiting for my answer, or answered."""
    qs = PlanAssignment.objects.filter(helper=viewer, status__in=ASKED_STATUSES)
    if waiting is True:
        qs = qs.filter(status="asked")
    elif waiting is False:
        qs = qs.exclude(status="asked")
    return qs.select_related("need__community").order_by("-created_at", "-id")


def with_reasons(rows) -> list[PlanAssignment]:
    """Rows with `reasons` in the reader's language (no query)."""
    rows = list(rows)
    for row in rows:
        row.reasons = explain(row.terms)  # type: ignore[attr-defined]
    return rows


def assignment_get(*, viewer: User, public_id: str) -> PlanAssignment:
    row = (
        PlanAssignment.objects.select_related("need__community", "plan")
        .filter(public_id=public_id)
        .first()
    )
    if row is None or (row.helper_id != viewer.pk):
        raise NotFound(_("This request does not exist."))
    return row


# --- outreach -------------------------------------------------------------------------------


@dataclass
class SuggestionRow:
    helper: User
    round: int
    sent_at: dt.datetime
    reasons: str


@dataclass
class OutreachState:
    """Proactive suggestions for one need: how far the circle has widened and who was told."""

    round: int
    max_rounds: int
    next_widen_at: dt.datetime | None
    suggestions: list[SuggestionRow] = field(default_factory=list)

    @property
    def is_done(self) -> bool:
        return self.round >= self.max_rounds or (self.round > 0 and self.next_widen_at is None)


def need_outreach(*, viewer: User, need: Need) -> OutreachState:
    """Coordinators see who heard about a need, why, and when more people will (3 queries)."""
    require(viewer, COORDINATE, need.community)
    ms = arrays.settings_for(need.community)
    outreach = Outreach.objects.filter(need=need).first()
    rows = Suggestion.objects.filter(need=need).select_related("helper__profile")
    return OutreachState(
        round=outreach.round if outreach else 0,
        max_rounds=ms.max_rounds,
        next_widen_at=outreach.next_widen_at if outreach else None,
        suggestions=[
            SuggestionRow(r.helper, r.round, r.created_at, explain(r.terms))
            for r in rows.order_by("created_at", "id")
        ],
    )


# --- review of a draft plan ---------------------------------------------------------------


def candidate_of(need: Need, helper_id: int, *, capacity: int | None = None) -> Match | None:
    """One helper for one need, if they pass every hard rule now (radius included, on fresh
    arrays and live rows), with the cost and terms a ranking would give them; else None."""
    ms = arrays.settings_for(need.community)
    w = arrays.weights_for(ms)
    capacity = capacity or ms.capacity
    data = arrays.community_arrays(need.community, fresh=True)
    i = data.user_index.get(helper_id)
    if i is None:
        return None
    private = private_need_ids([need.pk])
    nd = need_arrays(data, need, radius_km=w.radius_km, private=private)
    cand = np.array([i])
    if not engine.hard_filter(data.index, nd, 0, cand, capacity)[0]:
        return None
    cost, dist = engine.pair_costs(data.index, nd, 0, cand, w)
    located = not np.isnan(nd.xy[0]).any()
    if located and (np.isnan(data.index.helpers.xy[i]).any() or dist[0] > nd.radius_m[0]):
        return None
    now = live_check(
        community=need.community,
        needs=[need],
        helper_ids=[helper_id],
        capacity=capacity,
        private=private,
    )
    if not now.fits(need, helper_id):
        return None
    total = float(cost[0] + engine.load_marginal(data.index.helpers.week_load[cand], 0, w)[0])
    c = engine.candidate(data.index, nd, 0, i, total, float(dist[0]))
    return Match(now.users[helper_id], total, terms_of(c, data))


def assignment_for_review(*, viewer: User, plan: DispatchPlan, public_id: str) -> PlanAssignment:
    """One row of a plan, for its community's coordinators."""
    require(viewer, COORDINATE, plan.community)
    row = (
        PlanAssignment.objects.select_related("need__community", "helper__profile", "plan")
        .filter(plan=plan, public_id=public_id)
        .first()
    )
    if row is None:
        raise NotFound(_("This proposed helper is not in the plan."))
    row.reasons = explain(row.terms)  # type: ignore[attr-defined]
    return row


def assignment_alternatives(*, viewer: User, row: PlanAssignment, k: int = 10) -> list[Match]:
    """Other helpers who fit the row's need now, best first, leaving out those the plan already
    proposes for it (coordinators)."""
    require(viewer, COORDINATE, row.plan.community)
    taken = set(
        PlanAssignment.objects.filter(plan=row.plan_id, need=row.need_id).values_list(
            "helper_id", flat=True
        )
    )
    found = rank_need(row.need, k=k + len(taken))
    return [m for m in found if m.user.pk not in taken][:k]
