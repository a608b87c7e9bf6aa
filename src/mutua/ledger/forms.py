"""Ledger forms: amounts are typed in hours (1.5) and handed to services as whole minutes."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.ledger.models import TransferKind

HOURS = {
    "label": _("Hours"),
    "min_value": Decimal("0.25"),
    "max_value": Decimal("100"),
    "decimal_places": 2,
    "help_text": _("One hour of help is one credit, whatever the help was."),
}


class IdempotentForm(forms.Form):
    """A hidden token: pressing the button twice, or a retried post, moves credits once."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=80)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["token"].initial = uuid.uuid4().hex

    def minutes(self) -> int:
        return int(self.cleaned_data["hours"] * 60)


class SendForm(IdempotentForm):
    recipient = forms.ChoiceField(label=_("To"))
    hours = forms.DecimalField(**HOURS)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("What for (optional)"), max_length=300, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", "—"), *list(members)]


class RequestForm(forms.Form):
    payer = forms.ChoiceField(label=_("Ask"))
    hours = forms.DecimalField(**HOURS)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("What for (optional)"), max_length=300, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].choices = [("", "—"), *list(members)]

    def minutes(self) -> int:
        return int(self.cleaned_data["hours"] * 60)


class GiftForm(IdempotentForm):
    hours = forms.DecimalField(**HOURS)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("A note (optional)"), max_length=300, required=False)


class StatementFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *list(TransferKind.choices)]
    )
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class SettingsForm(forms.Form):
    is_enabled = forms.BooleanField(label=_("Keep a time-credit ledger"), required=False)
    floor_hours = forms.IntegerField(
        label=_("Lowest balance, in hours"), min_value=-1000, max_value=0
    )
    ceiling_hours = forms.IntegerField(
        label=_("Highest balance, in hours"), min_value=0, max_value=1000
    )
    fund_floor_hours = forms.IntegerField(
        label=_("Lowest balance of the community fund, in hours"), min_value=-1000, max_value=0
    )
    breach_mode = forms.ChoiceField(
        label=_("When a limit would be passed"),
        choices=[("block", _("Refuse the transfer")), ("flag", _("Allow it, and flag it"))],
    )
