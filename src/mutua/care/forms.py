"""Request shapes of the care pages. Domain rules stay in the services."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

CHANNEL_CHOICES = (
    ("web", _("A button on the website")),
    ("email", _("An e-mail with a link")),
    ("sms", _("A text message")),
    ("phone", _("A phone call from a volunteer")),
)


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.replace(",", " ").split() if part]


# RRULE day codes in the order of the week, with their names in the reader's language.
WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
WEEKDAY_CHOICES = tuple((code, WEEKDAYS[i]) for i, code in enumerate(WEEKDAY_CODES))
REPEAT_CHOICES = (
    ("daily", _("Every day")),
    ("weekdays", _("On the days of the week ticked below")),
    ("rrule", _("Advanced: the repeat rule below")),
)
# Fields of the escalation ladder, offered to coordinators (the community's defaults otherwise).
LADDER_FIELDS = ("is_drill", "contact_timeout_minutes", "repeat_minutes")


def repeat_initial(rule: str) -> dict:
    """How the form shows a stored rule: every day, a plain set of weekdays, or the rule itself
    in the advanced field (anything else: an interval, a count, a monthly rule...)."""
    text = rule.strip().upper().removeprefix("RRULE:")
    parts = dict(part.split("=", 1) for part in text.split(";") if "=" in part)
    if parts == {"FREQ": "DAILY"}:
        return {"repeat": "daily", "rrule": ""}
    days = parts.get("BYDAY", "").split(",")
    plain_days = set(days) <= set(WEEKDAY_CODES)  # not "1MO" (the first Monday) and the like
    if set(parts) == {"FREQ", "BYDAY"} and parts["FREQ"] == "WEEKLY" and plain_days:
        return {"repeat": "weekdays", "weekdays": days, "rrule": ""}
    return {"repeat": "rrule", "rrule": text}


class ScheduleForm(forms.Form):
    """The schedule and the person's own reminders; with `ladder=True` (coordinators) also the
    plan's drill switch and escalation times, the community's defaults shown beside them."""

    times = forms.CharField(
        label=_("Times of day (HH:MM, separated by commas)"), max_length=100, initial="09:00"
    )
    repeat = forms.ChoiceField(
        label=_("Which days"),
        choices=REPEAT_CHOICES,
        widget=forms.RadioSelect,
        initial="daily",
        required=False,  # a form sent with only a repeat rule means that rule
    )
    weekdays = forms.MultipleChoiceField(
        label=_("Days of the week"),
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    rrule = forms.CharField(
        label=_("Advanced: a repeat rule (RRULE), for example FREQ=MONTHLY;BYMONTHDAY=1"),
        max_length=200,
        required=False,
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
    # The ladder: bounds are the service's (its refusals come back on these fields).
    is_drill = forms.BooleanField(
        label=_("Drill: this plan runs as a test, and every message about it says TEST"),
        required=False,
    )
    contact_timeout_minutes = forms.IntegerField(
        label=_("Minutes to wait for each circle contact before asking the next"),
        required=False,  # left empty: the community's default (new plan) or unchanged
    )
    repeat_minutes = forms.IntegerField(
        label=_("Minutes between repeats to the coordinators while nobody is on it"),
        required=False,
    )

    ladder_names = LADDER_FIELDS

    def __init__(self, *args, ladder: bool = False, defaults=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.has_ladder = ladder
        if not ladder:
            for name in LADDER_FIELDS:
                del self.fields[name]
        if defaults is not None:
            self._show_defaults(defaults)

    def _show_defaults(self, defaults) -> None:
        minutes = {
            "grace_minutes": defaults.grace_minutes,
            "contact_timeout_minutes": defaults.contact_timeout_minutes,
            "repeat_minutes": defaults.repeat_minutes,
        }
        for name, value in minutes.items():
            if name in self.fields:
                self.fields[name].help_text = _("The community's default: %(n)s minutes.") % {
                    "n": value
                }
        if "is_drill" in self.fields:
            self.fields["is_drill"].help_text = (
                _("The whole community is in drill mode now.")
                if defaults.is_drill
                else _("The community is not in drill mode.")
            )

    def clean_times(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["times"].split(",") if t.strip()]

    def clean_reminder_leads(self) -> list[int]:
        try:
            return _numbers(self.cleaned_data["reminder_leads"])
        except ValueError:
            raise forms.ValidationError(_("Give whole numbers of minutes.")) from None

    def clean(self) -> dict:
        data = super().clean()
        rule = (data.get("rrule") or "").strip()
        repeat = data.get("repeat") or ("rrule" if rule else "daily")
        if repeat == "daily":
            data["rrule"] = "FREQ=DAILY"
        elif repeat == "weekdays":
            days = [code for code in WEEKDAY_CODES if code in set(data.get("weekdays") or ())]
            if not days:
                self.add_error("weekdays", _("Tick at least one day of the week."))
            data["rrule"] = "FREQ=WEEKLY;BYDAY=" + ",".join(days)
        elif not rule:
            self.add_error("rrule", _("Give a repeat rule, or choose every day."))
        return data

    def changes(self) -> dict:
        """What the service is given: the rule the choice stands for, not the choice."""
        return {
            k: v
            for k, v in self.cleaned_data.items()
            if k not in ("repeat", "weekdays") and not (k in LADDER_FIELDS and v is None)
        }


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
        help_text=_("Say how and when they agreed. Only the person and the coordinators see it."),
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
    drill_until = forms.DateTimeField(
        label=_("The drill ends at (leave empty to run it until you switch it off)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
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

    def changes(self, time_zone: str) -> dict:
        """The values for the service, the drill's end read in the community's time zone."""
        values = dict(self.cleaned_data)
        if values.get("drill_until") is not None:
            local = ZoneInfo(time_zone or "UTC")
            values["drill_until"] = values["drill_until"].replace(tzinfo=local)
        return values
