"""Forms for the community pages: they check the shape of input; services check the rules."""

from __future__ import annotations

import zoneinfo
from functools import cache

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.communities.models import JoinPolicy, Role
from mutua.core.permissions import GRANTABLE

MAX_CSV_BYTES = 512 * 1024


@cache
def time_zone_choices() -> list[tuple[str, str]]:
    return [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


class CommunityForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the community is for and where it is."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zone_choices, initial="UTC")
    join_policy = forms.ChoiceField(
        label=_("How people join"), choices=JoinPolicy.choices, initial=JoinPolicy.APPLICATION
    )
    emergency_number = forms.CharField(
        label=_("Emergency number"),
        max_length=32,
        initial="112",
        help_text=_("Shown on urgent and care pages. Mutua is not an emergency service."),
    )


class CommunityCreateForm(CommunityForm):
    slug = forms.CharField(
        label=_("Web address"),
        required=False,
        max_length=60,
        help_text=_(
            "Lower-case letters, digits and dashes. Leave empty to make one from the name."
        ),
    )
    field_order = ["name", "slug", "description", "time_zone", "join_policy", "emergency_number"]


class CommunitySettingsForm(CommunityForm):
    application_questions = forms.CharField(
        label=_("Questions for people who apply"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One question per line, at most 10."),
    )
    location_cell_m = forms.IntegerField(
        label=_("Size of the approximate location cell, in metres"),
        min_value=100,
        max_value=50_000,
        help_text=_(
            "Members' places are shown only as a cell of this size. Rural areas need more."
        ),
    )
    require_mfa_for_staff = forms.BooleanField(
        label=_("Coordinators and stewards must use two-factor sign-in"), required=False
    )
    is_listed = forms.BooleanField(label=_("List this community publicly"), required=False)

    def clean_application_questions(self) -> list[str]:
        text = self.cleaned_data["application_questions"]
        return [line.strip() for line in text.splitlines() if line.strip()]


class ApplicationForm(forms.Form):
    """One text area per question the community asks."""

    def __init__(self, *args, questions: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        for i, question in enumerate(questions):
            self.fields[f"answer_{i}"] = forms.CharField(
                label=question, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
            )
        self.question_count = len(questions)

    def answers(self) -> list[str]:
        return [self.cleaned_data[f"answer_{i}"] for i in range(self.question_count)]


class MyMembershipForm(forms.Form):
    service_area = forms.ModelChoiceField(
        label=_("My area"),
        queryset=None,
        required=False,
        empty_label=_("No area chosen"),
        help_text=_("Neighbours see only the area, never your address."),
    )
    listed_in_directory = forms.BooleanField(
        label=_("Show me in the members' directory"), required=False
    )
    is_vulnerable = forms.BooleanField(
        label=_("I would like extra care"),
        required=False,
        help_text=_(
            "For example if you live alone, are unwell or find it hard to get out. "
            "Coordinators can then check in on you. Only coordinators see this. "
            "Asking for extra care takes you out of the members' directory; you can choose to "
            "be shown again afterwards."
        ),
    )

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service_area"].queryset = areas  # type: ignore[attr-defined]


class LocationForm(forms.Form):
    lat = forms.FloatField(min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(min_value=-180, max_value=180, widget=forms.HiddenInput)


class MemberLocationForm(forms.Form):
    """A coordinator places a member (who may not use the browser's location) on the map."""

    lat = forms.FloatField(label=_("Latitude"), min_value=-90, max_value=90)
    lon = forms.FloatField(label=_("Longitude"), min_value=-180, max_value=180)


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or words"), required=False, max_length=80)
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=None, required=False, empty_label=_("All areas")
    )
    skill = forms.ModelChoiceField(
        label=_("Skill"), queryset=None, required=False, empty_label=_("All skills")
    )

    def __init__(self, *args, areas, skills, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas  # type: ignore[attr-defined]
        self.fields["skill"].queryset = skills  # type: ignore[attr-defined]


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)

    def __init__(self, *args, callers_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if callers_only:
            self.fields["role"].choices = [  # type: ignore[attr-defined]
                (v, label) for v, label in Role.choices if v in ("member", "caller")
            ]


class AttributesForm(forms.Form):
    vetted_until = forms.DateField(
        label=_("Vetted until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty if this person has not been vetted."),
    )
    is_vulnerable = forms.BooleanField(label=_("Would like extra care"), required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class CustomRoleAssignForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Custom role"), queryset=None)
    granted = forms.TypedChoiceField(
        label=_("Action"),
        choices=[("1", _("Give this role")), ("0", _("Take this role away"))],
        coerce=lambda v: v == "1",
    )

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].queryset = roles  # type: ignore[attr-defined]


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Leave empty to make a link you can share yourself."),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=14)


class BulkInvitationForm(forms.Form):
    addresses = forms.CharField(
        label=_("E-mail addresses"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Paste addresses separated by commas or new lines, or a spreadsheet column."),
    )
    file = forms.FileField(
        label=_("Or a CSV file"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv,text/plain"}),
    )
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=90, initial=14)

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        text = data.get("addresses") or ""
        if upload:
            if upload.size > MAX_CSV_BYTES:
                raise forms.ValidationError(_("The file is too large (at most 512 KB)."))
            try:
                text += "\n" + upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError(_("Please save the file as UTF-8 text.")) from None
        if not text.strip():
            raise forms.ValidationError(_("Paste some addresses or choose a file."))
        data["text"] = text
        return data


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("approve", _("Approve")), ("decline", _("Decline"))]
    )
    reason = forms.CharField(
        label=_("Reason (needed to decline)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    parent = forms.ModelChoiceField(
        label=_("Part of"), queryset=None, required=False, empty_label=_("Nothing (top level)")
    )
    centre_lat = forms.FloatField(label=_("Latitude of its centre"), min_value=-90, max_value=90)
    centre_lon = forms.FloatField(label=_("Longitude of its centre"), min_value=-180, max_value=180)

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = areas  # type: ignore[attr-defined]


class SkillForm(forms.Form):
    name = forms.CharField(label=_("Skill"), max_length=80)
    category = forms.CharField(label=_("Category"), max_length=60, required=False)


class CustomRoleForm(forms.Form):
    name = forms.CharField(label=_("Name of the role"), max_length=60)
    permissions = forms.MultipleChoiceField(
        label=_("What holders of this role may do"),
        choices=[(p, p) for p in GRANTABLE],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def __init__(self, *args, labels: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["permissions"].choices = [  # type: ignore[attr-defined]
            (p, labels.get(p, p)) for p in GRANTABLE
        ]


class MemberRoleAssignForm(CustomRoleAssignForm):
    member = forms.ModelChoiceField(label=_("Member"), queryset=None, to_field_name="public_id")
    field_order = ["member", "role", "granted"]

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members  # type: ignore[attr-defined]
        self.fields["member"].label_from_instance = (  # type: ignore[attr-defined]
            lambda m: m.user.profile.display_name
        )


class AuditFilterForm(forms.Form):
    action = forms.ChoiceField(label=_("Kind of action"), required=False)
    actor = forms.ChoiceField(label=_("Done by"), required=False)
    subject = forms.ChoiceField(label=_("About"), required=False)
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args,
        actions: list[tuple[str, str]],
        people: dict[str, list[tuple[str, str]]] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        people = people or {}
        self.fields["action"].choices = [("", _("All actions")), *actions]  # type: ignore[attr-defined]
        self.fields["actor"].choices = [("", _("Anyone")), *people.get("actor", [])]  # type: ignore[attr-defined]
        self.fields["subject"].choices = [("", _("Anyone")), *people.get("subject", [])]  # type: ignore[attr-defined]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and until < since:
            self.add_error("until", _("The end of the range cannot be before its start."))
        return data

    def filters(self) -> dict:
        """The selector's arguments, or none when the form is not valid."""
        if not (self.is_bound and self.is_valid()):
            return {}
        d = self.cleaned_data
        return {
            "action": d["action"],
            "actor_public_id": d["actor"],
            "subject_public_id": d["subject"],
            "since": d["since"],
            "until": d["until"],
        }
