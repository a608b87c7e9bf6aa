"""Forms for people: the sign-up extra field and profile editing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SignupForm(forms.Form):
    """Extra field on allauth's sign-up form; the adapter passes it to profile_ensure."""

    display_name = forms.CharField(
        label=_("Your name, as neighbours will see it"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user) -> None:  # allauth calls this after saving the user
        return None
