"""Forms of the trust pages: request shape only; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class VouchForm(forms.Form):
    note = forms.CharField(
        label=_("How do you know them? (optional)"), max_length=300, required=False
    )


class ConcernForm(forms.Form):
    text = forms.CharField(
        label=_("What worries you?"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Only the coordinators read this. They will follow up with care."),
    )


class OutcomeForm(forms.Form):
    outcome = forms.CharField(label=_("What was done"), max_length=2000, widget=forms.Textarea)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)
