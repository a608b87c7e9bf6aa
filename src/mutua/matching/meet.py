"""Offers and needs meet: open offers that could meet a need, open needs an offer could meet.

A light score (same kind, category, shared skills, shared words, distance), not the engine:
offers and needs are few per community and a person reads the result. Blocks hide both ways,
for the reader and for the person on the other side (the need's person, the offer's owner).
"""

from __future__ import annotations

import numpy as np
from django.db.models import Q

from mutua.core.permissions import require
from mutua.exchange.models import OPEN_NEED_STATUSES, Need, Offer
from mutua.matching import engine
from mutua.people.models import User

SCAN = 500  # newest open rows scored per call
THRESHOLD = 0.9


def _unblocked(field: str, *people: User | None) -> Q:
    from mutua.trust.safeguarding import not_blocked  # the trust app's own filter

    q = Q()
    for person in people:
        if person is not None:
            q &= not_blocked(person, field)
    return q


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
    """Open offers of the community that look like they could meet this need, best first;
    never from someone who blocked (or was blocked by) the reader or the need's person."""
    require(viewer, "community.view", need.community)
    need_skills = set(need.skills.values_list("id", flat=True))
    words = _words(f"{need.title} {need.description}")
    offers = list(
        Offer.objects.filter(community=need.community, status="open")
        .filter(_unblocked("owner_id", viewer, need.author))
        .exclude(owner_id=need.author_id)
        .select_related("owner__profile")
        .prefetch_related("skills")
        .order_by("-created_at")[:SCAN]
    )
    scored = []
    for o in offers:
        s = _score(
            need.kind, need.category, need_skills, words, (need.approx_lat, need.approx_lon),
            o.kind, o.category, {x.pk for x in o.skills.all()},
            _words(f"{o.title} {o.description}"), (o.approx_lat, o.approx_lon),
        )  # fmt: skip
        if s > THRESHOLD:
            scored.append((s, o))
    return [o for _, o in sorted(scored, key=lambda p: -p[0])[:limit]]


def needs_for_offer(*, viewer: User, offer: Offer, limit: int = 5) -> list[Need]:
    """Open needs of the community that this offer could meet, best first; never from someone
    who blocked (or was blocked by) the reader or the offer's owner."""
    require(viewer, "community.view", offer.community)
    offer_skills = set(offer.skills.values_list("id", flat=True))
    words = _words(f"{offer.title} {offer.description}")
    needs = list(
        Need.objects.filter(
            community=offer.community, status__in=OPEN_NEED_STATUSES, is_private=False
        )
        .filter(_unblocked("author_id", viewer, offer.owner))
        .exclude(author_id=offer.owner_id)
        .prefetch_related("skills")
        .order_by("-created_at")[:SCAN]
    )
    scored = []
    for nd in needs:
        s = _score(
            offer.kind, offer.category, offer_skills, words, (offer.approx_lat, offer.approx_lon),
            nd.kind, nd.category, {x.pk for x in nd.skills.all()},
            _words(f"{nd.title} {nd.description}"), (nd.approx_lat, nd.approx_lon),
        )  # fmt: skip
        if s > THRESHOLD:
            scored.append((s, nd))
    return [nd for _, nd in sorted(scored, key=lambda p: -p[0])[:limit]]
