"""Forms for exchange pages: they check the shape of input; services check the rules."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.exchange.models import CLOSE_REASONS, Kind, NeedStatus, Requirement, Urgency
from mutua.people.forms import language_choices
from mutua.people.models import Gender


def _blank(choices, label):
    return [("", label), *choices]


def category_field(form, categories, current: str = "") -> None:
    """The category is a choice from the community's list when it keeps one; a listing keeps
    the category it had, also when it is no longer on the list."""
    if not categories:
        return
    choices = [(c, c) for c in categories]
    if current and current not in categories:
        choices.append((current, current))
    field = form.fields["category"]
    form.fields["category"] = forms.ChoiceField(
        label=field.label, required=False, choices=_blank(choices, _("No category"))
    )


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

    def __init__(self, *args, areas=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = _blank([(a.slug, a.name) for a in areas], _("Any area"))
        if categories:
            self.fields["category"] = forms.ChoiceField(
                label=_("Category"),
                required=False,
                choices=_blank([(c, c) for c in categories], _("Any category")),
            )


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
    languages = forms.MultipleChoiceField(
        label=_("Languages the helper should speak"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    requirements = forms.MultipleChoiceField(
        label=_("The helper must…"),
        required=False,
        choices=Requirement.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Same gender uses your own gender from your profile, which nobody else sees."),
    )
    gender_wanted = forms.ChoiceField(
        label=_("Same gender: the helper should be a…"),
        required=False,
        choices=_blank(Gender.choices, _("Not needed")),
        help_text=_("Only you and the other coordinators see this."),
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

    def __init__(
        self, *args, areas=(), skills=(), on_behalf=False, categories=(), category="", **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].choices = _blank(
            [(a.slug, a.name) for a in areas], _("No area")
        )
        self.fields["skills"].choices = [(str(s.pk), s.name) for s in skills]
        self.fields["languages"].choices = language_choices()
        category_field(self, categories, category)
        if not on_behalf:  # coordinators only: posting for someone, and recording gender
            for name in (
                "on_behalf_name",
                "contact_phone",
                "consent_given",
                "consent_note",
                "gender_wanted",
            ):
                del self.fields[name]


class NeedEditForm(NeedForm):
    """The public part of a need after posting (private details are changed apart)."""

    def __init__(self, *args, coordinator=False, **kwargs):
        kwargs["on_behalf"] = coordinator
        super().__init__(*args, **kwargs)
        for name in ("address", "access_notes", "on_behalf_name", "contact_phone"):
            self.fields.pop(name, None)
        for name in ("consent_given", "consent_note"):
            self.fields.pop(name, None)


class NeedPrivateForm(forms.Form):
    """A need's private details: only the person, coordinators and the accepted helper see them."""

    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    access_notes = forms.CharField(
        label=_("How to get in"),
        help_text=_("For example: ring twice, the key is with the neighbour at number 4."),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_phone = forms.CharField(
        label=_("Phone to call about this need"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )


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
        choices=[(c, NeedStatus(c).label) for c in CLOSE_REASONS],
    )
    duplicate_of = forms.CharField(
        label=_("For a duplicate: the link to the need it repeats"),
        required=False,
        max_length=300,
    )
    note = forms.CharField(
        label=_("A note (optional; only the person, the helpers and coordinators see it)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
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
    skill_ids = forms.MultipleChoiceField(
        label=_("Skills you bring"), required=False, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(
        label=_("Keep it open for (days)"), min_value=1, max_value=180, initial=30
    )
    is_one_off = forms.BooleanField(
        label=_("I can give this only once (the offer closes when I say yes to someone)"),
        required=False,
    )

    def __init__(self, *args, areas=(), skills=(), categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].choices = _blank(
            [(a.slug, a.name) for a in areas], _("No area")
        )
        self.fields["skill_ids"].choices = [(str(s.pk), s.name) for s in skills]
        category_field(self, categories)


class AskForm(forms.Form):
    message = forms.CharField(
        label=_("A message"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AssignForm(forms.Form):
    helper = forms.CharField(label=_("Helper"), max_length=16)


REPEAT_PRESETS = [
    ("FREQ=WEEKLY;BYDAY=MO", _("Every Monday")),
    ("FREQ=WEEKLY;BYDAY=TU", _("Every Tuesday")),
    ("FREQ=WEEKLY;BYDAY=WE", _("Every Wednesday")),
    ("FREQ=WEEKLY;BYDAY=TH", _("Every Thursday")),
    ("FREQ=WEEKLY;BYDAY=FR", _("Every Friday")),
    ("FREQ=WEEKLY;BYDAY=SA", _("Every Saturday")),
    ("FREQ=WEEKLY;BYDAY=SU", _("Every Sunday")),
    ("FREQ=WEEKLY;INTERVAL=2", _("Every two weeks, on the day of the first time")),
    ("FREQ=DAILY", _("Every day")),
    ("FREQ=MONTHLY", _("Every month, on the date of the first time")),
]


class RepeatForm(forms.Form):
    """When recurring help happens: a preset or a repeat rule (RRULE) typed by a coordinator."""

    repeat = forms.ChoiceField(label=_("How often"), choices=REPEAT_PRESETS)
    rrule = forms.CharField(
        label=_("Or a repeat rule (for example FREQ=WEEKLY;BYDAY=TU,FR)"),
        required=False,
        max_length=300,
    )
    dtstart = forms.DateTimeField(
        label=_("The first time"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    duration_minutes = forms.IntegerField(
        label=_("How long, in minutes"), min_value=15, max_value=24 * 60, initial=60
    )

    helper_agreed = forms.BooleanField(
        label=_("The helper has already said yes (otherwise we ask them first)"),
        required=False,
    )

    def __init__(self, *args, coordinator=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not coordinator:  # a member's proposal always waits for the helper's answer
            del self.fields["helper_agreed"]

    def clean(self):
        data = super().clean()
        data["rrule"] = (data.get("rrule") or "").strip() or data.get("repeat", "")
        return data


class ArrangementFromCommitmentForm(RepeatForm):
    consent_given = forms.BooleanField(
        label=_("The person agreed to this help repeating"), required=False
    )


class ArrangementForm(RepeatForm):
    """A coordinator sets up recurring help from scratch."""

    title = forms.CharField(label=_("What the help is, in a few words"), max_length=120)
    description = forms.CharField(
        label=_("More details"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    kind = forms.ChoiceField(label=_("Kind of help"), choices=Kind.choices, initial="errand")
    person = forms.ChoiceField(label=_("Who is helped (a member)"), required=False)
    on_behalf_name = forms.CharField(
        label=_("Or, for someone without an account: their name"), required=False, max_length=80
    )
    consent_given = forms.BooleanField(label=_("They agreed to this help"), required=False)
    helper = forms.ChoiceField(label=_("Helper"))

    field_order = [
        "title",
        "description",
        "kind",
        "person",
        "on_behalf_name",
        "consent_given",
        "helper",
        "helper_agreed",
        "repeat",
        "rrule",
        "dtstart",
        "duration_minutes",
    ]

    def __init__(self, *args, members=(), helpers=(), **kwargs):
        kwargs.setdefault("coordinator", True)  # only coordinators set up from scratch
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _blank(
            [(m.user.public_id, m.user.profile.display_name) for m in members], _("Choose")
        )
        self.fields["helper"].choices = _blank(
            [(m.user.public_id, m.user.profile.display_name) for m in helpers], _("Choose")
        )


class HandOverForm(forms.Form):
    helper = forms.ChoiceField(label=_("New helper"))
    helper_agreed = forms.BooleanField(
        label=_("The new helper has already said yes (otherwise we ask them first)"),
        required=False,
    )

    def __init__(self, *args, helpers=(), coordinator=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["helper"].choices = _blank(
            [(m.user.public_id, m.user.profile.display_name) for m in helpers], _("Choose")
        )
        if not coordinator:  # only a coordinator records a helper's agreement
            del self.fields["helper_agreed"]


class BulkForm(forms.Form):
    """Several needs from the dispatch board and what to do with them."""

    needs = forms.MultipleChoiceField(label=_("Needs"))
    action = forms.ChoiceField(
        label=_("With the chosen needs"),
        choices=[
            ("not_needed", _("Close: no longer needed")),
            ("expired", _("Close: expired")),
            ("duplicate", _("Close: duplicate")),
            ("assign", _("Assign the helper below")),
        ],
    )
    helper = forms.CharField(label=_("Helper"), required=False, max_length=16)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service checks that each need is in the community; here only the shape.
        posted = self.data.getlist("needs") if hasattr(self.data, "getlist") else []
        self.fields["needs"].choices = [(v, v) for v in posted[:100]]
