"""Forms for people: the sign-up extra field and the pages under /me/.

Forms check only the shape of the request (types, lengths, known choices); the rules live in
`people.services`, whose refusals the views copy back onto these forms.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.utils.translation import gettext_lazy as _

from mutua.people.models import CapacityStatus, Channel, Gender
from mutua.people.services import LANGUAGE_CODES, Window

MAX_AVAILABILITY_ROWS = 14
_LOCAL_NAMES = {"so": "Soomaali", "tl": "Tagalog", "zh": "中文"}


def language_choices() -> list[tuple[str, str]]:
    """Every language a member can say they speak, named in that language."""
    names = {
        code: _LOCAL_NAMES.get(code) or LANG_INFO.get(code, {}).get("name_local") or code
        for code in LANGUAGE_CODES
    }
    return sorted(names.items(), key=lambda item: item[1].casefold())


class PageForm(forms.Form):
    """Our pages' forms: labels without Django's trailing colon (many are questions)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class SignupForm(forms.Form):
    """Extra field on allauth's sign-up form; the adapter passes it to profile_ensure."""

    display_name = forms.CharField(
        label=_("Your name, as neighbours will see it"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def signup(self, request, user) -> None:  # allauth calls this after saving the user
        return None


class ProfileForm(PageForm):
    display_name = forms.CharField(
        label=_("Your name, as neighbours will see it"),
        max_length=80,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    bio = forms.CharField(
        label=_("A few words about you"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Optional. What you enjoy, what you can offer, what matters to you."),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    free_tags = forms.CharField(
        label=_("Other things you can do"),
        required=False,
        max_length=1000,
        help_text=_("Separate them with commas, for example: baking, dog walking, Excel."),
    )
    capacity_status = forms.ChoiceField(
        label=_("How much can you help at the moment?"),
        choices=CapacityStatus.choices,
        widget=forms.RadioSelect,
        help_text=_("Taking a break is fine. Nobody will ask you for help until it ends."),
    )
    break_until = forms.DateField(
        label=_("Taking a break until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. Leave empty if you do not know yet."),
    )
    has_car = forms.BooleanField(label=_("I have a car"), required=False)
    has_accessible_vehicle = forms.BooleanField(
        label=_("I have a wheelchair-accessible vehicle"), required=False
    )
    has_pets = forms.BooleanField(
        label=_("I have pets at home"),
        required=False,
        help_text=_("Some people ask for a helper without pets, for example because of allergies."),
    )
    gender = forms.ChoiceField(
        label=_("Gender (optional)"),
        choices=[("", _("I would rather not say")), *Gender.choices],
        required=False,
        help_text=_(
            "Never shown to others. Used only to match requests for personal care that ask for "
            "a helper of the same gender."
        ),
    )
    preferred_channel = forms.ChoiceField(
        label=_("How should we reach you?"),
        choices=Channel.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Used for every kind of message you have not chosen channels for in your "
            "notification preferences. Messages about someone's safety always use all of theirs."
        ),
    )
    quiet_hours_start = forms.TimeField(
        label=_("Quiet hours start"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Optional. We hold back messages that are not urgent during these hours."),
    )
    quiet_hours_end = forms.TimeField(
        label=_("Quiet hours end"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for messages from Mutua"), choices=settings.LANGUAGES
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["languages"].choices = language_choices()

    def tags(self) -> list[str]:
        return [t for t in self.cleaned_data["free_tags"].split(",") if t.strip()]


class SkillsForm(PageForm):
    skills = forms.TypedMultipleChoiceField(
        label=_("Your skills"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, skill_ids: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skills"].choices = [(i, str(i)) for i in skill_ids]


WEEKDAYS = [
    ("", _("(no day)")),
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]


class AvailabilityRowForm(PageForm):
    weekday = forms.TypedChoiceField(
        label=_("Day"), choices=WEEKDAYS, coerce=int, empty_value=None, required=False
    )
    start = forms.TimeField(
        label=_("From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    end = forms.TimeField(
        label=_("Until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def clean(self):
        data = super().clean()
        filled = [data.get(f) is not None for f in ("weekday", "start", "end")]
        if any(filled) and not all(filled):
            raise forms.ValidationError(
                _("Please choose a day, a start and an end, or leave the whole row empty.")
            )
        return data

    def window(self) -> Window | None:
        data = self.cleaned_data
        if data.get("weekday") is None:
            return None
        return Window(weekday=data["weekday"], start=data["start"], end=data["end"])


def availability_formset(
    data=None, *, windows: list[tuple[int, dt.time, dt.time]] | None = None
) -> forms.BaseFormSet:
    """Existing windows plus a few empty rows, never more than MAX_AVAILABILITY_ROWS."""
    initial = [{"weekday": w, "start": s, "end": e} for w, s, e in (windows or [])]
    formset_class = forms.formset_factory(
        AvailabilityRowForm,
        extra=max(0, min(MAX_AVAILABILITY_ROWS, max(len(initial) + 3, 5)) - len(initial)),
        max_num=MAX_AVAILABILITY_ROWS,
        absolute_max=MAX_AVAILABILITY_ROWS,
        validate_max=True,
    )
    return formset_class(data, initial=initial, prefix="windows")


class PrivateDetailsForm(PageForm):
    address = forms.CharField(
        label=_("Address"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    access_notes = forms.CharField(
        label=_("How to get in"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: who holds a key, a door code, which bell to ring."),
    )
    health_consent = forms.BooleanField(
        label=_("I agree that Mutua keeps the health notes I write below"),
        required=False,
        help_text=_("If you untick this, your health notes are erased."),
    )
    health_notes = forms.CharField(
        label=_("Health notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Only what helpers need to know to keep you safe, for example an allergy. "
            "Keep it short."
        ),
    )


class ApiTokenForm(PageForm):
    name = forms.CharField(
        label=_("Name of the new token"),
        max_length=80,
        help_text=_("Something to recognise it by, for example: my spreadsheet."),
    )


class AccountDeleteForm(PageForm):
    confirmation = forms.CharField(
        label=_("Type your e-mail address to confirm"),
        max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean_confirmation(self) -> str:
        value = self.cleaned_data["confirmation"].strip()
        if value.casefold() != self.email.casefold():
            raise forms.ValidationError(
                _("This is not the e-mail address of your account. Nothing was deleted.")
            )
        return value
