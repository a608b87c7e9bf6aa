"""Which language to speak to a person in: their profile's choice, for pages and e-mail."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse

from mutua.people.models import Profile, User


def language_of(user: User | None) -> str | None:
    """The person's chosen language, or None when they have no profile yet."""
    if user is None or not getattr(user, "pk", None):
        return None
    try:
        return user.profile.preferred_language
    except Profile.DoesNotExist:
        return None


def language_for_address(email: str) -> str | None:
    """The language of whoever has an account with this address (None: nobody, so the caller's
    own language is used, as for an invitation to someone new)."""
    return (
        Profile.objects.filter(user__email__iexact=email.strip())
        .values_list("preferred_language", flat=True)
        .first()
    )


def remember_language(response: HttpResponse, language: str) -> HttpResponse:
    """Show the next pages in `language` (Django's LocaleMiddleware reads this cookie)."""
    if language in dict(settings.LANGUAGES):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        )
    return response
