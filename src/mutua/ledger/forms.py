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


FUND = "fund"
OPTIONAL_HOURS = {"required": False, "widget": forms.NumberInput(attrs={"step": "1"})}


class _MemberForm(forms.Form):
    """A form whose `member` (and friends) are chosen among the community's members."""

    member_fields: tuple[str, ...] = ("member",)
    with_fund = False

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *list(members)]
        if self.with_fund:
            choices.insert(1, (FUND, _("The community fund")))
        for name in self.member_fields:
            self.fields[name].choices = choices  # type: ignore[attr-defined]


class RecordForm(_MemberForm, IdempotentForm):
    member_fields = ("payer", "payee")
    with_fund = True
    payer = forms.ChoiceField(label=_("Who gives credits (the person helped)"))
    payee = forms.ChoiceField(label=_("Who receives credits (the helper)"))
    hours = forms.DecimalField(**HOURS)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("Why you record this"), max_length=300)

    def clean(self):
        data = super().clean()
        if data.get("payer") and data.get("payer") == data.get("payee"):
            self.add_error("payee", _("Please choose two different accounts."))
        return data


class GrantForm(_MemberForm, IdempotentForm):
    member = forms.ChoiceField(label=_("Who receives from the fund"))
    hours = forms.DecimalField(**HOURS)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("Why"), max_length=300)


class ReverseForm(forms.Form):
    transfer = forms.CharField(
        label=_("Transfer number"),
        max_length=40,
        help_text=_("The number given by the API, or in the CSV export of a statement."),
    )
    reason = forms.CharField(label=_("Why it needs correcting"), max_length=300)


class LimitsForm(_MemberForm):
    member = forms.ChoiceField(label=_("Member"))
    floor_hours = forms.IntegerField(
        label=_("Their lowest balance, in hours (empty: the community's)"),
        min_value=-1000,
        max_value=0,
        **OPTIONAL_HOURS,  # type: ignore[arg-type]
    )
    ceiling_hours = forms.IntegerField(
        label=_("Their highest balance, in hours (empty: the community's)"),
        min_value=0,
        max_value=1000,
        **OPTIONAL_HOURS,  # type: ignore[arg-type]
    )
    reason = forms.CharField(label=_("Why"), max_length=300)


class SupportedForm(_MemberForm):
    member = forms.ChoiceField(label=_("Member"))
    is_supported = forms.BooleanField(
        label=_("Receives help from the community fund for now"), required=False
    )
    reason = forms.CharField(label=_("Why"), max_length=300)
