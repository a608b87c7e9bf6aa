"""Forms of matching's pages: the shape of the request; the rules are in the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mutua.matching.renewals import TERM_DAYS_MAX, TERM_DAYS_MIN
from mutua.matching.tuning import TUNABLES


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


class TuningForm(forms.Form):
    """How helpers are chosen: one field per tunable, with its range and plain-words label."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for t in TUNABLES:
            low, high = (int(t.low), int(t.high)) if t.is_integer else (t.low, t.high)
            field_class = forms.IntegerField if t.is_integer else forms.FloatField
            self.fields[t.name] = field_class(
                min_value=low,
                max_value=high,
                label=t.label,
                help_text=gettext("%(help)s From %(low)s to %(high)s.")
                % {"help": t.help, "low": low, "high": high},
                widget=forms.NumberInput(attrs={"step": t.step, "inputmode": "decimal"}),
            )
