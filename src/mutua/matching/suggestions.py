"""Proactive suggestions: a new need tells the best few helpers, each at most `cap` a day, and
the circle widens over time (sooner for urgent needs); a new offer's owner hears which open
needs it could meet. Both run from a sweep and are idempotent."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation

from mutua.communities.models import Community
from mutua.exchange.models import OPEN_NEED_STATUSES, Need, Offer
from mutua.exchange.services.common import need_context
from mutua.matching import arrays
from mutua.matching.explanations import explain
from mutua.matching.meet import needs_for_offer
from mutua.matching.models import OfferOutreach, Outreach, Suggestion, SuggestionDay
from mutua.matching.notifications import NEEDS_FOR_OFFER, SUGGESTION
from mutua.matching.selectors import Match, rank_need
from mutua.notify.services import notification_send
from mutua.notify.services.send import language_of

OFFER_NEEDS = 3  # needs named to the owner of a new offer


def _day(community: Community, now: dt.datetime) -> dt.date:
    try:
        zone = ZoneInfo(community.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    return timezone.localtime(now, zone).date()


def _claim(community: Community, helper_id: int, day: dt.date, cap: int) -> bool:
    """Take one of the helper's suggestions for the day, if any is left.

    A conditional increment: the row lock (PostgreSQL) or the write lock (SQLite IMMEDIATE)
    serialises it, and the unique constraint settles two first suggestions of a day."""
    rows = SuggestionDay.objects.filter(community=community, helper_id=helper_id, day=day)
    for _attempt in range(2):
        if rows.filter(count__lt=cap).update(count=F("count") + 1):
            return True
        if rows.exists():
            return False  # at the cap
        try:
            with transaction.atomic():
                SuggestionDay.objects.create(
                    community=community, helper_id=helper_id, day=day, count=1
                )
            return True
        except IntegrityError:
            continue  # made at the same moment elsewhere: increment it instead
    return False


def _choose(community: Community, fresh: list[Match], cap: int, wanted: int, now) -> list[Match]:
    """The best `wanted` helpers whose daily cap has room, claiming in helper order (so two
    rounds at once always lock counters in the same order)."""
    day = _day(community, now)
    full = set(
        SuggestionDay.objects.filter(
            community=community, day=day, count__gte=cap, helper_id__in=[m.user.pk for m in fresh]
        ).values_list("helper_id", flat=True)
    )
    pool = [m for m in fresh if m.user.pk not in full]
    chosen: list[Match] = []
    while pool and len(chosen) < wanted:
        batch, pool = pool[: wanted - len(chosen)], pool[wanted - len(chosen) :]
        for m in sorted(batch, key=lambda m: m.user.pk):
            if _claim(community, m.user.pk, day, cap):
                chosen.append(m)
    order = {m.user.pk: i for i, m in enumerate(fresh)}
    return sorted(chosen, key=lambda m: order[m.user.pk])


def need_suggest(*, need: Need, now: dt.datetime | None = None) -> list[Suggestion]:
    """One round of outreach: tell the best few helpers not yet told, each at most `cap` a day;
    every round widens the circle (radius and number), sooner for urgent needs. Only helpers
    who pass every hard rule on live rows are told (`rank_need` re-checks them)."""
    now = now or timezone.now()
    community = need.community
    ms = arrays.settings_for(community)
    w = arrays.weights_for(ms)
    with transaction.atomic():
        outreach, _created = Outreach.objects.select_for_update().get_or_create(need=need)
        if outreach.next_widen_at and outreach.next_widen_at > now and outreach.round:
            return []
        need.refresh_from_db(fields=["status"])
        if need.status not in OPEN_NEED_STATUSES or outreach.round >= ms.max_rounds:
            outreach.next_widen_at = None
            outreach.save(update_fields=["next_widen_at", "updated_at"])
            return []
        outreach.round += 1
        told = set(Suggestion.objects.filter(need=need).values_list("helper_id", flat=True))
        matches = rank_need(
            need,
            k=len(told) + ms.suggest_per_round * 4,
            radius_km=w.radius_km * (1 + 0.5 * (outreach.round - 1)),
        )
        fresh = [m for m in matches if m.user.pk not in told]
        chosen = _choose(community, fresh, ms.daily_suggestion_cap, ms.suggest_per_round, now)
        made = []
        for m in chosen:
            made.append(
                Suggestion.objects.create(
                    community=community,
                    need=need,
                    helper=m.user,
                    round=outreach.round,
                    terms=m.terms,
                )
            )
            with translation.override(language_of(m.user)):
                reasons = explain(m.terms)
            notification_send(
                recipient=m.user,
                kind=SUGGESTION,
                context={**need_context(need), "reasons": reasons},
                community=community,
                dedupe_key=f"suggest:{need.public_id}",
            )
        minutes = ms.widen_minutes_urgent if need.is_urgent else ms.widen_minutes
        outreach.next_widen_at = now + dt.timedelta(minutes=minutes)
        outreach.save(update_fields=["round", "next_widen_at", "updated_at"])
    return made


def offer_suggest_needs(*, offer: Offer) -> OfferOutreach:
    """Tell the owner of a new offer which open needs it could meet (once per offer)."""
    with transaction.atomic():
        done, created = OfferOutreach.objects.select_for_update().get_or_create(offer=offer)
        if not created:
            return done
        offer = Offer.objects.select_related("community", "owner__profile").get(pk=offer.pk)
        if offer.status != "open":
            return done
        needs = needs_for_offer(viewer=offer.owner, offer=offer, limit=OFFER_NEEDS)
        done.needs = [nd.public_id for nd in needs]
        done.save(update_fields=["needs", "updated_at"])
        if needs:
            community = offer.community
            url = f"/c/{community.slug}/offers/{offer.public_id}/"
            notification_send(
                recipient=offer.owner,
                kind=NEEDS_FOR_OFFER,
                context={
                    "community_name": community.name,
                    "offer_title": offer.title,
                    "need_titles": [nd.title for nd in needs],
                    "url": url,
                },
                community=community,
                dedupe_key=f"offer-needs:{offer.public_id}",
            )
    return done


def outreach_sweep(*, now: dt.datetime | None = None, limit: int = 200) -> int:
    """Start outreach for new open needs and widen it where it is due; tell the owners of new
    offers which needs they could meet. Idempotent; returns the suggestions made to helpers."""
    now = now or timezone.now()
    new = list(
        Need.objects.filter(
            status__in=OPEN_NEED_STATUSES,
            is_private=False,
            outreach__isnull=True,
            created_at__gte=now - dt.timedelta(days=7),
        )
        .select_related("community")
        .order_by("created_at")[:limit]
    )
    due = list(
        Need.objects.filter(outreach__next_widen_at__lte=now)
        .select_related("community")
        .order_by("outreach__next_widen_at")[:limit]
    )
    count = 0
    for need in [*new, *due]:
        count += len(need_suggest(need=need, now=now))
    offers = Offer.objects.filter(
        status="open", matching_outreach__isnull=True, created_at__gte=now - dt.timedelta(days=2)
    ).order_by("created_at")[:limit]
    for offer in offers:
        offer_suggest_needs(offer=offer)
    return count
