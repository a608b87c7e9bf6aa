"""Demo data for matching: a stored dispatch plan (with one need nobody can meet, and why),
proactive suggestions, and a standing arrangement between two trusted members whose term
renewed by itself.

`build_matching(community)` is called by the demo builder after the exchange and trust demos, so
the community already has members (with locations, skills and trust levels) and open needs.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mutua.communities.models import Community, Membership
from mutua.core.errors import DomainError
from mutua.exchange import services as exchange
from mutua.exchange.models import Need, StandingArrangement
from mutua.matching import arrays, renewals, services, suggestions
from mutua.matching.models import DispatchPlan
from mutua.people.models import Skill, User

RENEWED_TITLE = "Watering the garden on Saturdays"
UNMET_TITLE = "A sign language interpreter for a hospital appointment"
UNMET_SKILL = ("bsl-interpreting", "British Sign Language interpreting")


def _unmet_need(community: Community, coordinator: User) -> Need | None:
    """A need for a skill nobody here has yet: the plan shows it unmet, with the reason."""
    skill, _created = Skill.objects.get_or_create(
        community=community, slug=UNMET_SKILL[0], defaults={"name": UNMET_SKILL[1]}
    )
    found = Need.objects.filter(community=community, title=UNMET_TITLE).first()
    if found is not None:
        return found
    member = (
        Membership.objects.filter(community=community, status="active", role="member")
        .exclude(approx_lat=None)
        .exclude(user=coordinator)
        .order_by("pk")
        .first()
    )
    if member is None:
        return None
    return exchange.need_post(
        actor=member.user,
        community=community,
        title=UNMET_TITLE,
        description="Next Tuesday morning at the General. Two hours at most.",
        kind="skill",
        urgency="week",
        lat=member.approx_lat,
        lon=member.approx_lon,
        skill_ids=[skill.pk],
    )


def _trusted_pair(community: Community, coordinator: User) -> StandingArrangement | None:
    trusted = [
        m.user
        for m in Membership.objects.filter(
            community=community, status="active", trust_score__level="trusted"
        )
        .exclude(role="steward")
        .select_related("user")
        .order_by("pk")[:6]
    ]
    start = (timezone.now() - dt.timedelta(days=50)).replace(hour=9, minute=0, second=0)
    for person in trusted:
        for helper in trusted:
            if person.pk == helper.pk:
                continue
            try:
                return exchange.arrangement_create(
                    actor=coordinator,
                    helper_agreed=True,  # the helper said yes (recorded by a coordinator)
                    community=community,
                    person=person,
                    helper=helper,
                    title=RENEWED_TITLE,
                    rrule="FREQ=WEEKLY;BYDAY=SA",
                    dtstart=start,
                    kind="errand",
                )
            except DomainError:
                continue  # a helper on a break, say
    return None


def build_arrangement_terms(community: Community, coordinator: User) -> StandingArrangement | None:
    """Turn terms on (8 weeks) and show one arrangement whose term renewed without anyone."""
    renewals.matching_settings_update(
        actor=coordinator,
        community=community,
        trusted_arrangements_renew=True,
        arrangement_term_days=56,
    )
    arrangement = _trusted_pair(community, coordinator)
    if arrangement is None:
        return None
    # Made seven weeks ago (backdated, as the demo does with history): its term ends within the
    # horizon, and the sweep renews it because both people are trusted.
    StandingArrangement.objects.filter(pk=arrangement.pk).update(
        created_at=timezone.now() - dt.timedelta(days=50)
    )
    renewals.arrangement_terms_sweep()
    return arrangement


def build_matching(community: Community) -> DispatchPlan | None:
    """Make one draft dispatch plan (for a coordinator to review, with an unmet need and its
    reason) and one outreach round of suggestions."""
    coordinator = (
        Membership.objects.filter(
            community=community, status="active", role__in=("coordinator", "steward")
        )
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    if coordinator is None:
        return None
    _unmet_need(community, coordinator.user)
    arrays.cache_clear()
    plan = services.dispatch_plan_create(actor=coordinator.user, community=community)
    suggestions.outreach_sweep()
    build_arrangement_terms(community, coordinator.user)
    return plan
