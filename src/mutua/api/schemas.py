"""Response and request shapes shared by the communities and people endpoints.

Members are addressed by their membership's public id; nothing here carries sensitive details
(address, phone, access or health notes), which have their own endpoints and audit trail.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from ninja import Field, Schema
from pydantic import StrictBool

from mutua.api.fields import (
    In,
    Latitude,
    Longitude,
    Name80,
    Name120,
    Slug,
    Str32,
    Str60,
    Str100k,
    Str300,
    Str2000,
    Str4000,
)
from mutua.communities.services import custom_role_slug
from mutua.core.permissions import GRANTABLE

JoinPolicyName = Literal["open", "application", "invitation"]
RoleName = Literal["member", "caller", "coordinator", "steward"]
if TYPE_CHECKING:
    Grantable = str
else:
    Grantable = Literal[tuple(GRANTABLE)]


class SkillOut(Schema):
    slug: str = Field(description="How requests name the skill, unique in its community or shared.")
    name: str = Field(description="As stored (English for the shared list).")
    category: str
    label: str = Field(description="The name in the request's language (Accept-Language).")
    category_label: str
    community: str | None = Field(None, description="Slug of the community that added it.")

    @staticmethod
    def resolve_community(obj: Any) -> str | None:
        return obj.community.slug if obj.community_id else None


class SkillBrief(Schema):
    slug: str
    name: str
    label: str


class PersonOut(Schema):
    """Someone named in a record: their public id and the name they chose to show."""

    id: str
    display_name: str

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.public_id

    @staticmethod
    def resolve_display_name(obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        return profile.display_name if profile else ""


class CommunityOut(Schema):
    slug: str
    name: str
    description: str
    time_zone: str
    join_policy: str
    application_questions: list[str]
    emergency_number: str
    location_cell_m: int
    require_mfa_for_staff: bool
    is_listed: bool
    member_count: int | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_member_count(obj: Any) -> int | None:
        return getattr(obj, "member_count", None)


class CommunityIn(In):
    name: Name120
    slug: Str60 = Field("", description="Web address; made from the name when empty.")
    description: Str4000 = ""
    time_zone: Str60 = "UTC"
    join_policy: JoinPolicyName = "application"
    emergency_number: Str32 = "112"
    location_cell_m: int = Field(500, ge=100, le=50_000, strict=True)


class CommunityPatch(In):
    name: Name120 | None = None
    description: Str4000 | None = None
    time_zone: Str60 | None = None
    join_policy: JoinPolicyName | None = None
    application_questions: list[Str300] | None = Field(None, max_length=10)
    emergency_number: Str32 | None = None
    location_cell_m: int | None = Field(None, ge=100, le=50_000, strict=True)
    require_mfa_for_staff: StrictBool | None = None
    is_listed: StrictBool | None = None


class AreaBrief(Schema):
    slug: str
    name: str


class AreaOut(Schema):
    slug: str
    name: str
    centre_lat: float
    centre_lon: float
    parent: str | None = Field(None, description="Slug of the area this one is part of.")

    @staticmethod
    def resolve_parent(obj: Any) -> str | None:
        return obj.parent.slug if obj.parent_id else None


class AreaIn(In):
    name: Name120
    centre_lat: Latitude
    centre_lon: Longitude
    parent: Slug | None = None
    slug: Slug | None = None


class MembershipOut(Schema):
    """My own membership of a community."""

    id: str
    community: str
    role: str
    status: str
    service_area: AreaBrief | None
    listed_in_directory: bool
    is_vulnerable: bool
    approx_lat: float | None
    approx_lon: float | None
    created_at: dt.datetime

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.public_id

    @staticmethod
    def resolve_community(obj: Any) -> str:
        return obj.community.slug


class MembershipSelfIn(In):
    service_area: Slug | None = Field(
        None, description="Slug of one of the community's areas; null to clear."
    )
    listed_in_directory: StrictBool | None = None
    is_vulnerable: StrictBool | None = None


class MemberOut(Schema):
    """A member as the directory shows them: a name, an approximate location, what they offer."""

    id: str = Field(description="The membership's public id.")
    display_name: str
    first_name: str
    role: str
    service_area: AreaBrief | None
    approx_lat: float | None
    approx_lon: float | None
    capacity_status: str
    skills: list[SkillBrief]
    joined_at: dt.datetime

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.public_id

    @staticmethod
    def resolve_display_name(obj: Any) -> str:
        return obj.user.profile.display_name

    @staticmethod
    def resolve_first_name(obj: Any) -> str:
        return obj.user.profile.first_name

    @staticmethod
    def resolve_capacity_status(obj: Any) -> str:
        return obj.user.profile.capacity_status

    @staticmethod
    def resolve_skills(obj: Any) -> list[Any]:
        # Shared skills and this community's own: another community's would tell where else
        # the person belongs, and its slug names nothing here.
        skills = (ps.skill for ps in obj.user.profile.profile_skills.all())
        return [sk for sk in skills if sk.community_id in (None, obj.community_id)]

    @staticmethod
    def resolve_joined_at(obj: Any) -> dt.datetime:
        return obj.created_at


class CustomRoleBrief(Schema):
    slug: str
    name: str

    @staticmethod
    def resolve_slug(obj: Any) -> str:
        return custom_role_slug(obj.name)


class MemberDetailOut(MemberOut):
    status: str
    bio: str
    languages: list[str]
    custom_roles: list[CustomRoleBrief]

    @staticmethod
    def resolve_bio(obj: Any) -> str:
        return obj.user.profile.bio

    @staticmethod
    def resolve_languages(obj: Any) -> list[str]:
        return obj.user.profile.languages

    @staticmethod
    def resolve_custom_roles(obj: Any) -> list[Any]:
        return list(obj.custom_roles.all())


class MemberPatch(In):
    role: RoleName | None = None
    vetted_until: dt.date | None = Field(None, description="Vetted until this date; null clears.")
    is_vulnerable: StrictBool | None = None


class ReasonIn(In):
    reason: Str2000


class PrivateDetailsOut(Schema):
    address: str | None = None
    phone: str | None = None
    access_notes: str | None = None
    health_notes: str | None = None


class ApplicationOut(Schema):
    id: str
    community: str
    applicant: PersonOut
    answers: list[dict[str, str]]
    status: str
    reason: str
    created_at: dt.datetime
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.public_id

    @staticmethod
    def resolve_community(obj: Any) -> str:
        return obj.community.slug

    @staticmethod
    def resolve_applicant(obj: Any) -> Any:
        return obj.user


class ApplicationIn(In):
    answers: list[Str2000] = Field(default_factory=list, max_length=10)


class DecisionIn(In):
    approve: StrictBool
    reason: Str2000 = ""


class InvitationOut(Schema):
    id: str
    email: str
    created_at: dt.datetime
    expires_at: dt.datetime
    used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.public_id


class InvitationIn(In):
    email: Str300 = Field("", description="Leave empty for a shareable single-use link.")
    days: int = Field(14, ge=1, le=90, strict=True)


class NewInvitationOut(Schema):
    invitation: InvitationOut
    token: str = Field(description="Shown once; the invitation link is /join/<token>/.")


class BulkInvitationIn(In):
    text: Str100k = Field(description="Addresses pasted from a list or a CSV file.")
    days: int = Field(14, ge=1, le=90, strict=True)


class RefusedAddress(Schema):
    email: str
    reason: str


class BulkReportOut(Schema):
    sent: list[str]
    refused: list[RefusedAddress]


class AcceptIn(In):
    token: Str300 = Field(min_length=1)


class CustomRoleOut(Schema):
    slug: str = Field(description="Names the role in /members/{id}/roles/{slug}.")
    name: str
    permissions: list[str]
    created_at: dt.datetime

    @staticmethod
    def resolve_slug(obj: Any) -> str:
        return custom_role_slug(obj.name)


class CustomRoleIn(In):
    name: Name80
    permissions: list[Grantable] = Field(default_factory=list, max_length=len(GRANTABLE))


class SkillIn(In):
    name: Name80
    category: Str60 = ""


class AuditChangeOut(Schema):
    field: str
    label: str = Field(description="The field in words, in the request's language.")
    before: str | None = Field(description="In words; null when there was no value before.")
    after: str


class AuditOut(Schema):
    id: str
    at: dt.datetime
    action: str
    actor: PersonOut | None
    subject: PersonOut | None
    target_type: str
    target_id: str
    target_label: str
    before: dict[str, Any]
    after: dict[str, Any]
    reason: str
    is_safeguarding: bool
    changes: list[AuditChangeOut] = Field(description="before → after, in words.")

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.public_id

    @staticmethod
    def resolve_at(obj: Any) -> dt.datetime:
        return obj.created_at

    @staticmethod
    def resolve_changes(obj: Any) -> list[dict[str, Any]]:
        from mutua.communities.audit_words import change_rows

        keys = list(dict.fromkeys([*obj.before, *obj.after]))
        rows = change_rows(obj.before, obj.after)
        return [
            {"field": key, "label": label, "before": before, "after": after}
            for key, (label, before, after) in zip(keys, rows, strict=True)
        ]


class LocationIn(In):
    """A point from the browser (with the person's consent) or a coordinator; it is stored only
    snapped to the community's cell."""

    lat: Latitude
    lon: Longitude


class CallListRowOut(Schema):
    """One person to phone: reading the list is audit-logged for each person on the page."""

    id: str = Field(description="The membership's public id.")
    display_name: str
    first_name: str
    service_area: AreaBrief | None
    phone: str = Field(description="Empty when the person has not given one.")

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.public_id

    @staticmethod
    def resolve_display_name(obj: Any) -> str:
        return obj.user.profile.display_name

    @staticmethod
    def resolve_first_name(obj: Any) -> str:
        return obj.user.profile.first_name

    @staticmethod
    def resolve_phone(obj: Any) -> str:
        return getattr(obj, "phone", "")


class AreaPatch(In):
    name: Name120 | None = None
    centre_lat: Latitude | None = None
    centre_lon: Longitude | None = None
    parent: Slug | None = Field(
        None, description="Slug of the area it is part of; null makes it a top-level area."
    )


class SkillPatch(In):
    name: Name80 | None = None
    category: Str60 | None = None


class CustomRolePatch(In):
    name: Name80 | None = None
    permissions: list[Grantable] | None = Field(None, max_length=len(GRANTABLE))
