"""Writes about communities: creation, joining, invitations, roles, areas, settings."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import secrets
import zoneinfo
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mutua.communities.models import (
    ApplicationStatus,
    Community,
    CustomRole,
    Invitation,
    JoinApplication,
    JoinPolicy,
    Membership,
    MembershipStatus,
    Role,
    ServiceArea,
)
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mutua.core.geo import snap_to_cell
from mutua.core.mail import send_templated_mail_on_commit
from mutua.core.permissions import GRANTABLE, forget_memberships, has_mfa, require
from mutua.people.models import Skill, User

RESERVED_SLUGS = frozenset({"new", "api", "admin", "accounts", "static", "me", "join", "health"})
SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,58}[a-z0-9])$")
INVITATION_DAYS = 14
MAX_BULK_INVITATIONS = 500


def _invalid(field_name: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field_name: [message]})


def _snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


COMMUNITY_FIELDS = (
    "name",
    "description",
    "time_zone",
    "join_policy",
    "application_questions",
    "emergency_number",
    "location_cell_m",
    "require_mfa_for_staff",
    "is_listed",
)


def _validate_community_fields(values: dict) -> dict:
    cleaned = {}
    for key, value in values.items():
        if value is None:
            continue
        if key == "name":
            value = value.strip()
            if not 2 <= len(value) <= 120:
                raise _invalid("name", _("Please give a name of 2 to 120 characters."))
        elif key == "description" and len(value) > 4000:
            raise _invalid("description", _("Please use at most 4000 characters."))
        elif key == "time_zone" and value not in zoneinfo.available_timezones():
            raise _invalid("time_zone", _("Please choose a time zone from the list."))
        elif key == "join_policy" and value not in JoinPolicy.values:
            raise _invalid("join_policy", _("Please choose one of the options."))
        elif key == "application_questions":
            value = [q.strip()[:300] for q in value if q and q.strip()]
            if len(value) > 10:
                raise _invalid("application_questions", _("Please ask at most 10 questions."))
        elif key == "emergency_number":
            value = value.strip()
            if not re.fullmatch(r"[0-9+ ()-]{2,32}", value):
                raise _invalid("emergency_number", _("Please enter a phone number such as 112."))
        elif key == "location_cell_m" and not 100 <= int(value) <= 50_000:
            raise _invalid(
                "location_cell_m", _("The cell size must be between 100 m and 50,000 m.")
            )
        cleaned[key] = value
    return cleaned


@transaction.atomic
def community_create(
    *,
    creator: User,
    name: str,
    slug: str = "",
    description: str = "",
    time_zone: str = "UTC",
    join_policy: str = "application",
    emergency_number: str = "112",
    location_cell_m: int = 500,
) -> Community:
    """Create a community; its creator becomes its first steward."""
    values = _validate_community_fields(
        {
            "name": name,
            "description": description,
            "time_zone": time_zone,
            "join_policy": join_policy,
            "emergency_number": emergency_number,
            "location_cell_m": location_cell_m,
        }
    )
    slug = (slug or slugify(values["name"]))[:60].strip("-")
    if not SLUG_RE.match(slug) or slug in RESERVED_SLUGS:
        raise _invalid("slug", _("Use 3 to 60 lower-case letters, digits and dashes."))
    if Community.objects.filter(slug=slug).exists():
        raise _invalid("slug", _("This web address is taken. Please choose another."))
    community = Community.objects.create(slug=slug, **values)
    membership = Membership.objects.create(community=community, user=creator, role=Role.STEWARD)
    forget_memberships(creator)
    audit_record(
        actor=creator,
        action="community.create",
        community=community,
        target=community,
        after={"name": community.name, "slug": slug},
    )
    audit_record(
        actor=creator,
        action="member.role",
        community=community,
        target=membership,
        subject=creator,
        after={"role": Role.STEWARD},
    )
    return community


@transaction.atomic
def community_update(*, actor: User, community: Community, **changes) -> Community:
    """Stewards change a community's settings; before and after go to the audit log."""
    require(actor, "community.edit", community)
    unknown = set(changes) - set(COMMUNITY_FIELDS)
    if unknown:
        raise ValidationFailed(_("Unknown settings: %(f)s") % {"f": ", ".join(sorted(unknown))})
    values = _validate_community_fields(changes)
    if values.get("require_mfa_for_staff") and not has_mfa(actor):
        raise _invalid(
            "require_mfa_for_staff",
            _("Set up two-factor sign-in for yourself first, or you would lock yourself out."),
        )
    community = Community.objects.select_for_update().get(pk=community.pk)
    before = _snapshot(community, values)
    for key, value in values.items():
        setattr(community, key, value)
    community.save()
    after = _snapshot(community, values)
    changed = {k for k in values if before[k] != after[k]}
    if changed:
        audit_record(
            actor=actor,
            action="community.update",
            community=community,
            target=community,
            before={k: before[k] for k in changed},
            after={k: after[k] for k in changed},
        )
    return community


