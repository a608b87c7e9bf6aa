"""Pages of a community speak its time: times are shown, and typed into forms, in the
community's time zone (a need "at 10:00" in Los Angeles is 10:00 there, not in UTC)."""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from mutua.communities.models import Community


class CommunityTimeZoneMiddleware:
    """Activates the time zone of the community named by the URL's `slug`, for the view and
    the templates it renders; every other request keeps the site's default (UTC)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        slug = view_kwargs.get("slug")
        if not slug:
            return None
        name = Community.objects.filter(slug=slug).values_list("time_zone", flat=True).first()
        if name:
            # an unknown zone keeps UTC rather than failing the page
            with contextlib.suppress(zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.activate(zoneinfo.ZoneInfo(name))
        return None
