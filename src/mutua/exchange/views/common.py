"""Shared bits of exchange pages."""

from __future__ import annotations

from mutua.communities.selectors import area_list, skill_list
from mutua.communities.views.common import community_context
from mutua.core.errors import DomainError
from mutua.exchange.services.common import is_coordinator, settings_for


def ctx(request, community, **extra) -> dict:
    context = community_context(request, community, **extra)
    context["is_coordinator"] = is_coordinator(request.user, community)
    return context


def area_by_slug(community, slug):
    if not slug:
        return None
    return area_list(community=community).filter(slug=slug).first()


def categories_of(community) -> list[str]:
    return list(settings_for(community).categories or [])


def areas_and_skills(community):
    return list(area_list(community=community)), list(skill_list(community=community))


def place_error(form, exc: DomainError) -> None:
    from mutua.web.forms import show_domain_error

    show_domain_error(form, exc)
