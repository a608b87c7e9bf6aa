"""Forms of matching's pages: the shape of the request; the rules are in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mutua.matching.renewals import TERM_DAYS_MAX, TERM_DAYS_MIN


class ArrangementTermsForm(forms.Form):
    trusted_arrangements_renew = forms.BooleanField(
        required=False,
        label=_("Standing arrangements run for a term"),
        help_text=_(
            "When a term ends, it renews by itself if the person helped and the helper are both "
            "trusted here; otherwise coordinators are told and one of you renews it. Without a "
            "renewal no new dates are added."
        ),
    )
    arrangement_term_days = forms.IntegerField(
        min_value=TERM_DAYS_MIN,
        max_value=TERM_DAYS_MAX,
        label=_("Length of a term, in days"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["arrangement_term_days"].help_text = gettext(
            "From %(low)d to %(high)d days. A new length applies from the next renewal."
        ) % {"low": TERM_DAYS_MIN, "high": TERM_DAYS_MAX}
