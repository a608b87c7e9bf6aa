"""Trust reads: my trust, a member's level, the coordinators' overview and concern queue."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mutua.communities.models import Community, Membership
from mutua.core.errors import NotFound
from mutua.core.permissions import membership_of, require
from mutua.people.models import User
from mutua.trust import engine
from mutua.trust.models import Concern, TrustScore, Vouch
from mutua.trust.services import GATE_WORDS, GATES, gates_active, trust_level_of

LEVEL_WORDS = {
    engine.NEW: _("New here"),
    engine.KNOWN: _("Known"),
    engine.TRUSTED: _("Trusted"),
}


def explain(evidence: dict) -> str:
    """Evidence in words, for the member and coordinators ("vouched for by A and B; …")."""
    parts: list[str] = []
    if evidence.get("steward"):
        parts.append(_("a steward of this community"))
    names = [n for n in evidence.get("vouchers", []) if n]
    vouches = int(evidence.get("vouches", 0))
    if names:
        shown = ", ".join(names)
        extra = vouches - len(names)
        if extra > 0:
            parts.append(
                ngettext(
                    "vouched for by %(names)s and %(n)d more",
                    "vouched for by %(names)s and %(n)d more",
                    extra,
                )
                % {"names": shown, "n": extra}
            )
        else:
            parts.append(_("vouched for by %(names)s") % {"names": shown})
    kept = int(evidence.get("kept", 0))
    if kept:
        parts.append(
            ngettext("%(n)d commitment kept", "%(n)d commitments kept", kept) % {"n": kept}
        )
    if evidence.get("met_in_person"):
        parts.append(_("met a coordinator in person"))
    if not parts:
        return _("No vouches or kept commitments yet.")
    return "; ".join(parts) + "."


@dataclass
class MyTrust:
    level: str
    level_label: str
    explanation: str
    can: list[str] = field(default_factory=list)
    cannot: list[tuple[str, str]] = field(default_factory=list)
    vouches_given: list[Vouch] = field(default_factory=list)
    gates_active: bool = True


def my_trust(*, viewer: User, community: Community) -> MyTrust:
    """What I can do now and how trust grows. Never the raw score."""
    membership = require(viewer, "community.view", community)
    level = trust_level_of(viewer, community)
    score = TrustScore.objects.filter(membership=membership).first()
    active = gates_active(community)
    result = MyTrust(
        level=level,
        level_label=str(LEVEL_WORDS[level]),
        explanation=explain(score.explanation) if score else explain({}),
        gates_active=active,
        vouches_given=list(
            Vouch.objects.filter(
                community=community, voucher=viewer, revoked_at__isnull=True
            ).select_related("vouchee__profile")
        ),
    )
    for gate, needed in GATES.items():
        if not active or engine.LEVEL_RANK[level] >= engine.LEVEL_RANK[needed]:
            result.can.append(str(GATE_WORDS[gate]))
        else:
            result.cannot.append((str(GATE_WORDS[gate]), str(LEVEL_WORDS[needed])))
    return result


def member_level(*, viewer: User | None, membership: Membership) -> str:
    """A member's level in words, for their page (members of the community only)."""
    if membership_of(viewer, membership.community) is None:
        return ""
    return str(LEVEL_WORDS[trust_level_of(membership.user, membership.community)])


@dataclass
class Overview:
    counts: dict[str, int]
    computed_at: object
    rows: list[tuple[Membership, str, str]]


def trust_overview(*, viewer: User, community: Community, limit: int = 500) -> Overview:
    """Coordinators: how many members at each level, and each member's level and evidence."""
    require(viewer, "trust.manage", community)
    counts = {lvl: 0 for lvl in engine.LEVELS}
    for row in (
        TrustScore.objects.filter(membership__community=community, membership__status="active")
        .values("level")
        .annotate(c=Count("id"))
        .order_by()
    ):
        counts[row["level"]] = row["c"]
    scores = (
        TrustScore.objects.filter(membership__community=community, membership__status="active")
        .select_related("membership__user__profile")
        .order_by("-normalised")[:limit]
    )
    from mutua.trust.recompute import settings_of

    return Overview(
        counts=counts,
        computed_at=settings_of(community).computed_at,
        rows=[(s.membership, str(LEVEL_WORDS[s.level]), explain(s.explanation)) for s in scores],
    )


def concern_queue(*, viewer: User, community: Community, status: str = "open") -> QuerySet[Concern]:
    require(viewer, "safeguarding.review", community)
    qs = Concern.objects.filter(community=community)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("reporter__profile", "about__profile", "reviewed_by__profile")


def concern_get(*, viewer: User, community: Community, public_id: str) -> Concern:
    require(viewer, "safeguarding.review", community)
    concern = Concern.objects.filter(community=community, public_id=public_id).first()
    if concern is None:
        raise NotFound(_("This concern was not found."))
    return concern


def suspended_list(*, viewer: User, community: Community) -> QuerySet[Membership]:
    """Coordinators reviewing concerns: who is suspended here, so they can lift it."""
    require(viewer, "safeguarding.review", community)
    return (
        Membership.objects.filter(community=community, status="suspended")
        .select_related("user__profile")
        .order_by("updated_at")
    )
