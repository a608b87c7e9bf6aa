"""A member's own share of the exchange: my needs, my tasks, what waits for my answer.

Each list holds only the viewer's own rows (needs they asked for or speak for, tasks they help
with, requests for their offers) and public fields: private details are never joined.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from mutua.exchange.models import (
    LIVE_NEED_STATUSES,
    Commitment,
    Need,
    OfferRequest,
    Response,
)
from mutua.people.models import User

# Tasks a helper is still to do, or has done and the other side is to confirm.
TASK_STATES = ("upcoming", "to_mark_done", "to_confirm")


def my_needs(*, viewer: User) -> QuerySet[Need]:
    """My live needs (asked for myself, or as the contact for someone), with the offers of
    help waiting for my answer counted."""
    return (
        Need.objects.filter(Q(author=viewer) | Q(contact=viewer), status__in=LIVE_NEED_STATUSES)
        .select_related("community", "service_area")
        .prefetch_related("skills")
        .annotate(
            pending_responses=Count("responses", filter=Q(responses__status="pending")),
        )
        .order_by("created_at", "public_id")
    )


def my_responses_waiting(*, viewer: User) -> QuerySet[Response]:
    """Offers of help to my live needs that wait for my answer, oldest first."""
    return (
        Response.objects.filter(
            Q(need__author=viewer) | Q(need__contact=viewer),
            status="pending",
            need__status__in=LIVE_NEED_STATUSES,
        )
        .select_related("need__community", "helper__profile")
        .order_by("created_at", "public_id")
    )


def my_tasks(*, viewer: User, state: str) -> QuerySet[Commitment]:
    """What I have to do as a helper or as the person helped, by `state`:

    upcoming: tasks I help with, not yet due; to_mark_done: tasks I help with, past their due
    time; to_confirm: help marked done by the other side, waiting for me to confirm.
    """
    now = timezone.now()
    qs = Commitment.objects.select_related(
        "need__community", "need__author__profile", "helper__profile"
    )
    if state == "upcoming":
        qs = qs.filter(helper=viewer, status="active", due_at__gt=now).order_by("due_at", "id")
    elif state == "to_mark_done":
        qs = qs.filter(helper=viewer, status="active", due_at__lte=now).order_by("due_at", "id")
    elif state == "to_confirm":
        party = Q(helper=viewer) | Q(need__author=viewer) | Q(need__contact=viewer)
        qs = (
            qs.filter(party, status="done_pending")
            .exclude(done_marked_by=viewer)
            .order_by("done_marked_at", "id")
        )
    else:
        raise ValueError(state)
    return qs


def my_offer_requests_waiting(*, viewer: User) -> QuerySet[OfferRequest]:
    """Requests for my open offers that wait for my answer, oldest first."""
    return (
        OfferRequest.objects.filter(offer__owner=viewer, status="pending", offer__status="open")
        .select_related("offer__community", "requester__profile")
        .order_by("created_at", "public_id")
    )


@dataclass
class MyExchange:
    """Counts and the first few rows of each list, for the dashboard and the page."""

    needs: list[Need] = field(default_factory=list)
    responses: list[Response] = field(default_factory=list)
    upcoming: list[Commitment] = field(default_factory=list)
    to_mark_done: list[Commitment] = field(default_factory=list)
    to_confirm: list[Commitment] = field(default_factory=list)
    offer_requests: list[OfferRequest] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def waiting(self) -> int:
        """How many things wait for me to act (answers and confirmations)."""
        c = self.counts
        return c["responses"] + c["to_mark_done"] + c["to_confirm"] + c["offer_requests"]


def my_exchange(*, viewer: User, limit: int = 50) -> MyExchange:
    """Everything of mine in the exchange, at most `limit` rows of each list (one query a list,
    two when it is longer than `limit`)."""
    lists = {
        "needs": my_needs(viewer=viewer),
        "responses": my_responses_waiting(viewer=viewer),
        **{state: my_tasks(viewer=viewer, state=state) for state in TASK_STATES},
        "offer_requests": my_offer_requests_waiting(viewer=viewer),
    }
    mine = MyExchange()
    for name, qs in lists.items():
        rows = list(qs[:limit])
        setattr(mine, name, rows)
        mine.counts[name] = len(rows) if len(rows) < limit else qs.count()
    return mine
