"""Forms of the trust pages: request shape only; the rules live in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.trust.configure import STEWARD_FIELDS
from mutua.trust.models import SETTING_RANGES


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


def _bounds(name: str) -> dict:
    low, high = SETTING_RANGES[name]
    return {"min_value": low, "max_value": high}


class TrustSettingsForm(forms.Form):
    """Stewards see every field; for coordinators the scoring fields (and the gates, while they
    are on) are shown but disabled."""

    gates_enabled = forms.BooleanField(
        label=_("Use trust levels to decide who may do what"),
        required=False,
        help_text=_(
            "When off, every member may join care circles, take tasks with a home address, "
            "vouch and have help confirmed automatically."
        ),
    )
    vouch_monthly_limit = forms.IntegerField(
        label=_("Vouches each member may give in 30 days"), **_bounds("vouch_monthly_limit")
    )
    known_at = forms.FloatField(
        label=_("Score to be known"),
        help_text=_("1 is the average member. Known opens care circles and vouching."),
        **_bounds("known_at"),
    )
    trusted_at = forms.FloatField(
        label=_("Score to be trusted"),
        help_text=_("Trusted opens automatic confirmation and being proposed as coordinator."),
        **_bounds("trusted_at"),
    )
    min_backers = forms.IntegerField(
        label=_("Members with standing needed behind a trusted member"), **_bounds("min_backers")
    )
    damping = forms.FloatField(
        label=_("How far trust travels from the stewards (0.5 to 0.95)"),
        help_text=_("Higher lets trust reach further along vouches; lower keeps it closer."),
        **_bounds("damping"),
    )

    def __init__(self, *args, may_set_scoring: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_set_scoring:
            for name in STEWARD_FIELDS:
                self.fields[name].disabled = True
            if self.initial.get("gates_enabled"):  # only a steward switches the gates off
                self.fields["gates_enabled"].disabled = True
