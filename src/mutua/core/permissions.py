"""The one place that answers "may this person do this, here?".

Services call `require()`, pages and API call `can()` to decide what to show. The role matrix
below is written out in docs/architecture.md; keep the two in step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from mutua.core.errors import PermissionDenied

if TYPE_CHECKING:
    from mutua.communities.models import Community, Membership
    from mutua.people.models import User

MEMBER, CALLER, COORDINATOR, STEWARD = "member", "caller", "coordinator", "steward"
RANK = {MEMBER: 0, CALLER: 1, COORDINATOR: 2, STEWARD: 3}

# action -> lowest built-in role that may do it (roles are ordered: a steward may do it all).
MATRIX: dict[str, str] = {
    "community.view": MEMBER,
    "directory.view": MEMBER,
    "audit.read": MEMBER,
    "calllist.view": CALLER,
    "sensitive.read_phone": CALLER,
    "member.invite": COORDINATOR,
    "application.decide": COORDINATOR,
    "member.remove": COORDINATOR,
    "member.set_caller": COORDINATOR,
    "member.set_attributes": COORDINATOR,
    "member.set_location": COORDINATOR,
    "area.manage": COORDINATOR,
    "skill.manage": COORDINATOR,
    "audit.read_safeguarding": COORDINATOR,
    "sensitive.read": COORDINATOR,
    "exchange.coordinate": COORDINATOR,
    "care.coordinate": COORDINATOR,
    "trust.manage": COORDINATOR,
    "safeguarding.review": COORDINATOR,
    "ledger.use": MEMBER,
    "ledger.coordinate": COORDINATOR,
    "ledger.configure": STEWARD,
    "community.edit": STEWARD,
    "member.change_role": STEWARD,
    "role.manage": STEWARD,
}

# What a custom role may add: everything short of the steward's powers over the community.
GRANTABLE = sorted(a for a, r in MATRIX.items() if RANK[r] <= RANK[COORDINATOR])
STAFF_ACTIONS = frozenset(a for a, r in MATRIX.items() if RANK[r] >= RANK[COORDINATOR])


def membership_of(user: User | None, community: Community) -> Membership | None:
    """The user's active membership, memoised on the user object for the request."""
    if user is None or not user.is_authenticated:
        return None
    cache: dict[int, Membership | None] = user.__dict__.setdefault("_mutua_memberships", {})
    if community.pk not in cache:
        from mutua.communities.models import Membership, MembershipStatus

        cache[community.pk] = (
            Membership.objects.filter(
                community=community, user=user, status=MembershipStatus.ACTIVE
            )
            .prefetch_related("custom_roles")
            .first()
        )
    return cache[community.pk]


def forget_memberships(user: User) -> None:
    user.__dict__.pop("_mutua_memberships", None)


def has_mfa(user: User) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


def _role_allows(membership: Membership, action: str) -> bool:
    needed = MATRIX.get(action)
    if needed is None:
        raise KeyError(f"unknown action {action!r}")
    if RANK[membership.role] >= RANK[needed]:
        return True
    return any(
        action in (cr.permissions or []) and action in GRANTABLE
        for cr in membership.custom_roles.all()
    )


def can(user: User | None, action: str, community: Community) -> bool:
    membership = membership_of(user, community)
    if membership is None:
        return False
    if not _role_allows(membership, action):
        return False
    needs_mfa = action in STAFF_ACTIONS and community.require_mfa_for_staff
    return not needs_mfa or has_mfa(membership.user)


def require(user: User | None, action: str, community: Community) -> Membership:
    """Return the actor's membership, or raise PermissionDenied with a reason in words."""
    membership = membership_of(user, community)
    if membership is None:
        raise PermissionDenied(_("You are not a member of this community."))
    if not _role_allows(membership, action):
        raise PermissionDenied(_("Your role in this community does not allow this."))
    if action in STAFF_ACTIONS and community.require_mfa_for_staff and not has_mfa(membership.user):
        raise PermissionDenied(
            _("This community asks coordinators to use two-factor sign-in. Set it up first.")
        )
    return membership


# ---- Sensitive details ------------------------------------------------------------------
# Later apps register a rule such as "the helper assigned to an active task for this person".
SensitiveRule = Callable[["User", "User"], bool]
SENSITIVE_ACCESS_RULES: list[SensitiveRule] = []


def register_sensitive_rule(rule: SensitiveRule) -> SensitiveRule:
    SENSITIVE_ACCESS_RULES.append(rule)
    return rule


def sensitive_grant(
    viewer: User | None, person: User, community: Community | None = None
) -> tuple[str, Community | None]:
    """How much of `person`'s details `viewer` sees, and in which community that was granted.

    With `community`, only the viewer's powers there count (the read is logged there); without
    it, the community that grants the most. Levels: 'all', 'phone' (callers) or 'none'.
    """
    if viewer is None or not viewer.is_authenticated:
        return "none", None
    if viewer.pk == person.pk:
        return "all", community
    from mutua.communities.models import Membership, MembershipStatus

    if community is not None:
        best = "none"
        if Membership.objects.filter(
            community=community, user=person, status=MembershipStatus.ACTIVE
        ).exists():
            if can(viewer, "sensitive.read", community):
                return "all", community
            if can(viewer, "sensitive.read_phone", community):
                best = "phone"
        if any(rule(viewer, person) for rule in SENSITIVE_ACCESS_RULES):
            return "all", community
        return best, community
    shared = (
        Membership.objects.filter(
            user=person,
            status=MembershipStatus.ACTIVE,
            community__memberships__user=viewer,
            community__memberships__status=MembershipStatus.ACTIVE,
        )
        .select_related("community")
        .order_by("created_at", "id")
        .distinct()
    )
    phone_in: Community | None = None
    first: Community | None = None
    for m in shared:
        first = first or m.community
        if can(viewer, "sensitive.read", m.community):
            return "all", m.community
        if phone_in is None and can(viewer, "sensitive.read_phone", m.community):
            phone_in = m.community
    if any(rule(viewer, person) for rule in SENSITIVE_ACCESS_RULES):
        return "all", phone_in or first
    return ("phone", phone_in) if phone_in is not None else ("none", None)


def sensitive_access(viewer: User | None, person: User, community: Community | None = None) -> str:
    """How much of `person`'s details `viewer` sees: 'all', 'phone' (callers) or 'none'."""
    return sensitive_grant(viewer, person, community)[0]
