"""Forms for coordinators' exchange pages: the community's settings, clearing a follow-up."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.exchange.services.settings import RANGES


def _days(label, field, help_text):
    low, high = RANGES[field]
    return forms.IntegerField(label=label, min_value=low, max_value=high, help_text=help_text)


class ExchangeSettingsForm(forms.Form):
    categories = forms.CharField(
        label=_("Categories, one a line"),
        required=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Needs and offers choose one of these. Leave it empty to let people write their own. "
            "Needs keep a category that is later taken off the list."
        ),
    )
    auto_confirm_days = _days(
        _("Days until help marked done confirms itself"),
        "auto_confirm_days",
        _("If the other side does not confirm first."),
    )
    dispute_window_days = _days(
        _("Days to say something was not right"),
        "dispute_window_days",
        _("Counted from marking done; at least as long as the days above."),
    )
    stale_grace_hours = _days(
        _("Hours past its time before a task is released"),
        "stale_grace_hours",
        _("A helper who does not update a task by then is released, and told."),
    )
    offer_reminder_days = _days(
        _("Days before an offer expires to remind its owner"),
        "offer_reminder_days",
        _("So offers do not go stale unnoticed."),
    )

    def clean_categories(self):
        return [line.strip() for line in self.cleaned_data["categories"].splitlines()]


class FollowUpClearForm(forms.Form):
    commitment = forms.CharField(max_length=16, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("What was done (for the audit log)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
