"""`{% matching_for_need need %}`: top helpers with reasons (coordinators) and matching offers."""

from __future__ import annotations

from django import template

from mutua.core.errors import DomainError
from mutua.matching import selectors

register = template.Library()


@register.inclusion_tag("matching/_for_need.html", takes_context=True)
def matching_for_need(context, need, k: int = 5) -> dict:
    user = context["request"].user
    matches, offers = [], []
    if need.status in ("open", "partly_committed"):
        try:
            matches = selectors.matching_rank(viewer=user, need=need, k=k)
        except DomainError:
            matches = []  # only coordinators see who is best placed
        try:
            offers = selectors.offers_for_need(viewer=user, need=need)
        except DomainError:
            offers = []
    return {"need": need, "matches": matches, "offers": offers, "community": need.community}
