"""Permission-aware reads about communities. Each returns a queryset with no N+1."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from mutua.communities.models import (
    Community,
    CustomRole,
    Invitation,
    JoinApplication,
    Membership,
    MembershipStatus,
    ServiceArea,
)
from mutua.core.audit import CONCERN_ACTIONS
from mutua.core.errors import NotFound
from mutua.core.models import AuditEntry
from mutua.core.permissions import can, membership_of, require
from mutua.people.models import ProfileSkill, Skill, User


def community_get(*, slug: str) -> Community:
    community = Community.objects.filter(slug=slug).first()
    if community is None:
        raise NotFound(_("There is no community at this address."))
    return community


def community_visible(*, slug: str, viewer: User | None) -> Community:
    """A community the viewer may look at: listed publicly, or one they belong to."""
    community = community_get(slug=slug)
    if not community.is_listed and membership_of(viewer, community) is None:
        raise NotFound(_("There is no community at this address."))
    return community


def community_list(*, viewer: User | None, mine: bool = False) -> QuerySet[Community]:
    """Communities the viewer belongs to, plus (unless `mine`) those listed publicly."""
    qs = Community.objects.annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__status=MembershipStatus.ACTIVE),
            distinct=True,  # the viewer filter below joins memberships again
        )
    )
    member_of = (
        Q(memberships__user=viewer, memberships__status=MembershipStatus.ACTIVE)
        if viewer is not None and viewer.is_authenticated
        else Q(pk__in=[])
    )
    return (qs.filter(member_of) if mine else qs.filter(member_of | Q(is_listed=True))).distinct()


def skills_here(community: Community) -> Prefetch:
    """A member's skills as this community shows them: shared ones and its own. Another
    community's would tell where else the person belongs (web and API show the same)."""
    return Prefetch(
        "user__profile__profile_skills",
        queryset=ProfileSkill.objects.filter(
            Q(skill__community__isnull=True) | Q(skill__community=community)
        ).select_related("skill"),
    )


def member_directory(
    *,
    viewer: User,
    community: Community,
    area: ServiceArea | None = None,
    skill: Skill | None = None,
    q: str = "",
) -> QuerySet[Membership]:
    """Active members as the directory shows them; vulnerable members only if they opted in."""
    require(viewer, "directory.view", community)
    qs = (
        Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
        .select_related("user__profile", "service_area")
        .prefetch_related(skills_here(community))
    )
    qs = qs.filter(listed_in_directory=True).filter(
        Q(is_vulnerable=False) | Q(is_vulnerable=True, listed_in_directory=True)
    )
    if area is not None:
        qs = qs.filter(Q(service_area=area) | Q(service_area__parent=area))
    if skill is not None:
        qs = qs.filter(user__profile__profile_skills__skill=skill)
    if q:
        qs = qs.filter(
            Q(user__profile__display_name__icontains=q) | Q(user__profile__bio__icontains=q)
        )
    return qs.order_by("created_at", "id").distinct()


def member_roster(
    *, viewer: User, community: Community, status: str = "active"
) -> QuerySet[Membership]:
    """Every membership for coordinators (including unlisted and vulnerable members)."""
    require(viewer, "member.remove", community)
    return (
        Membership.objects.filter(community=community, status=status)
        .select_related("user__profile", "service_area")
        .prefetch_related("custom_roles")
        .order_by("created_at", "id")
    )


def member_get(*, viewer: User, community: Community, public_id: str) -> Membership:
    """A member's page: anyone in the community, for listed members; staff for anyone."""
    require(viewer, "directory.view", community)
    m = (
        Membership.objects.select_related("user__profile", "service_area", "community")
        .prefetch_related(skills_here(community), "custom_roles")
        .filter(community=community, public_id=public_id)
        .first()
    )
    if m is None:
        raise NotFound(_("No such member."))
    me = membership_of(viewer, community)
    visible = (
        (m.status == MembershipStatus.ACTIVE and m.listed_in_directory)
        or can(viewer, "member.remove", community)
        or (me is not None and me.pk == m.pk)
    )
    if not visible:
        raise NotFound(_("No such member."))
    return m


