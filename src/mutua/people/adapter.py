"""django-allauth adapter: profiles through our service, and each person's own language."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from mutua.people.services import profile_ensure

            profile_ensure(
                user=user,
                display_name=form.cleaned_data.get("display_name", ""),
                language=translation.get_language() or "",
            )
        return user

    def is_open_for_signup(self, request) -> bool:
        return getattr(settings, "MUTUA_SIGNUP_OPEN", True)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Account e-mails (confirm, reset, login code) in the language the person chose."""
        from mutua.core.mail import site_language
        from mutua.people.language import language_for_address

        with translation.override(site_language(language_for_address(email))):
            super().send_mail(template_prefix, email, context)

    def post_login(self, request, user, **kwargs):
        """Signing in switches the site to the language in the person's profile."""
        from mutua.people.language import language_of, remember_language

        language = language_of(user)
        if language not in dict(settings.LANGUAGES):
            return super().post_login(request, user, **kwargs)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        return remember_language(super().post_login(request, user, **kwargs), language)
