"""API: me — my account, profile, skills, availability, private details, export and tokens."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictBool

from mutua.api.errors import responses
from mutua.api.fields import (
    In,
    LocalTime,
    Name80,
    PublicId,
    SkillSlug,
    Slug,
    Str32,
    Str80,
    Str500,
    Str1000,
    Str2000,
)
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.api.schemas import SkillOut
from mutua.api.skills import skill_ids_named
from mutua.people import selectors, services
from mutua.people.services import Window

router = Router(tags=["me"])

if TYPE_CHECKING:
    SiteLanguage = str
    LanguageCode = str
else:
    SiteLanguage = Literal[tuple(code for code, _name in settings.LANGUAGES)]
    LanguageCode = Literal[tuple(sorted(services.LANGUAGE_CODES))]


class WindowSchema(Schema):
    weekday: int = Field(ge=0, le=6, strict=True, description="0 is Monday, 6 is Sunday.")
    start: LocalTime
    end: LocalTime


class ProfileOut(Schema):
    display_name: str
    bio: str
    languages: list[str]
    free_tags: list[str]
    capacity_status: str
    break_until: dt.date | None
    has_car: bool
    has_accessible_vehicle: bool
    has_pets: bool
    gender: str = Field(description="Empty when not said; never shown to others.")
    preferred_channel: str
    quiet_hours_start: dt.time | None
    quiet_hours_end: dt.time | None
    preferred_language: str
    skills: list[SkillOut]
    availability: list[WindowSchema]

    @staticmethod
    def resolve_skills(obj: Any) -> list[Any]:
        return [ps.skill for ps in obj.profile_skills.all()]

    @staticmethod
    def resolve_availability(obj: Any) -> list[Any]:
        return list(obj.availability.all())


class MeOut(Schema):
    id: str = Field(description="Your public id.")
    email: str
    profile: ProfileOut


class ProfileIn(In):
    display_name: Name80 | None = None
    bio: Str500 | None = None
    languages: list[LanguageCode] | None = Field(None, max_length=30)
    free_tags: list[Str80] | None = Field(None, max_length=20)
    capacity_status: Literal["available", "limited", "break"] | None = None
    break_until: dt.date | None = None
    has_car: StrictBool | None = None
    has_accessible_vehicle: StrictBool | None = None
    has_pets: StrictBool | None = None
    gender: Literal["", "woman", "man", "non_binary"] | None = None
    preferred_channel: Literal["email", "sms", "phone", "app"] | None = None
    quiet_hours_start: LocalTime | None = None
    quiet_hours_end: LocalTime | None = None
    preferred_language: SiteLanguage | None = None


class SkillRefIn(In):
    """A skill named by its slug, and the community it belongs to unless it is a shared one."""

    slug: SkillSlug
    community: Slug | None = Field(
        None, description="Slug of the community whose own skill this is; null for shared ones."
    )


class SkillsIn(In):
    skills: list[SkillRefIn] = Field(
        max_length=100, description="Skills from the shared list or from one of my communities."
    )


class AvailabilityIn(In):
    windows: list[WindowSchema] = Field(max_length=50)


class PrivateOut(Schema):
    address: str | None = None
    phone: str | None = None
    access_notes: str | None = None
    health_notes: str | None = None
    phone_reported_wrong: bool = Field(
        False,
        description="A caller found this phone number wrong or dead; cleared when it changes.",
    )


class PrivateIn(In):
    address: Str500 | None = None
    phone: Str32 | None = None
    access_notes: Str1000 | None = None
    health_notes: Str2000 | None = None
    health_consent: StrictBool | None = Field(
        None, description="Health notes are kept only with consent; false erases them."
    )


class TokenOut(Schema):
    id: str
    name: str
    prefix: str
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None

    @staticmethod
    def resolve_id(obj: Any) -> str:
        return obj.public_id


class TokenIn(In):
    name: Name80


class NewTokenOut(Schema):
    token: TokenOut
    secret: str = Field(description="Shown once. Send it as `Authorization: Bearer <secret>`.")


def _me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get("", response=responses({200: MeOut}), summary="My account and profile")
def me_get(request: HttpRequest) -> Any:
    user = _me(request)
    return {"id": user.public_id, "email": user.email, "profile": selectors.profile_for(user=user)}


@router.patch("/profile", response=responses({200: ProfileOut}), summary="Change my profile")
def me_profile_update(request: HttpRequest, payload: ProfileIn) -> Any:
    services.profile_update(user=_me(request), **payload.model_dump(exclude_unset=True))
    return selectors.profile_for(user=_me(request))


@router.put("/skills", response=responses({200: list[SkillOut]}), summary="Replace my skills")
def me_skills_set(request: HttpRequest, payload: SkillsIn) -> Any:
    skill_ids = skill_ids_named([(ref.community, ref.slug) for ref in payload.skills])
    return services.profile_set_skills(user=_me(request), skill_ids=skill_ids)


@router.put(
    "/availability",
    response=responses({200: list[WindowSchema]}),
    summary="Replace my weekly availability",
)
def me_availability_set(request: HttpRequest, payload: AvailabilityIn) -> Any:
    windows = [Window(weekday=w.weekday, start=w.start, end=w.end) for w in payload.windows]
    return services.availability_set(user=_me(request), windows=windows)


@router.get("/private", response=responses({200: PrivateOut}), summary="My private details")
def me_private_get(request: HttpRequest) -> Any:
    return _private(_me(request))


def _private(user: Any) -> dict[str, Any]:
    return {
        **services.sensitive_read(viewer=user, person=user),
        "phone_reported_wrong": services.phone_reported_wrong(user),
    }


@router.put(
    "/private",
    response=responses({200: PrivateOut}),
    summary="Change my private details (only the fields sent)",
)
def me_private_update(request: HttpRequest, payload: PrivateIn) -> Any:
    services.sensitive_update(user=_me(request), **payload.model_dump(exclude_unset=True))
    return _private(_me(request))


@router.get("/export", response=responses({200: dict[str, Any]}), summary="Export my data")
def me_export(request: HttpRequest) -> Any:
    return services.account_export(user=_me(request))


@router.delete(
    "",
    response=responses({204: None}),
    summary="Delete my account (anonymises what others rely on)",
)
def me_delete(request: HttpRequest) -> Any:
    services.account_delete(user=_me(request))
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        logout(request)
    return Status(204, None)


@router.get("/tokens", response=responses({200: Page[TokenOut]}), summary="My access tokens")
def me_tokens_list(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(selectors.api_token_list(user=_me(request)), page, newest_first=True)


@router.post(
    "/tokens",
    response=responses({201: NewTokenOut}),
    summary="Create an access token (the secret is shown once)",
)
def me_tokens_create(request: HttpRequest, payload: TokenIn) -> Any:
    token, secret = services.api_token_create(user=_me(request), name=payload.name)
    return Status(201, {"token": token, "secret": secret})


@router.delete(
    "/tokens/{public_id}", response=responses({204: None}), summary="Revoke an access token"
)
def me_tokens_revoke(request: HttpRequest, public_id: PublicId) -> Any:
    services.api_token_revoke(user=_me(request), public_id=public_id)
    return Status(204, None)