def _activate_membership(*, community: Community, user: User) -> Membership:
    membership = Membership.objects.filter(community=community, user=user).first()
    if membership is None:
        membership = Membership.objects.create(community=community, user=user)
    elif membership.status == MembershipStatus.ACTIVE:
        raise Conflict(_("You are already a member of this community."))
    elif membership.status in (MembershipStatus.REMOVED, MembershipStatus.SUSPENDED):
        raise PermissionDenied(_("Please contact the coordinators of this community."))
    else:
        membership.status = MembershipStatus.ACTIVE
        membership.role = Role.MEMBER
        membership.ended_at = None
        membership.ended_reason = ""
        membership.save()
    forget_memberships(user)
    return membership


@transaction.atomic
def membership_join(*, user: User, community: Community) -> Membership:
    """Join an open community directly."""
    if community.join_policy != JoinPolicy.OPEN:
        raise PermissionDenied(
            _("This community does not take members without an application or an invitation.")
        )
    return _activate_membership(community=community, user=user)


@transaction.atomic
def application_submit(*, user: User, community: Community, answers: list[str]) -> JoinApplication:
    """Apply to join; one pending application at a time, one answer per question."""
    if community.join_policy != JoinPolicy.APPLICATION:
        raise PermissionDenied(_("This community does not take applications."))
    if Membership.objects.filter(
        community=community, user=user, status=MembershipStatus.ACTIVE
    ).exists():
        raise Conflict(_("You are already a member of this community."))
    questions = community.application_questions or []
    answers = [a.strip()[:2000] for a in answers]
    if len(answers) != len(questions) or any(not a for a in answers):
        raise _invalid("answers", _("Please answer every question."))
    try:
        with transaction.atomic():
            return JoinApplication.objects.create(
                community=community,
                user=user,
                answers=[
                    {"question": q, "answer": a} for q, a in zip(questions, answers, strict=True)
                ],
            )
    except IntegrityError:
        raise Conflict(_("You have already applied. The coordinators will answer soon.")) from None


@transaction.atomic
def application_decide(
    *, actor: User, application: JoinApplication, approve: bool, reason: str = ""
) -> JoinApplication:
    """Coordinators approve or decline a pending application; a decline needs a reason."""
    require(actor, "application.decide", application.community)
    application = JoinApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise Conflict(_("This application has already been decided."))
    reason = reason.strip()
    if not approve and not reason:
        raise _invalid("reason", _("Please give the applicant a reason."))
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.DECLINED
    application.decided_by, application.decided_at = actor, timezone.now()
    application.reason = reason[:2000]
    application.save()
    if approve:
        _activate_membership(community=application.community, user=application.user)
    audit_record(
        actor=actor,
        action="application.approve" if approve else "application.decline",
        community=application.community,
        target=application,
        subject=application.user,
        reason=reason,
    )
    send_templated_mail_on_commit(
        to=application.user.email,
        template="communities/email/application_decided",
        context={"community": application.community, "approved": approve, "reason": reason},
    )
    return application


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    community: Community,
    email: str = "",
    days: int = INVITATION_DAYS,
    site_url: str = "",
) -> tuple[Invitation, str]:
    """Invite by e-mail (sent after commit) or as a shareable single-use link."""
    require(actor, "member.invite", community)
    email = email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _invalid("email", _("This is not a valid e-mail address.")) from None
        if Membership.objects.filter(
            community=community, user__email__iexact=email, status=MembershipStatus.ACTIVE
        ).exists():
            raise _invalid("email", _("This person is already a member."))
    if not 1 <= days <= 90:
        raise _invalid("days", _("An invitation can last from 1 to 90 days."))
    token = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        community=community,
        email=email,
        token_hash=_token_hash(token),
        created_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action="invitation.create",
        community=community,
        target=invitation,
        after={"email": email, "days": days},
    )
    if email:
        from django.conf import settings

        send_templated_mail_on_commit(
            to=email,
            template="communities/email/invitation",
            context={
                "community": community,
                "inviter": actor,
                "url": f"{site_url or settings.SITE_URL}/join/{token}/",
                "expires_at": invitation.expires_at,
            },
        )
    return invitation, token


