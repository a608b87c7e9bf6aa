"""The hard rules once more, on live rows, for the few helpers about to be shown, told or asked.

Rankings and plans are computed from cached arrays (`arrays.py`): since they were built, a
helper may have been blocked, set "taking a break" or taken on more. `live_check` reads the
rows again for the chosen helpers, in a fixed handful of queries however many they are: the
rules of `refusal_for_helper` (an active member, not the person's own need, no block either way,
not on a break, the need's requirements, the trust gate of a need with private details) and
capacity, where open commitments and asks still waiting in approved plans both count as load.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from mutua.communities.models import Community, Membership, MembershipStatus
from mutua.exchange.models import (
    ACTIVE_COMMITMENT,
    OPEN_NEED_STATUSES,
    PLACE_HOLDING,
    Commitment,
    Need,
    NeedPrivate,
)
from mutua.exchange.services.common import membership_fits
from mutua.matching.models import PlanAssignment
from mutua.people.models import CapacityStatus, Profile, User

CHUNK = 20_000  # ids per IN (...) list: well under the database's limit on parameters


def private_need_ids(need_ids: Iterable[int]) -> set[int]:
    """Needs with private details (address, access notes, phone): the trust gate applies."""
    ids = list(need_ids)
    found: set[int] = set()
    for start in range(0, len(ids), CHUNK):
        found |= set(
            NeedPrivate.objects.filter(need_id__in=ids[start : start + CHUNK])
            .filter(~Q(address="") | ~Q(access_notes="") | ~Q(contact_phone=""))
            .values_list("need_id", flat=True)
        )
    return found


def waiting_asks() -> QuerySet[PlanAssignment]:
    """Asks of approved plans not answered yet, on needs still open (filter by helper or need).
    An ask answered by taking the place is a commitment, so it is left out here."""
    placed = Commitment.objects.filter(
        need=OuterRef("need"), helper=OuterRef("helper"), status__in=PLACE_HOLDING
    )
    return PlanAssignment.objects.filter(
        status="asked", plan__status="approved", need__status__in=OPEN_NEED_STATUSES
    ).exclude(Exists(placed))


def loads_of(helper_ids: Iterable[int]) -> dict[int, int]:
    """Open commitments plus waiting asks, per helper (one query: a row for each)."""
    ids = list(helper_ids)
    commitments = Commitment.objects.filter(helper_id__in=ids, status__in=ACTIVE_COMMITMENT)
    rows = (
        commitments.order_by()
        .values_list("helper_id")
        .union(
            waiting_asks().filter(helper_id__in=ids).order_by().values_list("helper_id"), all=True
        )
    )
    return dict(Counter(helper_id for (helper_id,) in rows))


def limit_of(profile: Profile | None, capacity: int) -> int:
    """How many open tasks a helper takes on: one at most when their capacity is "limited"."""
    if profile is not None and profile.capacity_status == CapacityStatus.LIMITED:
        return min(1, capacity)
    return capacity


@dataclass
class LiveCheck:
    """What the rows say now about some helpers; `fits` answers for one need and helper."""

    capacity: int
    memberships: dict[int, Membership]  # user id → active membership, with user and profile
    blocked: set[tuple[int, int]]  # (helper, person) pairs kept apart, either way round
    load: dict[int, int]
    private: set[int]  # needs with private details
    may_see_private: set[int] | None  # helpers past the trust gate; None when no gate applies
    today: dt.date = field(default_factory=timezone.localdate)

    @property
    def users(self) -> dict[int, User]:
        return {uid: m.user for uid, m in self.memberships.items()}

    def has_room(self, uid: int) -> bool:
        """Capacity only (`fits` is every rule): load below the helper's limit."""
        membership = self.memberships.get(uid)
        profile = getattr(membership.user, "profile", None) if membership else None
        return self.load.get(uid, 0) < limit_of(profile, self.capacity)

    def add_load(self, uid: int) -> None:
        self.load[uid] = self.load.get(uid, 0) + 1

    def fits(self, need: Need, uid: int) -> bool:
        membership = self.memberships.get(uid)
        if membership is None or not membership_fits(membership, need, self.today, self.blocked):
            return False
        gated = need.pk in self.private and self.may_see_private is not None
        if gated and uid not in (self.may_see_private or ()):
            return False
        return self.has_room(uid)


def live_check(
    *,
    community: Community,
    needs: list[Need],
    helper_ids: Iterable[int],
    capacity: int,
    private: set[int] | None = None,
) -> LiveCheck:
    """Read the rows behind the hard rules for these helpers and needs (4 to 7 queries)."""
    uids = sorted(set(helper_ids))
    # Status is checked here, not in SQL: with it in the WHERE, SQLite's planner takes the
    # (community, status, role) index and reads every active member (28 ms at 100,000) instead
    # of the few rows the unique (community, user) index finds.
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(community=community, user_id__in=uids).select_related(
            "user__profile"
        )
        if m.status == MembershipStatus.ACTIVE
    }
    uids = sorted(memberships)
    persons = sorted({nd.author_id for nd in needs if nd.author_id})
    blocked: set[tuple[int, int]] = set()
    if uids and persons:
        from mutua.trust.models import Block  # blocks keep two people apart

        for a, b in Block.objects.filter(
            Q(blocker_id__in=uids, blocked_id__in=persons)
            | Q(blocker_id__in=persons, blocked_id__in=uids)
        ).values_list("blocker_id", "blocked_id"):
            blocked |= {(a, b), (b, a)}
    if private is None:
        private = private_need_ids(nd.pk for nd in needs)
    return LiveCheck(
        capacity=capacity,
        memberships=memberships,
        blocked=blocked,
        load=loads_of(uids) if uids else {},
        private=private,
        may_see_private=_past_private_gate(community, memberships) if private else None,
    )


def _past_private_gate(community: Community, memberships: dict[int, Membership]) -> set[int] | None:
    """Helpers whose trust level passes the "private_task" gate (the rule of the trust app's
    `trust_level_of` and `trust_gate_refusal`, for many helpers in two queries)."""
    from mutua.trust import engine as trust_engine
    from mutua.trust.models import TrustScore
    from mutua.trust.services import GATES, gates_active

    if not gates_active(community):
        return None
    levels = dict(
        TrustScore.objects.filter(membership__in=list(memberships.values())).values_list(
            "membership__user_id", "level"
        )
    )
    needed = trust_engine.LEVEL_RANK[GATES["private_task"]]
    return {
        uid
        for uid, m in memberships.items()
        if m.role == "steward"
        or trust_engine.LEVEL_RANK.get(levels.get(uid, trust_engine.NEW), 0) >= needed
    }
