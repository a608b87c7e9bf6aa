"""Forms for exchange pages: they check the shape of input; services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.exchange.models import Kind, NeedStatus, Requirement, Urgency


def _blank(choices, label):
    return [("", label), *choices]


class NeedFilterForm(forms.Form):
    text = forms.CharField(label=_("Search"), required=False, max_length=100)
    area = forms.ChoiceField(label=_("Area"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=_blank(Kind.choices, _("Any kind"))
    )
    category = forms.CharField(label=_("Category"), required=False, max_length=60)
    urgency = forms.ChoiceField(
        label=_("Urgency"), required=False, choices=_blank(Urgency.choices, _("Any urgency"))
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _blank([(a.slug, a.name) for a in areas], _("Any area"))


class NeedForm(forms.Form):
    title = forms.CharField(label=_("What is needed, in a few words"), max_length=120)
    description = forms.CharField(
        label=_("More details (everyone in the community sees this)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    kind = forms.ChoiceField(label=_("Kind of help"), choices=Kind.choices)
    category = forms.CharField(label=_("Category"), required=False, max_length=60)
    urgency = forms.ChoiceField(label=_("How soon"), choices=Urgency.choices, initial="flexible")
    starts_at = forms.DateTimeField(
        label=_("From"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    ends_at = forms.DateTimeField(
        label=_("Until"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    service_area = forms.ChoiceField(label=_("Area"), required=False)
    helpers_wanted = forms.IntegerField(
        label=_("How many helpers"), min_value=1, max_value=50, initial=1
    )
    skills = forms.MultipleChoiceField(
        label=_("Skills that would help"), required=False, widget=forms.CheckboxSelectMultiple
    )
    requirements = forms.MultipleChoiceField(
        label=_("The helper must…"),
        required=False,
        choices=Requirement.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    allow_self_assign = forms.BooleanField(
        label=_("Helpers may take this directly, without waiting for my answer"), required=False
    )
    address = forms.CharField(
        label=_("Address (only you, coordinators and the accepted helper see it)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    access_notes = forms.CharField(
        label=_("How to get in (private)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    on_behalf_name = forms.CharField(
        label=_("Posting for someone without an account: their name"), required=False, max_length=80
    )
    contact_phone = forms.CharField(label=_("Their phone (private)"), required=False, max_length=32)
    consent_given = forms.BooleanField(
        label=_("They agreed to this need being posted"), required=False
    )
    consent_note = forms.CharField(label=_("How they agreed"), required=False, max_length=300)

    def __init__(self, *args, areas=(), skills=(), on_behalf=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].choices = _blank(
            [(a.slug, a.name) for a in areas], _("No area")
        )
        self.fields["skills"].choices = [(str(s.pk), s.name) for s in skills]
        if not on_behalf:
            for name in ("on_behalf_name", "contact_phone", "consent_given", "consent_note"):
                del self.fields[name]


class ResponseForm(forms.Form):
    proposed_time = forms.CharField(label=_("When you could help"), required=False, max_length=120)
    message = forms.CharField(
        label=_("A message"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class HoursForm(forms.Form):
    hours = forms.DecimalField(label=_("Hours given"), required=False, min_value=0, max_value=24)


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Your note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExpenseForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount spent"), min_value=0, max_digits=9, decimal_places=2
    )
    currency = forms.CharField(label=_("Currency"), max_length=3, initial="EUR")
    note = forms.CharField(label=_("What for"), required=False, max_length=300)


class CloseForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Why"),
        choices=[
            (c, label)
            for c, label in NeedStatus.choices
            if c in ("cancelled", "not_needed", "duplicate")
        ],
    )


class OfferForm(forms.Form):
    title = forms.CharField(label=_("What you offer, in a few words"), max_length=120)
    description = forms.CharField(
        label=_("More details"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    category = forms.CharField(label=_("Category"), required=False, max_length=60)
    available_note = forms.CharField(
        label=_("When you are available"), required=False, max_length=200
    )
    service_area = forms.ChoiceField(label=_("Area"), required=False)
    days = forms.IntegerField(
        label=_("Keep it open for (days)"), min_value=1, max_value=180, initial=30
    )

    def __init__(self, *args, areas=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].choices = _blank(
            [(a.slug, a.name) for a in areas], _("No area")
        )


class AskForm(forms.Form):
    message = forms.CharField(
        label=_("A message"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(forms.Form):
    helper = forms.CharField(label=_("Helper"), max_length=16)
