"""Reads of commitments and what follows them: thanks, feedback, expenses, follow-ups.

Each viewer sees only their share: thanks by its author and its recipient, private feedback by
its author and coordinators, expenses by the helper, the person helped and coordinators.
Lists attach these in a fixed number of queries (`with_visible`). Other members see who holds
a place on a need, not how the help went (hours, no-shows, disputes, follow-ups: `viewer_side`
is empty for them) nor places given back; blocks hide commitments as they hide needs.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.errors import NotFound
from mutua.core.permissions import require
from mutua.exchange.models import PLACE_HOLDING, Commitment, Expense, Feedback, Need
from mutua.exchange.selectors_private import need_role
from mutua.exchange.services.common import COORDINATE, is_coordinator
from mutua.people.models import User


def commitment_list_for_need(*, viewer: User, need: Need) -> QuerySet[Commitment]:
    """Who helps with a need: the person and coordinators see every commitment; other members
    the places held (and their own), without helpers a block keeps apart from them."""
    from mutua.trust.safeguarding import not_blocked

    require(viewer, "community.view", need.community)
    qs = (
        Commitment.objects.filter(need=need)
        .select_related("need__community", "helper__profile")
        .order_by("created_at", "id")
    )
    if need_role(viewer, need) in ("person", "coordinator"):
        return qs
    return qs.filter(
        Q(helper=viewer) | (Q(status__in=PLACE_HOLDING) & not_blocked(viewer, "helper"))
    )


def commitment_get(*, viewer: User, public_id: str) -> Commitment:
    """One commitment, for members of its community; to anyone but its helper and its person
    only while it holds a place and neither of them is kept apart from the viewer by a block."""
    from mutua.trust.safeguarding import is_blocked

    commitment = (
        Commitment.objects.select_related("need__community", "helper__profile")
        .filter(public_id=public_id)
        .first()
    )
    if commitment is None:
        raise NotFound(_("There is no such task."))
    need = commitment.need
    require(viewer, "community.view", need.community)
    if viewer.pk in (commitment.helper_id, need.author_id, need.contact_id):
        return commitment
    if is_blocked(viewer, commitment.helper_id) or is_blocked(viewer, need.author_id):
        raise NotFound(_("There is no such task."))
    if commitment.status not in PLACE_HOLDING and not is_coordinator(viewer, need.community):
        raise NotFound(_("There is no such task."))
    return commitment


def my_commitments(*, viewer: User, side: str = "") -> QuerySet[Commitment]:
    """Tasks I help with (`side="helper"`), help I receive or speak for ("person"), or both."""
    helping = Q(helper=viewer)
    helped = Q(need__author=viewer) | Q(need__contact=viewer)
    where = helping if side == "helper" else helped if side == "person" else helping | helped
    return (
        Commitment.objects.filter(where)
        .select_related("need__community", "need__service_area", "helper__profile")
        .order_by("-created_at", "-id")
    )


def _side(viewer: User, commitment: Commitment, coordinates: bool) -> str:
    need = commitment.need
    if viewer.pk == commitment.helper_id:
        return "helper"
    if viewer.pk in (need.author_id, need.contact_id):
        return "person"
    return "coordinator" if coordinates else ""


def with_visible(*, viewer: User, commitments: list[Commitment]) -> list[Commitment]:
    """Attach `visible_feedback`, `visible_expenses` and `viewer_side` to each commitment
    (loaded with `need__community`), in two queries for the whole list."""
    ids = [c.pk for c in commitments]
    feedback: dict[int, list[Feedback]] = defaultdict(list)
    expenses: dict[int, list[Expense]] = defaultdict(list)
    if ids:
        rows = Feedback.objects.filter(commitment_id__in=ids).select_related(
            "author__profile", "recipient"
        )
        for f in rows:
            feedback[f.commitment_id].append(f)
        for e in Expense.objects.filter(commitment_id__in=ids):
            expenses[e.commitment_id].append(e)
    coordinates: dict[int, bool] = {}
    for c in commitments:
        community = c.need.community
        if community.pk not in coordinates:
            coordinates[community.pk] = is_coordinator(viewer, community)
        side = _side(viewer, c, coordinates[community.pk])
        c.viewer_side = side  # type: ignore[attr-defined]
        c.visible_feedback = [  # type: ignore[attr-defined]
            f
            for f in feedback[c.pk]
            if side == "coordinator"
            or f.author_id == viewer.pk
            or (f.kind == "thanks" and f.recipient_id == viewer.pk)
        ]
        c.visible_expenses = expenses[c.pk] if side else []  # type: ignore[attr-defined]
    return commitments


def feedback_visible(*, viewer: User, commitment: Commitment) -> QuerySet[Feedback]:
    """Thanks: author and recipient. Feedback: author and coordinators."""
    qs = Feedback.objects.filter(commitment=commitment).select_related("author__profile")
    if is_coordinator(viewer, commitment.need.community):
        return qs
    return qs.filter(Q(author=viewer) | Q(kind="thanks", recipient=viewer))


def expense_list(*, viewer: User, commitment: Commitment) -> QuerySet[Expense]:
    need = commitment.need
    if viewer.pk == commitment.helper_id or need_role(viewer, need) in ("person", "coordinator"):
        return commitment.expenses.all()
    return Expense.objects.none()


def expense_get(*, viewer: User, public_id: str) -> Expense:
    """An expense, for the helper, the person helped and coordinators."""
    expense = (
        Expense.objects.select_related("commitment__need__community")
        .filter(public_id=public_id)
        .first()
    )
    if expense is None or not expense_list(viewer=viewer, commitment=expense.commitment).filter(
        pk=expense.pk
    ):
        raise NotFound(_("There is no such expense."))
    return expense


def follow_up_queue(*, viewer: User, community: Community) -> QuerySet[Commitment]:
    """Commitments someone flagged (a no-show, a dispute, a request), oldest first:
    coordinators only, since the notes are private."""
    require(viewer, COORDINATE, community)
    return (
        Commitment.objects.filter(need__community=community, follow_up=True)
        .select_related(
            "need__community",
            "need__author__profile",
            "need__contact__profile",
            "helper__profile",
            "no_show_reported_by__profile",
            "disputed_by__profile",
        )
        .order_by("created_at", "id")
    )
