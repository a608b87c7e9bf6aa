"""`{% matching_for_need need %}`: top helpers with reasons and who has heard about the need
(coordinators) and matching offers; `{% matching_for_offer offer %}`: open needs an offer could
meet (for its owner and coordinators)."""

from __future__ import annotations

from django import template

from mutua.core.errors import DomainError
from mutua.exchange.models import OPEN_NEED_STATUSES
from mutua.matching import meet, selectors

register = template.Library()


@register.inclusion_tag("matching/_for_need.html", takes_context=True)
def matching_for_need(context, need, k: int = 5) -> dict:
    user = context["request"].user
    matches, offers, outreach = [], [], None
    if need.status in OPEN_NEED_STATUSES:
        try:
            matches = selectors.matching_rank(viewer=user, need=need, k=k)
            outreach = selectors.need_outreach(viewer=user, need=need)
        except DomainError:
            matches = []  # only coordinators see who is best placed and who was told
        try:
            offers = meet.offers_for_need(viewer=user, need=need)
        except DomainError:
            offers = []
    return {
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
        "need": need,
        "matches": matches,
        # the permission `need_ask_helper` checks: asking is for those who dispatch
        "can_ask": bool(matches) and selectors.is_coordinator(user, need.community),
        "offers": offers,
        "outreach": outreach,
        "community": need.community,
    }


@register.inclusion_tag("matching/_for_offer.html", takes_context=True)
def matching_for_offer(context, offer, limit: int = 5) -> dict:
    user = context["request"].user
    needs = []
    if offer.status == "open" and (
        offer.owner_id == user.pk or selectors.is_coordinator(user, offer.community)
    ):
        try:
            needs = meet.needs_for_offer(viewer=user, offer=offer, limit=limit)
        except DomainError:
            needs = []
    return {"offer": offer, "needs": needs, "community": offer.community}
