"""django-allauth adapter: every new account gets a profile through our service."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from mutua.people.services import profile_ensure

            profile_ensure(user=user, display_name=form.cleaned_data.get("display_name", ""))
        return user

    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "MUTUA_SIGNUP_OPEN", True)
