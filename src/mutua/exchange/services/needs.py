"""Posting and closing needs, and the private details of a need."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community, ServiceArea
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict
from mutua.core.permissions import require
from mutua.exchange import notifications as n
from mutua.exchange.models import (
    CLOSE_REASONS,
    LIVE_NEED_STATUSES,
    Need,
    NeedPrivate,
)
from mutua.exchange.services.common import (
    COORDINATE,
    invalid,
    need_context,
    places_taken,
    refresh_need_status,
    require_person_or_coordinator,
    settings_for,
)
from mutua.exchange.services.listing import (
    DEFAULT_OPEN_FOR,
    clean_gender_wanted,
    clean_listing,
    clean_shape,
    snap,
)
from mutua.people.models import User


@transaction.atomic
def need_post(
    *,
    actor: User,
    community: Community,
    title: str,
    description: str = "",
    kind: str = "other",
    category: str = "",
    urgency: str = "flexible",
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    service_area: ServiceArea | None = None,
    lat: float | None = None,
    lon: float | None = None,
    helpers_wanted: int = 1,
    skill_ids: list[int] | None = None,
    languages: list[str] | None = None,
    requirements: list[str] | None = None,
    allow_self_assign: bool = False,
    expires_at: dt.datetime | None = None,
    gender_wanted: str = "",
    address: str = "",
    access_notes: str = "",
    contact_phone: str = "",
    on_behalf_name: str = "",
    consent_given: bool = False,
    consent_note: str = "",
) -> Need:
    """Members post their own needs; coordinators may post on behalf of someone who consented."""
    require(actor, "community.view", community)
    values = clean_listing(
        community=community,
        title=title,
        description=description,
        kind=kind,
        category=category,
        service_area=service_area,
        skill_ids=skill_ids or [],
    )
    languages, requirements = clean_shape(
        urgency=urgency,
        starts_at=starts_at,
        ends_at=ends_at,
        helpers_wanted=helpers_wanted,
        languages=languages,
        requirements=requirements,
    )
    for field, value, limit in (
        ("address", address, 500),
        ("access_notes", access_notes, 1000),
        ("contact_phone", contact_phone, 32),
        ("consent_note", consent_note, 300),
    ):
        if len(value or "") > limit:
            raise invalid(field, _("Please use at most %(n)d characters.") % {"n": limit})
    now = timezone.now()
    if expires_at is None:
        expires_at = ends_at or now + DEFAULT_OPEN_FOR[urgency]
    if expires_at <= now:
        raise invalid("expires_at", _("Please choose a time in the future."))
    on_behalf_name = (on_behalf_name or "").strip()
    author: User | None = actor
    contact = None
    consent_at = None
    if on_behalf_name:
        require(actor, COORDINATE, community)
        if len(on_behalf_name) > 80:
            raise invalid("on_behalf_name", _("Please use at most 80 characters."))
        if not consent_given:
            raise invalid(
                "consent_given",
                _("Please confirm that the person agreed to this need being posted."),
            )
        author, contact, consent_at = None, actor, now
    gender = clean_gender_wanted(
        actor=actor,
        community=community,
        author=author,
        requirements=requirements,
        gender_wanted=gender_wanted,
    )
    approx_lat, approx_lon = snap(community, lat, lon)
    skills = values.pop("skills")
    need = Need.objects.create(
        community=community,
        author=author,
        posted_by=actor,
        contact=contact,
        on_behalf_name=on_behalf_name,
        consent_recorded_at=consent_at,
        consent_note=(consent_note or "").strip() if on_behalf_name else "",
        urgency=urgency,
        starts_at=starts_at,
        ends_at=ends_at,
        approx_lat=approx_lat,
        approx_lon=approx_lon,
        helpers_wanted=int(helpers_wanted),
        languages=languages,
        requirements=requirements,
        gender_wanted=gender,
        allow_self_assign=allow_self_assign,
        expires_at=expires_at,
        status_changed_at=now,
        **values,
    )
    need.skills.set(skills)
    if address or access_notes or contact_phone:
        NeedPrivate.objects.create(
            need=need,
            address=address.strip(),
            access_notes=access_notes.strip(),
            contact_phone=contact_phone.strip(),
        )
    if on_behalf_name:
        audit_record(
            actor=actor,
            action="need.on_behalf",
            community=community,
            target=need,
            # Members read this entry: the consent note (free text about the person) stays
            # on the need, where the person's side and coordinators read it.
            after={"title": need.title, "consent_recorded": True},
        )
    return need


@transaction.atomic
def need_close(
    *,
    actor: User,
    need: Need,
    status: str,
    note: str = "",
    duplicate_of: str = "",
) -> Need:
    """The person or a coordinator closes a live need, saying why (the status it ends in);
    active helpers are told and released. The note is private to the person, the helpers and
    coordinators; a duplicate names the need of the same community it repeats."""
    require_person_or_coordinator(actor, need)
    if status not in CLOSE_REASONS:
        raise invalid("status", _("Please choose why the need is closed."))
    note = (note or "").strip()
    if len(note) > 1000:
        raise invalid("note", _("Please use at most 1000 characters."))
    need = Need.objects.select_for_update().select_related("community").get(pk=need.pk)
    original = None
    if status == "duplicate":
        original = _original_of(need, duplicate_of)
    elif duplicate_of:
        raise invalid("duplicate_of", _("Only a duplicate names another need."))
    if status == "done" and need.commitments.filter(status="active").exists():
        raise Conflict(
            _("A helper is still on this need: mark their help done, and the need closes itself.")
        )
    close_locked(actor=actor, need=need, status=status, note=note, duplicate_of=original)
    return need


def _original_of(need: Need, public_id: str) -> Need:
    """The need a duplicate repeats: another listed need of the same community."""
    public_id = (public_id or "").strip().rstrip("/").rsplit("/", 1)[-1]
    if not public_id:
        raise invalid("duplicate_of", _("Please give the link to the need this one repeats."))
    original = Need.objects.filter(
        community=need.community, public_id=public_id, is_private=False
    ).first()
    if original is None or original.pk == need.pk:
        raise invalid("duplicate_of", _("Please give the link to another need of this community."))
    return original


def close_locked(
    *,
    actor: User,
    need: Need,
    status: str,
    note: str = "",
    duplicate_of: Need | None = None,
) -> None:
    """Close one live need whose row the caller holds locked (need_close and bulk closing).

    Helpers still on their way are released; help already marked done stays to be confirmed,
    so the hours given are not lost. The note goes to them, never to the audit log (members
    read it).
    """
    if need.status not in LIVE_NEED_STATUSES:
        raise Conflict(_("This need is already closed."))
    now = timezone.now()
    note = (note or "")[:1000]
    need.status, need.status_changed_at = status, now
    need.close_note, need.duplicate_of = note, duplicate_of
    need.save(
        update_fields=["status", "status_changed_at", "close_note", "duplicate_of", "updated_at"]
    )
    need.responses.filter(status="pending").update(status="declined", answered_at=now)
    for commitment in need.commitments.filter(status="active").select_related("helper"):
        commitment.status, commitment.ended_at = "cancelled", now
        commitment.end_reason = f"need closed: {status}"
        commitment.save(update_fields=["status", "ended_at", "end_reason", "updated_at"])
        n.notify(
            commitment.helper,
            n.NEED_CLOSED,
            {**need_context(need), "reason": note[:300]},
            community=need.community,
            dedupe_key=f"closed:{commitment.public_id}",
        )
    if actor.pk != need.author_id:
        audit_record(
            actor=actor,
            action="need.close",
            community=need.community,
            target=need,
            after={
                "status": status,
                **({"duplicate_of": duplicate_of.public_id} if duplicate_of else {}),
            },
        )


EDITABLE = (
    "title",
    "description",
    "kind",
    "category",
    "urgency",
    "starts_at",
    "ends_at",
    "service_area",
    "helpers_wanted",
    "languages",
    "requirements",
    "allow_self_assign",
    "expires_at",
)


def _snapshot(need: Need) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in EDITABLE:
        value = getattr(need, field)
        if field == "service_area":
            value = value.slug if value else ""
        elif isinstance(value, dt.datetime):
            value = value.isoformat()
        values[field] = value
    values["skills"] = sorted(s.slug for s in need.skills.all())
    return values


@transaction.atomic
def need_edit(
    *,
    actor: User,
    need: Need,
    title: str,
    description: str = "",
    kind: str = "other",
    category: str = "",
    urgency: str = "flexible",
    starts_at: dt.datetime | None = None,
    ends_at: dt.datetime | None = None,
    service_area: ServiceArea | None = None,
    helpers_wanted: int = 1,
    skill_ids: list[int] | None = None,
    languages: list[str] | None = None,
    requirements: list[str] | None = None,
    allow_self_assign: bool = False,
    expires_at: dt.datetime | None = None,
    gender_wanted: str = "",
) -> Need:
    """The person or a coordinator changes a live need; a coordinator's edit is audit-logged.

    Helpers already agreed keep their places; fewer places than are taken are refused. When
    the time changes, agreed helpers' due times (and automatic release) move with it.
    """
    require_person_or_coordinator(actor, need)
    need = Need.objects.select_for_update().select_related("community").get(pk=need.pk)
    if need.status not in LIVE_NEED_STATUSES:
        raise Conflict(_("This need is closed and can no longer be changed."))
    community = need.community
    values = clean_listing(
        community=community,
        title=title,
        description=description,
        kind=kind,
        category=category,
        service_area=service_area,
        skill_ids=skill_ids or [],
        keep_category=need.category,
    )
    languages, requirements = clean_shape(
        urgency=urgency,
        starts_at=starts_at,
        ends_at=ends_at,
        helpers_wanted=helpers_wanted,
        languages=languages,
        requirements=requirements,
    )
    gender = clean_gender_wanted(
        actor=actor,
        community=community,
        author=need.author,
        requirements=requirements,
        gender_wanted=gender_wanted,
        current=need.gender_wanted,
    )
    if type(allow_self_assign) is not bool:
        raise invalid("allow_self_assign", _("Please say whether helpers may sign up themselves."))
    if int(helpers_wanted) < places_taken(need):
        raise invalid(
            "helpers_wanted",
            _("%(n)d helpers have already agreed; please ask for at least that many.")
            % {"n": places_taken(need)},
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise invalid("expires_at", _("Please choose a time in the future."))
    before = _snapshot(need)
    old_times, old_gender = (need.starts_at, need.ends_at), need.gender_wanted
    skills = values.pop("skills")
    for field, value in values.items():
        setattr(need, field, value)
    need.urgency, need.starts_at, need.ends_at = urgency, starts_at, ends_at
    need.helpers_wanted = int(helpers_wanted)
    need.languages, need.requirements = languages, requirements
    need.gender_wanted = gender
    need.allow_self_assign = allow_self_assign
    need.expires_at = expires_at or need.expires_at
    need.save()
    need.skills.set(skills)
    if old_times != (starts_at, ends_at):
        _move_due_times(need)
    refresh_need_status(need)
    after = _snapshot(need)
    if actor.pk not in (need.author_id, need.contact_id):
        changed = [k for k in after if before[k] != after[k]]
        if old_gender != gender:  # that it changed, never what it is (members read the log)
            before["gender_wanted"] = after["gender_wanted"] = "[redacted]"
            changed.append("gender_wanted")
        audit_record(
            actor=actor,
            action="need.edit",
            community=community,
            target=need,
            subject=need.author,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return need


def _move_due_times(need: Need) -> None:
    """Agreed helpers are due when the need now ends: the stale sweep must not release them on
    the old time, nor keep them past the new one."""
    due = need.ends_at or need.starts_at
    if due is None:
        return
    release = due + dt.timedelta(hours=settings_for(need.community).stale_grace_hours)
    need.commitments.filter(status="active").update(
        due_at=due, release_at=release, updated_at=timezone.now()
    )


PRIVATE_LIMITS = (("address", 500), ("access_notes", 1000), ("contact_phone", 32))


@transaction.atomic
def need_private_set(
    *,
    actor: User,
    need: Need,
    address: str | None = "",
    access_notes: str | None = "",
    contact_phone: str | None = "",
) -> NeedPrivate:
    """The person or a coordinator changes a live need's private details (None keeps a field
    as it is); each change is audit-logged (which fields, never their values) for coordinators
    and the person only. A committed helper below the home-address gate does not see them.
    """
    require_person_or_coordinator(actor, need)
    need = Need.objects.select_for_update().select_related("community").get(pk=need.pk)
    if need.status not in LIVE_NEED_STATUSES:
        raise Conflict(_("This need is closed, so its private details can no longer be changed."))
    private = NeedPrivate.objects.filter(need=need).first()
    before = {f: getattr(private, f) if private else "" for f, _limit in PRIVATE_LIMITS}
    given = {"address": address, "access_notes": access_notes, "contact_phone": contact_phone}
    values = {f: before[f] if v is None else v.strip() for f, v in given.items()}
    for field, limit in PRIVATE_LIMITS:
        if len(values[field]) > limit:
            raise invalid(field, _("Please use at most %(n)d characters.") % {"n": limit})
    changed = [f for f, _limit in PRIVATE_LIMITS if before[f] != values[f]]
    if private is None:
        private = NeedPrivate.objects.create(need=need, **values)
    elif changed:
        for field in changed:
            setattr(private, field, values[field])
        private.save(update_fields=[*changed, "updated_at"])
    if changed:
        # Field names only: the log is read by coordinators, and values are the secret.
        audit_record(
            actor=actor,
            action="need.private_set",
            community=need.community,
            target=need,
            subject=need.author,
            after={"fields": changed},
            is_safeguarding=True,
        )
    return private
