"""Trust reads: my trust, a member's level, the coordinators' overview and concern queue."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from mutua.communities.models import Community, Membership
from mutua.core.errors import NotFound
from mutua.core.permissions import can, membership_of, require
from mutua.people.models import User
from mutua.trust import engine
from mutua.trust.models import Concern, TrustScore, TrustSettings, Verification, Vouch
from mutua.trust.recompute import settings_of
from mutua.trust.services import (
    GATE_WORDS,
    GATES,
    gates_active,
    trust_gate_refusals,
    trust_level_of,
)

LEVEL_WORDS = {
    engine.NEW: gettext_lazy("New here"),
    engine.KNOWN: gettext_lazy("Known"),
    engine.TRUSTED: gettext_lazy("Trusted"),
}


def explain(evidence: dict, *, for_self: bool = False) -> str:
    """Evidence in words ("vouched for by A and B; 12 commitments kept; …").

    Coordinators read everything, missed commitments too, in plain facts. With `for_self` the
    member reads their own evidence, with the same facts said kindly and what helps next time.
    """
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
    kept, late = int(evidence.get("kept", 0)), int(evidence.get("late", 0))
    if kept:
        text = ngettext("%(n)d commitment kept", "%(n)d commitments kept", kept) % {"n": kept}
        if late and for_self:
            text += " " + ngettext(
                "(%(n)d a little later than planned)", "(%(n)d a little later than planned)", late
            ) % {"n": late}
        elif late:
            text += " " + ngettext("(%(n)d of them late)", "(%(n)d of them late)", late) % {
                "n": late
            }
        parts.append(text)
    missed = int(evidence.get("no_show", 0))
    if missed:
        parts.append(
            ngettext("%(n)d commitment missed", "%(n)d commitments missed", missed) % {"n": missed}
        )
    short = int(evidence.get("short_notice", 0))
    if short:
        parts.append(
            ngettext(
                "%(n)d task given back less than a day ahead",
                "%(n)d tasks given back less than a day ahead",
                short,
            )
            % {"n": short}
        )
    if evidence.get("met_in_person"):
        parts.append(_("met a coordinator in person"))
    if not parts:
        return _("No vouches or kept commitments yet.")
    text = "; ".join(parts) + "."
    if for_self and (missed or short):
        text += " " + _(
            "Plans change for everyone. If you cannot make it, giving the task back a day "
            "ahead costs you nothing."
        )
    return text


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
    refusals = trust_gate_refusals(viewer, community)
    active = gates_active(community)
    result = MyTrust(
        level=level,
        level_label=str(LEVEL_WORDS[level]),
        explanation=explain(score.explanation if score else {}, for_self=True),
        gates_active=active,
        vouches_given=list(
            Vouch.objects.filter(
                community=community, voucher=viewer, revoked_at__isnull=True
            ).select_related("vouchee__profile")
        ),
    )
    for gate, needed in GATES.items():  # the same rule the services enforce
        if not refusals[gate]:
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
    gates_enabled: bool = True


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
    conf = settings_of(community)
    return Overview(
        counts=counts,
        computed_at=conf.computed_at,
        gates_enabled=conf.gates_enabled,
        rows=[(s.membership, str(LEVEL_WORDS[s.level]), explain(s.explanation)) for s in scores],
    )


def concern_queue(*, viewer: User, community: Community, status: str = "open") -> QuerySet[Concern]:
    """Concerns for those who review them; never those about the viewer (others review them)."""
    require(viewer, "safeguarding.review", community)
    qs = Concern.objects.filter(community=community).exclude(about=viewer)
    if status:
        qs = qs.filter(status=status)
    here = Membership.objects.filter(community=community)
    return qs.select_related(
        "reporter__profile", "about__profile", "reviewed_by__profile"
    ).annotate(  # the members' ids here, so a coordinator can open them (no query per row)
        reporter_member=Subquery(here.filter(user=OuterRef("reporter")).values("public_id")[:1]),
        about_member=Subquery(here.filter(user=OuterRef("about")).values("public_id")[:1]),
    )


def concern_get(*, viewer: User, community: Community, public_id: str) -> Concern:
    require(viewer, "safeguarding.review", community)
    concern = (
        Concern.objects.filter(community=community, public_id=public_id)
        .exclude(about=viewer)
        .first()
    )
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


def trust_member_list(
    *, viewer: User, community: Community, level: str | None = None
) -> QuerySet[Membership]:
    """Coordinators: each active member with their score row (level and evidence, in one query).

    Rows carry `met_in_person`. Levels and explanations only: raw scores never leave trust.
    """
    require(viewer, "trust.manage", community)
    qs = (
        Membership.objects.filter(community=community, status="active")
        .select_related("user__profile", "trust_score")
        .annotate(
            met_in_person=Exists(
                Verification.objects.filter(
                    community=community, user=OuterRef("user"), revoked_at__isnull=True
                )
            )
        )
    )
    if level == engine.NEW:  # never computed counts as new
        qs = qs.filter(Q(trust_score__isnull=True) | Q(trust_score__level=engine.NEW))
        qs = qs.exclude(role="steward")
    elif level == engine.TRUSTED:
        qs = qs.filter(Q(trust_score__level=engine.TRUSTED) | Q(role="steward"))
    elif level:
        qs = qs.filter(trust_score__level=level).exclude(role="steward")
    return qs


def member_trust_row(membership: Membership) -> dict:
    """One row of `trust_member_list` as coordinators read it (on the web and the API)."""
    score = getattr(membership, "trust_score", None)
    level = engine.TRUSTED if membership.role == "steward" else (score.level if score else "new")
    return {
        "member": membership.public_id,
        "name": str(membership.user),
        "level": level,
        "level_label": str(LEVEL_WORDS[level]),
        "explanation": explain(score.explanation if score else {}),
        "met_in_person": bool(getattr(membership, "met_in_person", False)),
    }


def is_met_in_person(*, community: Community, user: User) -> bool:
    return Verification.objects.filter(
        community=community, user=user, revoked_at__isnull=True
    ).exists()


@dataclass
class SettingsView:
    settings: TrustSettings
    may_set_scoring: bool  # stewards; coordinators set the gates and the vouch limit


def trust_settings_get(*, viewer: User, community: Community) -> SettingsView:
    """The community's trust settings, for coordinators and stewards."""
    require(viewer, "trust.manage", community)
    community.__dict__.pop("_trust_settings", None)
    return SettingsView(settings_of(community), can(viewer, "community.edit", community))
