"""Request shapes of the care pages. Domain rules stay in the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils.translation import gettext_lazy as _

CHANNEL_CHOICES = (
    ("web", _("A button on the website")),
    ("email", _("An e-mail with a link")),
    ("sms", _("A text message")),
    ("phone", _("A phone call from a volunteer")),
)


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.replace(",", " ").split() if part]


class ScheduleForm(forms.Form):
    times = forms.CharField(
        label=_("Times of day (HH:MM, separated by commas)"), max_length=100, initial="09:00"
    )
    rrule = forms.CharField(
        label=_("Which days (a repeat rule; FREQ=DAILY means every day)"),
        max_length=200,
        initial="FREQ=DAILY",
    )
    channels = forms.MultipleChoiceField(
        label=_("How to ask"),
        choices=CHANNEL_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        initial=["web", "email"],
    )
    grace_minutes = forms.IntegerField(
        label=_("Minutes to wait after the time before worrying"), min_value=1, max_value=1440
    )
    reminder_leads = forms.CharField(
        label=_("Reminders, in minutes before the time (for example: 30, 10)"),
        max_length=50,
        required=False,
    )

    def clean_times(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["times"].split(",") if t.strip()]

    def clean_reminder_leads(self) -> list[int]:
        try:
            return _numbers(self.cleaned_data["reminder_leads"])
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of minutes.")) from None


class PlanCreateForm(ScheduleForm):
    person_email = forms.EmailField(
        label=_("E-mail of the member the plan is for (leave empty for yourself)"),
        required=False,
    )
    consent_note = forms.CharField(
        label=_("How the person agreed (needed when you set it up for someone else)"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class PauseForm(forms.Form):
    until = forms.DateField(
        label=_("Paused until (the day check-ins start again)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def until_moment(self, time_zone: str) -> dt.datetime:
        day = self.cleaned_data["until"]
        return dt.datetime.combine(day, dt.time(0, 0), tzinfo=ZoneInfo(time_zone or "UTC"))


class InviteMemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail of the member to invite"))


class OutsideContactForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    phone = forms.CharField(label=_("Phone"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    consent_note = forms.CharField(
        label=_("How this contact agreed to be called"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ShiftForm(forms.Form):
    coordinator_email = forms.EmailField(label=_("E-mail of the coordinator on call"))
    starts_at = forms.DateTimeField(
        label=_("From"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("Until"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def local(self, field: str, time_zone: str) -> dt.datetime:
        value: dt.datetime = self.cleaned_data[field]
        return value.replace(tzinfo=ZoneInfo(time_zone or "UTC"))


class SettingsForm(forms.Form):
    is_drill = forms.BooleanField(
        label=_("Drill mode: every plan here runs as a test, and every message says TEST"),
        required=False,
    )
    grace_minutes = forms.IntegerField(
        label=_("Minutes to wait after a check-in time before worrying (new plans)"),
        min_value=1,
        max_value=1440,
    )
    contact_timeout_minutes = forms.IntegerField(
        label=_("Minutes to wait for each circle contact before asking the next"),
        min_value=1,
        max_value=1440,
    )
    repeat_minutes = forms.IntegerField(
        label=_("Minutes between repeats to the coordinators while nobody is on it"),
        min_value=1,
        max_value=1440,
    )