@dataclass
class BulkReport:
    sent: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


def parse_address_list(text: str) -> list[str]:
    """Addresses from a pasted list or a CSV file: any cell that contains an @ counts."""
    text = text.strip()
    if not text:
        return []
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(
            text[:4096], delimiters=",;\t"
        )
    except csv.Error:
        dialect = csv.excel
    found: list[str] = []
    for row in csv.reader(io.StringIO(text, newline=""), dialect):  # "\r" alone ends a row too
        for cell in row:
            for part in re.split(r"[\s,;]+", cell):
                if "@" in part:
                    found.append(part.strip().strip("<>\"'").lower())
    return found


def invitation_bulk(
    *, actor: User, community: Community, text: str, days: int = INVITATION_DAYS
) -> BulkReport:
    """Invite every address in a list; report what was sent and what was refused, and why."""
    require(actor, "member.invite", community)
    addresses = parse_address_list(text)
    if not addresses:
        raise _invalid("addresses", _("No e-mail addresses were found in what you pasted."))
    if len(addresses) > MAX_BULK_INVITATIONS:
        raise _invalid(
            "addresses",
            _("Please send at most %(n)d invitations at once.") % {"n": MAX_BULK_INVITATIONS},
        )
    report = BulkReport()
    seen: set[str] = set()
    pending = set(
        Invitation.objects.filter(
            community=community,
            email__in=addresses,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("email", flat=True)
    )
    for address in addresses:
        if address in seen:
            report.refused.append((address, _("listed twice")))
            continue
        seen.add(address)
        if address in pending:
            report.refused.append((address, _("already invited")))
            continue
        try:
            with transaction.atomic():
                invitation_create(actor=actor, community=community, email=address, days=days)
        except ValidationFailed as exc:
            report.refused.append((address, exc.message))
        else:
            report.sent.append(address)
    return report


def invitation_lookup(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("community").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    if invitation.revoked_at or invitation.used_at:
        raise Conflict(_("This invitation has already been used or withdrawn."))
    if invitation.expires_at <= timezone.now():
        raise Conflict(_("This invitation has expired. Please ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    """Use an invitation once; an e-mailed one only by the address it was sent to."""
    invitation = invitation_lookup(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at:
        raise Conflict(_("This invitation has already been used or withdrawn."))
    if invitation.email and invitation.email.lower() != user.email.lower():
        raise PermissionDenied(_("This invitation was sent to another e-mail address."))
    membership = _activate_membership(community=invitation.community, user=user)
    invitation.used_at, invitation.used_by = timezone.now(), user
    invitation.save(update_fields=["used_at", "used_by", "updated_at"])
    return membership


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    require(actor, "member.invite", invitation.community)
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action="invitation.revoke",
            community=invitation.community,
            target=invitation,
        )
    return invitation


def _active_stewards(community: Community) -> int:
    return Membership.objects.filter(
        community=community, role=Role.STEWARD, status=MembershipStatus.ACTIVE
    ).count()


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str) -> Membership:
    """Stewards set any role; coordinators may only make or unmake callers."""
    if role not in Role.values:
        raise _invalid("role", _("Please choose one of the roles."))
    community = membership.community
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise Conflict(_("This person is no longer a member."))
    caller_only = {membership.role, role} <= {Role.MEMBER, Role.CALLER}
    require(actor, "member.set_caller" if caller_only else "member.change_role", community)
    if membership.role == role:
        return membership
    if role in (Role.COORDINATOR, Role.STEWARD) and membership.role != Role.STEWARD:
        from mutua.trust.services import trust_gate_require  # a trust level gates staff roles

        trust_gate_require(membership.user, community, "coordinator")
    if membership.role == Role.STEWARD and _active_stewards(community) <= 1:
        raise Conflict(_("A community needs at least one steward."))
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    forget_memberships(membership.user)
    forget_memberships(actor)
    audit_record(
        actor=actor,
        action="member.role",
        community=community,
        target=membership,
        subject=membership.user,
        before={"role": before},
        after={"role": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, membership: Membership, reason: str) -> Membership:
    """Coordinators remove a member with a reason; only a steward removes staff."""
    community = membership.community
    require(actor, "member.remove", community)
    reason = reason.strip()
    if not reason:
        raise _invalid("reason", _("Please give a reason."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        raise Conflict(_("This person is no longer a member."))
    if membership.user_id == actor.pk:
        raise _invalid("reason", _("To leave the community yourself, use Leave."))
    if membership.role in (Role.COORDINATOR, Role.STEWARD):
        require(actor, "member.change_role", community)
        if membership.role == Role.STEWARD and _active_stewards(community) <= 1:
            raise Conflict(_("A community needs at least one steward."))
    membership.status = MembershipStatus.REMOVED
    membership.ended_reason, membership.ended_at = reason[:2000], timezone.now()
    membership.save()
    forget_memberships(membership.user)
    forget_memberships(actor)
    audit_record(
        actor=actor,
        action="member.remove",
        community=community,
        target=membership,
        subject=membership.user,
        before={"status": "active", "role": membership.role},
        after={"status": "removed"},
        reason=reason,
    )
    return membership


@transaction.atomic
def membership_leave(*, user: User, community: Community) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .filter(community=community, user=user, status=MembershipStatus.ACTIVE)
        .first()
    )
    if membership is None:
        raise NotFound(_("You are not a member of this community."))
    if membership.role == Role.STEWARD and _active_stewards(community) <= 1:
        raise Conflict(_("You are the last steward. Name another steward before you leave."))
    membership.status, membership.ended_at = MembershipStatus.LEFT, timezone.now()
    membership.save()
    forget_memberships(user)
    return membership


@transaction.atomic
def membership_update_self(
    *,
    user: User,
    community: Community,
    service_area: ServiceArea | str | None = "",
    listed_in_directory: bool | None = None,
    is_vulnerable: bool | None = None,
) -> Membership:
    """A member chooses their service area, directory listing and whether they are vulnerable."""
    membership = (
        Membership.objects.select_for_update()
        .filter(community=community, user=user, status=MembershipStatus.ACTIVE)
        .first()
    )
    if membership is None:
        raise NotFound(_("You are not a member of this community."))
    if not isinstance(service_area, str):
        if service_area is not None and service_area.community_id != community.pk:
            raise _invalid("service_area", _("This area belongs to another community."))
        membership.service_area = service_area  # type: ignore[assignment]
        if service_area is not None:
            membership.approx_lat, membership.approx_lon = snap_to_cell(
                service_area.centre_lat, service_area.centre_lon, community.location_cell_m
            )
    if listed_in_directory is not None:
        membership.listed_in_directory = listed_in_directory
    if is_vulnerable is not None:
        if is_vulnerable and not membership.is_vulnerable and listed_in_directory is None:
            membership.listed_in_directory = False  # listed again only if they opt in
        membership.is_vulnerable = is_vulnerable
    membership.save()
    return membership


@transaction.atomic
def membership_set_location(
    *, actor: User, membership: Membership, lat: float, lon: float
) -> Membership:
    """Store a location (from the browser, with consent, or a coordinator) snapped to a cell."""
    community = membership.community
    if actor.pk != membership.user_id:
        require(actor, "member.set_location", community)
    elif not Membership.objects.filter(pk=membership.pk, status=MembershipStatus.ACTIVE).exists():
        raise NotFound(_("You are not a member of this community."))
    try:
        approx = snap_to_cell(float(lat), float(lon), community.location_cell_m)
    except (TypeError, ValueError):
        raise _invalid("lat", _("These coordinates are not on Earth.")) from None
    Membership.objects.filter(pk=membership.pk).update(approx_lat=approx[0], approx_lon=approx[1])
    membership.approx_lat, membership.approx_lon = approx
    if actor.pk != membership.user_id:
        audit_record(
            actor=actor,
            action="member.location",
            community=community,
            target=membership,
            subject=membership.user,
        )
    return membership


@transaction.atomic
def membership_set_attributes(
    *,
    actor: User,
    membership: Membership,
    vetted_until: dt.date | str | None = "",
    is_vulnerable: bool | None = None,
) -> Membership:
    """Coordinators record vetting (until a date) and the vulnerable flag, audit-logged."""
    community = membership.community
    require(actor, "member.set_attributes", community)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    before = _snapshot(membership, ("vetted_until", "is_vulnerable"))
    if vetted_until != "":
        membership.vetted_until = vetted_until  # type: ignore[assignment]
    if is_vulnerable is not None:
        membership.is_vulnerable = is_vulnerable
        if is_vulnerable and before["is_vulnerable"] is False:
            membership.listed_in_directory = False  # listed again only if they opt in
    membership.save()
    after = _snapshot(membership, ("vetted_until", "is_vulnerable"))
    # Only what changed: an entry every member reads must not mention the vulnerable flag.
    changed = [k for k in after if str(after[k]) != str(before[k])]
    if changed:
        audit_record(
            actor=actor,
            action="member.attributes",
            community=community,
            target=membership,
            subject=membership.user,
            before={k: str(before[k]) for k in changed},
            after={k: str(after[k]) for k in changed},
            is_safeguarding="is_vulnerable" in changed,
        )
    return membership


@transaction.atomic
def area_create(
    *,
    actor: User,
    community: Community,
    name: str,
    centre_lat: float,
    centre_lon: float,
    parent: ServiceArea | None = None,
    slug: str = "",
) -> ServiceArea:
    require(actor, "area.manage", community)
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise _invalid("name", _("Please give a name of up to 120 characters."))
    if not (-90 <= centre_lat <= 90 and -180 <= centre_lon <= 180):
        raise _invalid("centre_lat", _("These coordinates are not on Earth."))
    if parent is not None and parent.community_id != community.pk:
        raise _invalid("parent", _("This area belongs to another community."))
    slug = (slug or slugify(name))[:60] or "area"
    if ServiceArea.objects.filter(community=community, slug=slug).exists():
        raise _invalid("name", _("There is already an area with this name."))
    area = ServiceArea.objects.create(
        community=community,
        name=name,
        slug=slug,
        centre_lat=centre_lat,
        centre_lon=centre_lon,
        parent=parent,
    )
    audit_record(
        actor=actor, action="area.create", community=community, target=area, after={"name": name}
    )
    return area


@transaction.atomic
def skill_add(*, actor: User, community: Community, name: str, category: str = "") -> Skill:
    """Coordinators extend the shared skill taxonomy for their community."""
    require(actor, "skill.manage", community)
    name = name.strip()
    if not 1 <= len(name) <= 80:
        raise _invalid("name", _("Please give a name of up to 80 characters."))
    slug = slugify(name)[:60] or "skill"
    if (
        Skill.objects.filter(slug=slug).filter(community__in=[community]).exists()
        or Skill.objects.filter(slug=slug, community__isnull=True).exists()
    ):
        raise _invalid("name", _("This skill is already in the list."))
    skill = Skill.objects.create(
        community=community, slug=slug, name=name, category=category.strip()[:60]
    )
    audit_record(
        actor=actor, action="skill.create", community=community, target=skill, after={"name": name}
    )
    return skill


@transaction.atomic
def custom_role_create(
    *, actor: User, community: Community, name: str, permissions: list[str]
) -> CustomRole:
    """Stewards define roles that add chosen permissions (never a steward's own powers)."""
    require(actor, "role.manage", community)
    name = name.strip()
    if not 1 <= len(name) <= 60:
        raise _invalid("name", _("Please give a name of up to 60 characters."))
    bad = [p for p in permissions if p not in GRANTABLE]
    if bad:
        raise _invalid(
            "permissions", _("These permissions cannot be granted: %(p)s") % {"p": ", ".join(bad)}
        )
    if CustomRole.objects.filter(community=community, name__iexact=name).exists():
        raise _invalid("name", _("There is already a role with this name."))
    role = CustomRole.objects.create(
        community=community, name=name, permissions=sorted(set(permissions))
    )
    audit_record(
        actor=actor,
        action="role.create",
        community=community,
        target=role,
        after={"name": name, "permissions": role.permissions},
    )
    return role


@transaction.atomic
def custom_role_assign(
    *, actor: User, membership: Membership, role: CustomRole, granted: bool = True
) -> Membership:
    require(actor, "role.manage", membership.community)
    if role.community_id != membership.community_id:
        raise _invalid("role", _("This role belongs to another community."))
    if granted:
        membership.custom_roles.add(role)
    else:
        membership.custom_roles.remove(role)
    forget_memberships(membership.user)
    forget_memberships(actor)
    audit_record(
        actor=actor,
        action="member.custom_role",
        community=membership.community,
        target=membership,
        subject=membership.user,
        after={"role": role.name, "granted": granted},
    )
    return membership
