"""The home page: a welcome for visitors, a dashboard for members."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from mutua.communities.selectors import community_list
from mutua.exchange.selectors_mine import my_exchange
from mutua.people.models import Profile
from mutua.people.selectors import profile_for
from mutua.people.services import profile_ensure, profile_update

DASHBOARD_ITEMS = 3  # the next few of each of my needs and tasks; the rest on their page


def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return render(request, "web/landing.html")
    try:
        profile = profile_for(user=request.user)
    except Profile.DoesNotExist:  # accounts made outside sign-up (createsuperuser)
        profile_ensure(user=request.user)
        profile = profile_for(user=request.user)
    communities = list(community_list(viewer=request.user, mine=True).order_by("name"))
    return render(
        request,
        "web/dashboard.html",
        {
            "profile": profile,
            "communities": communities,
            "missing": _missing(profile),
            "mine": my_exchange(viewer=request.user, limit=DASHBOARD_ITEMS),
        },
    )


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Django's language switch; for a signed-in person it also becomes their profile's
    language, so e-mails follow."""
    response = set_language(request)
    chosen = request.POST.get("language", "")
    if request.user.is_authenticated and chosen in dict(settings.LANGUAGES):
        profile_ensure(user=request.user)
        profile_update(user=request.user, preferred_language=chosen)
    return response


def _missing(profile: Profile) -> list[dict[str, str]]:
    """Gentle suggestions for the parts of the profile that are still empty."""
    missing = []
    if not profile.bio:
        missing.append({"label": _("Say a few words about yourself"), "url": "people:profile"})
    if not profile.languages:
        missing.append({"label": _("Add the languages you speak"), "url": "people:profile"})
    if not profile.profile_skills.all():
        missing.append({"label": _("Choose your skills"), "url": "people:skills"})
    if not profile.availability.all():
        missing.append({"label": _("Say when you can usually help"), "url": "people:availability"})
    return [{**item, "url": reverse(item["url"])} for item in missing]
