"""Reads about people."""

from __future__ import annotations

from django.db.models import QuerySet

from mutua.people.models import ApiToken, Profile, User


def profile_for(*, user: User) -> Profile:
    return (
        Profile.objects.select_related("user")
        .prefetch_related("profile_skills__skill", "availability")
        .get(user=user)
    )


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
