"""Safeguarding writes: blocking, private concerns, the coordinators' review, suspension."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community, Membership, MembershipStatus
from mutua.communities.services.membership import membership_ended
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, NotFound, ValidationFailed
from mutua.core.permissions import can, forget_memberships, require
from mutua.people.models import User
from mutua.trust.models import Block, Concern
from mutua.trust.stale import trust_recompute_soon


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def is_blocked(a: User | int | None, b: User | int | None) -> bool:
    """True when either person has blocked the other."""
    a_id = getattr(a, "pk", a)
    b_id = getattr(b, "pk", b)
    if not a_id or not b_id:
        return False
    return Block.objects.filter(
        Q(blocker_id=a_id, blocked_id=b_id) | Q(blocker_id=b_id, blocked_id=a_id)
    ).exists()


def blocked_ids(user: User | None) -> list[int]:
    """Everyone `user` has blocked or been blocked by (for filtering lists in one query)."""
    if user is None or not user.is_authenticated:
        return []
    pairs = Block.objects.filter(Q(blocker=user) | Q(blocked=user)).values_list(
        "blocker_id", "blocked_id"
    )
    return sorted({b if a == user.pk else a for a, b in pairs})


def not_blocked(viewer: User | None, field: str) -> Q:
    """A filter that hides rows whose `field` (a user) blocked, or was blocked by, `viewer`.

    Subqueries, so a list selector that applies it makes no extra query.
    """
    if viewer is None or not viewer.is_authenticated:
        return Q()
    return ~Q(**{f"{field}__in": Block.objects.filter(blocker=viewer).values("blocked_id")}) & ~Q(
        **{f"{field}__in": Block.objects.filter(blocked=viewer).values("blocker_id")}
    )


def block_create(*, user: User, other: User) -> Block:
    """Anyone may block anyone; neither then sees the other's needs and offers."""
    if user.pk == other.pk:
        raise _invalid("other", _("You cannot block yourself."))
    try:
        with transaction.atomic():
            return Block.objects.create(blocker=user, blocked=other)
    except IntegrityError:
        return Block.objects.get(blocker=user, blocked=other)


def block_remove(*, user: User, other: User) -> None:
    Block.objects.filter(blocker=user, blocked=other).delete()


@transaction.atomic
def concern_report(
    *, reporter: User, community: Community, text: str, about: User | None = None
) -> Concern:
    """A member tells coordinators privately about a worry; only they and the reporter see it."""
    require(reporter, "community.view", community)
    text = (text or "").strip()
    if not text:
        raise _invalid("text", _("Please say what worries you."))
    if len(text) > 4000:
        raise _invalid("text", _("Please use at most 4000 characters."))
    if (
        about is not None
        and not Membership.objects.filter(community=community, user=about).exists()
    ):
        raise NotFound(_("This person is not a member of this community."))
    concern = Concern.objects.create(community=community, reporter=reporter, about=about, text=text)
    audit_record(
        actor=reporter,
        action="safeguarding.concern",
        community=community,
        target=concern,
        subject=about,
        is_safeguarding=True,
    )
    _tell_coordinators(community, concern)
    return concern


def concern_reviewers(community: Community, concern: Concern) -> list[User]:
    """Who is told about a concern: everyone here who may review it except the person it is
    about. Stewards always may, so a concern about a coordinator reaches the stewards."""
    candidates = (
        Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
        .filter(Q(role__in=("coordinator", "steward")) | Q(custom_roles__isnull=False))
        .exclude(user_id=concern.about_id)
        .select_related("user", "community")
        .prefetch_related("custom_roles")
        .distinct()
        .order_by("id")
    )
    # `can` also asks for two-factor sign-in where the community requires it of staff.
    return [m.user for m in candidates if can(m.user, "safeguarding.review", community)]


def _tell_coordinators(community: Community, concern: Concern) -> None:
    try:
        from mutua.notify.services import notification_send
    except ImportError:  # pragma: no cover - notify is part of the product
        return
    from mutua.trust.notifications import CONCERN_NEW

    for user in concern_reviewers(community, concern):
        notification_send(
            recipient=user,
            kind=CONCERN_NEW,
            context={"community_name": community.name, "community_slug": community.slug},
            community=community,
            dedupe_key=f"concern:{concern.public_id}:{user.pk}",
        )


@transaction.atomic
def concern_review(*, actor: User, concern: Concern, outcome: str) -> Concern:
    """A coordinator records what was done about a concern (never one about themselves); the
    entry is safeguarding-only."""
    require(actor, "safeguarding.review", concern.community)
    if concern.about_id is not None and concern.about_id == actor.pk:
        # Others review a concern about you; it is not shown to you at all.
        raise NotFound(_("This concern was not found."))
    outcome = (outcome or "").strip()
    if not outcome:
        raise _invalid("outcome", _("Please note what was done."))
    concern = Concern.objects.select_for_update().get(pk=concern.pk)
    if concern.status == "reviewed":
        raise Conflict(_("This concern has already been reviewed."))
    concern.status, concern.outcome = "reviewed", outcome[:2000]
    concern.reviewed_by, concern.reviewed_at = actor, timezone.now()
    concern.save()
    audit_record(
        actor=actor,
        action="safeguarding.review",
        community=concern.community,
        target=concern,
        subject=concern.about,
        after={"status": "reviewed"},
        reason=outcome,
        is_safeguarding=True,
    )
    return concern


@transaction.atomic
def membership_suspend(*, actor: User, membership: Membership, reason: str) -> Membership:
    """Coordinators suspend a member pending review; staff are suspended only by a steward."""
    community = membership.community
    require(actor, "safeguarding.review", community)
    reason = (reason or "").strip()
    if not reason:
        raise _invalid("reason", _("Please give a reason."))
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.user_id == actor.pk:
        raise _invalid("reason", _("You cannot suspend yourself."))
    if not membership.is_active:
        raise Conflict(_("This person is not an active member."))
    if membership.role in ("coordinator", "steward"):
        require(actor, "member.change_role", community)
    membership.status = MembershipStatus.SUSPENDED
    membership.save(update_fields=["status", "updated_at"])
    forget_memberships(membership.user)
    membership_ended(user=membership.user, community=community)
    audit_record(
        actor=actor,
        action="safeguarding.suspend",
        community=community,
        target=membership,
        subject=membership.user,
        before={"status": "active"},
        after={"status": "suspended"},
        reason=reason,
        is_safeguarding=True,
    )
    # A suspended member's vouches and help stop lifting others at the next recompute, soon.
    trust_recompute_soon(community=community)
    return membership


@transaction.atomic
def membership_unsuspend(*, actor: User, membership: Membership) -> Membership:
    require(actor, "safeguarding.review", membership.community)
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.status != MembershipStatus.SUSPENDED:
        raise Conflict(_("This person is not suspended."))
    membership.status = MembershipStatus.ACTIVE
    membership.save(update_fields=["status", "updated_at"])
    forget_memberships(membership.user)
    audit_record(
        actor=actor,
        action="safeguarding.unsuspend",
        community=membership.community,
        target=membership,
        subject=membership.user,
        before={"status": "suspended"},
        after={"status": "active"},
        is_safeguarding=True,
    )
    trust_recompute_soon(community=membership.community)
    return membership