def audit_list(
    *,
    viewer: User,
    community: Community,
    action: str = "",
    actor_public_id: str = "",
    subject_public_id: str = "",
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditEntry]:
    """The community's log; safeguarding entries only for coordinators and the person concerned,
    and entries about a concern never for the person it is about (they would name the reporter).

    Filters: an action prefix, who acted and whom it concerned (users' public ids), and a range
    of days, both ends included, in the community's time zone.
    """
    require(viewer, "audit.read", community)
    qs = AuditEntry.objects.filter(community=community).select_related(
        "actor__profile", "subject__profile"
    )
    if not can(viewer, "audit.read_safeguarding", community):
        qs = qs.filter(Q(is_safeguarding=False) | Q(subject=viewer))
    qs = qs.exclude(action__in=CONCERN_ACTIONS, subject=viewer)
    if action:
        qs = qs.filter(action__startswith=action)
    if actor_public_id:
        qs = qs.filter(actor__public_id=actor_public_id)
    if subject_public_id:
        qs = qs.filter(subject__public_id=subject_public_id)
    zone = _zone(community)
    since = since and min(max(since, EARLIEST), LATEST)  # far dates would overflow
    until = until and min(max(until, EARLIEST), LATEST)
    if since is not None:
        qs = qs.filter(created_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=zone))
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        qs = qs.filter(created_at__lt=end)
    return qs.order_by("-created_at", "-id")


EARLIEST, LATEST = dt.date(1970, 1, 1), dt.date(9000, 1, 1)


def _zone(community: Community) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(community.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def audit_people(*, viewer: User, community: Community) -> dict[str, list[tuple[str, str]]]:
    """Who acted and whom entries concern, among the entries this viewer may read: (public id,
    name) pairs for the log's filters. Two queries."""
    qs = audit_list(viewer=viewer, community=community).order_by()
    out: dict[str, list[tuple[str, str]]] = {}
    for role in ("actor", "subject"):
        pairs = (
            qs.exclude(**{f"{role}__isnull": True})
            .values_list(f"{role}__public_id", f"{role}__profile__display_name")
            .distinct()
        )
        out[role] = sorted({(pid, name or "") for pid, name in pairs}, key=lambda p: p[1])
    return out


def application_list(
    *, viewer: User, community: Community, status: str = "pending"
) -> QuerySet[JoinApplication]:
    require(viewer, "application.decide", community)
    return (
        JoinApplication.objects.filter(community=community, status=status)
        .select_related("user__profile")
        .order_by("created_at", "id")
    )


def invitation_list(*, viewer: User, community: Community) -> QuerySet[Invitation]:
    require(viewer, "member.invite", community)
    return (
        Invitation.objects.filter(community=community)
        .select_related("created_by__profile", "used_by__profile")
        .order_by("-created_at", "-id")
    )


def area_list(*, community: Community) -> QuerySet[ServiceArea]:
    return ServiceArea.objects.filter(community=community).select_related("parent")


def area_get(*, community: Community, slug: str) -> ServiceArea:
    """One of the community's areas by its slug (pages and API alike)."""
    area = area_list(community=community).filter(slug=slug).first()
    if area is None:
        raise NotFound(_("This community has no area with this name."))
    return area


def own_skill_get(*, community: Community, slug: str) -> Skill:
    """A skill the community added itself (not a shared one), by its slug."""
    skill = Skill.objects.filter(community=community, slug=slug).select_related("community").first()
    if skill is None:
        raise NotFound(_("This community has added no skill with this name."))
    return skill


def skill_list(*, community: Community | None) -> QuerySet[Skill]:
    q = Q(community__isnull=True)
    if community is not None:
        q |= Q(community=community)
    return Skill.objects.filter(q).order_by("category", "name")


def community_member_count(*, community: Community) -> int:
    return Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE).count()


def call_list(*, viewer: User, community: Community) -> QuerySet[Membership]:
    """Active members as a caller phones them: by area, then name (phones via sensitive_read)."""
    require(viewer, "calllist.view", community)
    return (
        Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
        .exclude(user=viewer)
        .select_related("user__profile", "service_area")
        .order_by("service_area__name", "user__profile__display_name", "id")
    )


def custom_role_list(*, community: Community, viewer: User | None = None) -> QuerySet[CustomRole]:
    """The community's own roles; when `viewer` is given, only members may see them."""
    if viewer is not None:
        require(viewer, "community.view", community)
    return CustomRole.objects.filter(community=community).order_by("name")
