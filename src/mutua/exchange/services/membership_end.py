"""When someone stops being an active member (removed, suspended, account deleted): their
exchange activity there stops too, so nobody waits for help that will not come."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from mutua.communities.models import Community
from mutua.exchange import notifications as n
from mutua.exchange.models import Commitment, Need, Offer, OfferRequest, Response
from mutua.exchange.services.common import (
    coordinators_of,
    need_context,
    person_side,
    refresh_need_status,
)
from mutua.people.models import User


def release_places(
    *, helper: User, now: dt.datetime, reason: str, community: Community | None = None
) -> list[Commitment]:
    """Give back the helper's places not yet marked done (in one community, or everywhere);
    help already marked done stays to be confirmed. Needs are locked first, in id order."""
    active = Commitment.objects.filter(helper=helper, status="active")
    if community is not None:
        active = active.filter(need__community=community)
    need_ids = sorted(set(active.values_list("need_id", flat=True)))
    needs = list(
        Need.objects.select_for_update()
        .select_related("community", "author", "contact", "posted_by")
        .filter(pk__in=need_ids)
        .order_by("pk")
    )
    released = list(active.select_for_update().select_related("helper").order_by("pk"))
    by_id = {need.pk: need for need in needs}
    for commitment in released:
        commitment.status, commitment.ended_at, commitment.end_reason = "released", now, reason
        commitment.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
        commitment.need = by_id[commitment.need_id]
    for need in needs:
        refresh_need_status(need)
    return released


def stop_listing(*, user: User, now: dt.datetime, community: Community | None = None) -> None:
    """Close the member's open offers and withdraw what they asked or offered that waits."""
    offers = Offer.objects.filter(owner=user, status="open")
    responses = Response.objects.filter(helper=user, status="pending")
    asked = OfferRequest.objects.filter(requester=user, status="pending")
    if community is not None:
        offers = offers.filter(community=community)
        responses = responses.filter(need__community=community)
        asked = asked.filter(offer__community=community)
    OfferRequest.objects.filter(offer__in=offers, status="pending").update(
        status="declined", answered_at=now, updated_at=now
    )
    offers.update(status="closed", updated_at=now)
    responses.update(status="withdrawn", answered_at=now, updated_at=now)
    asked.update(status="withdrawn", answered_at=now, updated_at=now)


@transaction.atomic
def exchange_membership_end(*, user: User, community: Community) -> list[Commitment]:
    """Someone is no longer an active member of `community`: their places on needs there are
    given back (the person and the coordinators are told, so someone else can step in), their
    open offers closed and their pending offers of help withdrawn.

    For the communities app's membership hook (removal, suspension, leaving); idempotent.
    """
    now = timezone.now()
    released = release_places(
        helper=user, now=now, reason="no longer a member", community=community
    )
    stop_listing(user=user, now=now, community=community)
    coordinators = coordinators_of(community)
    for commitment in released:
        need = commitment.need
        context = {**need_context(need), "helper_name": str(user), "automatic": False}
        key = f"released:{commitment.public_id}"
        for recipient in (person_side(need), *coordinators):
            n.notify(recipient, n.COMMITMENT_RELEASED, context, community=community, dedupe_key=key)
    return released
