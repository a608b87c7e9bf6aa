"""Ledger forms: amounts are typed in hours (1.5) and handed to services as whole minutes."""

from __future__ import annotations

import uuid
from decimal import Decimal

from django import forms
from django.utils.formats import number_format
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
        return _minutes(self.cleaned_data["hours"])


class SendForm(IdempotentForm):
    recipient = forms.ChoiceField(label=_("To"))
    hours = forms.DecimalField(**HOURS)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("What for (optional)"), max_length=300, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", "—"), *list(members)]


class RequestForm(IdempotentForm):
    payer = forms.ChoiceField(label=_("Ask"))
    hours = forms.DecimalField(**HOURS)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("What for (optional)"), max_length=300, required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].choices = [("", "—"), *list(members)]


class FundAskForm(IdempotentForm):
    """Ask the community fund to pay someone who helped you (a coordinator answers)."""

    recipient = forms.ChoiceField(label=_("Who helped you"))
    hours = forms.DecimalField(**HOURS)  # type: ignore[arg-type]
    reason = forms.CharField(label=_("What for (optional)"), max_length=300, required=False)
    credit_request = forms.CharField(widget=forms.HiddenInput, required=False, max_length=40)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].choices = [("", "—"), *list(members)]


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


def _limit_hours(label, low: int, high: int) -> forms.DecimalField:
    # Hours with two decimals: any whole number of minutes shows, and saves back, unchanged
    # (-90 minutes is -1.5 hours, -100 is -1.67, and -1.67 hours is -100 minutes again).
    return forms.DecimalField(label=label, min_value=low, max_value=high, decimal_places=2)


class SettingsForm(forms.Form):
    is_enabled = forms.BooleanField(label=_("Keep a time-credit ledger"), required=False)
    floor_hours = _limit_hours(_("Lowest balance, in hours"), -1000, 0)
    ceiling_hours = _limit_hours(_("Highest balance, in hours"), 0, 1000)
    fund_floor_hours = _limit_hours(_("Lowest balance of the community fund, in hours"), -1000, 0)
    breach_mode = forms.ChoiceField(
        label=_("When a limit would be passed"),
        choices=[("block", _("Refuse the transfer")), ("flag", _("Allow it, and flag it"))],
    )

    LIMITS = ("floor", "ceiling", "fund_floor")

    @classmethod
    def initial_from(cls, current) -> dict:
        """The saved settings as the form shows them."""
        return {
            "is_enabled": current.is_enabled,
            "breach_mode": current.breach_mode,
            **{f"{k}_hours": hours_of(getattr(current, f"{k}_minutes")) for k in cls.LIMITS},
        }

    def limit_minutes(self) -> dict[str, int]:
        """The three limits as whole minutes, as the service takes them."""
        return {f"{k}_minutes": _minutes(self.cleaned_data[f"{k}_hours"]) for k in self.LIMITS}


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


ROWS, MAX_ROWS = 3, 50


class RecordForm(IdempotentForm):
    """Help recorded on people's behalf: one or more who give credits (the people helped, or the
    fund) and one or more who receive them (the helpers), each with their own hours. On a side
    with one person the hours may be left empty: they are the other side's total."""

    SIDES = (
        ("payer", _("Who gives credits (the people helped, or the fund)")),
        ("payee", _("Who receives credits (the helpers)")),
    )
    rows = forms.IntegerField(
        widget=forms.HiddenInput, min_value=1, max_value=MAX_ROWS, required=False
    )
    reason = forms.CharField(label=_("Why you record this"), max_length=300)

    def __init__(self, *args, members=(), rows: int = ROWS, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            try:
                rows = int(self.data.get("rows") or rows)
            except ValueError:
                rows = ROWS
        self.row_count = rows = max(1, min(MAX_ROWS, rows))
        self.fields["rows"].initial = rows
        choices = [("", "—"), (FUND, _("The community fund")), *list(members)]
        for side, _legend in self.SIDES:
            for i in range(rows):
                self.fields[f"{side}_{i}"] = forms.ChoiceField(
                    label=_("Person %(n)s") % {"n": i + 1}, choices=choices, required=i == 0
                )
                self.fields[f"{side}_hours_{i}"] = forms.DecimalField(
                    **{**HOURS, "label": _("Hours"), "help_text": "", "required": False}  # type: ignore[arg-type]
                )
        self.order_fields(["token", "rows", *[n for n in self.fields if "_" in n], "reason"])

    def sides(self) -> list[tuple[str, list[tuple[forms.BoundField, forms.BoundField]]]]:
        """For the template: each side's legend and its rows of (person, hours)."""
        return [
            (
                str(legend),
                [(self[f"{side}_{i}"], self[f"{side}_hours_{i}"]) for i in range(self.row_count)],
            )
            for side, legend in self.SIDES
        ]

    def _side(self, side: str) -> list[list]:
        rows = []
        for i in range(self.row_count):
            who = self.cleaned_data.get(f"{side}_{i}")
            hours = self.cleaned_data.get(f"{side}_hours_{i}")
            if who:
                rows.append([who, hours, i])
            elif hours is not None:
                self.add_error(f"{side}_{i}", _("Please choose who, or clear the hours."))
        return rows

    def clean(self):
        data = super().clean()
        payers, payees = self._side("payer"), self._side("payee")
        if self.errors or not payers or not payees:
            return data
        for side, rows in (("payer", payers), ("payee", payees)):
            seen = [r[0] for r in rows]
            for who, _h, i in rows:
                if seen.count(who) > 1:
                    self.add_error(f"{side}_{i}", _("Please name each person once on a side."))
        both = {r[0] for r in payers} & {r[0] for r in payees}
        for who, _h, i in payees:
            if who in both:
                self.add_error(f"payee_{i}", _("Please choose two different accounts."))
        if self.errors:
            return data
        for row in payers + payees:
            if row[1] is not None:
                row[1] = _minutes(row[1])
        for rows, other in ((payers, payees), (payees, payers)):
            if len(rows) == 1 and rows[0][1] is None and all(r[1] is not None for r in other):
                rows[0][1] = sum(r[1] for r in other)
        for side, rows in (("payer", payers), ("payee", payees)):
            for _who, minutes, i in rows:
                if minutes is None:
                    self.add_error(f"{side}_hours_{i}", _("Please give the hours."))
        if self.errors:
            return data
        given, received = sum(r[1] for r in payers), sum(r[1] for r in payees)
        if given != received:
            message = _(
                "The hours given and received must add up to the same total "
                "(%(given)s and %(received)s hours)."
            ) % {"given": _hours(given), "received": _hours(received)}
            self.add_error(f"payee_hours_{payees[0][2]}", message)
            return data
        data["payers"] = [(who, minutes) for who, minutes, _i in payers]
        data["payees"] = [(who, minutes) for who, minutes, _i in payees]
        return data


def _minutes(hours: Decimal) -> int:
    return int((hours * 60).to_integral_value())


def hours_of(minutes: int) -> Decimal:
    """Minutes as hours with at most two decimals: -90 is -1.5, -120 is -2."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    return hours.to_integral_value() if hours == hours.to_integral_value() else hours.normalize()


def _hours(minutes: int) -> str:
    return number_format(minutes / 60, 0 if minutes % 60 == 0 else 2)


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
