"""The exchange's part of the daily digest: new needs that fit me (skills, area, availability).

Only the public summary goes in: title, kind, urgency, area and the community's name — never
the need's private details or who asked.
"""

from __future__ import annotations

import datetime as dt

from mutua.communities.models import Membership
from mutua.exchange.selectors import needs_i_could_help_with
from mutua.people.models import Profile, User

PER_COMMUNITY = 10


def new_needs_that_fit(user: User, since: dt.datetime) -> list[dict]:
    """Open needs posted since `since` in my communities that I could help with."""
    if not Profile.objects.filter(user=user).exists():
        return []
    items: list[dict] = []
    memberships = Membership.objects.filter(user=user, status="active").select_related("community")
    for membership in memberships:
        community = membership.community
        needs = (
            needs_i_could_help_with(viewer=user, community=community)
            .filter(created_at__gte=since)
            .select_related("service_area")[:PER_COMMUNITY]
        )
        for need in needs:
            parts = [str(need.get_kind_display()), str(need.get_urgency_display())]
            if need.service_area:
                parts.append(need.service_area.name)
            parts.append(community.name)
            items.append(
                {
                    "title": need.title,
                    "summary": " · ".join(parts),
                    "url": f"/c/{community.slug}/needs/{need.public_id}/",
                }
            )
    return items
