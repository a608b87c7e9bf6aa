"""What the exchange services share: settings, who may act, who fits a need, need status."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community, Membership, MembershipStatus
from mutua.core.audit import audit_record
from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.permissions import can, membership_of, require
from mutua.exchange.models import (
    ACTIVE_COMMITMENT,
    LIVE_NEED_STATUSES,
    ExchangeSettings,
    Need,
)
from mutua.people.models import Profile, User

COORDINATE = "exchange.coordinate"


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def settings_for(community: Community) -> ExchangeSettings:
    cached = community.__dict__.get("_exchange_settings")
    if cached is None:
        cached, _created = ExchangeSettings.objects.get_or_create(community=community)
        community.__dict__["_exchange_settings"] = cached
    return cached


def is_coordinator(user: User | None, community: Community) -> bool:
    return can(user, COORDINATE, community)


def coordinators_of(community: Community) -> list[User]:
    """Active members who coordinate the exchange: coordinators, stewards, and holders of a
    custom role granting its coordinators' powers (one query with the roles prefetched)."""
    memberships = (
        Membership.objects.filter(community=community, status=MembershipStatus.ACTIVE)
        .filter(Q(role__in=("coordinator", "steward")) | Q(custom_roles__isnull=False))
        .select_related("user")
        .prefetch_related("custom_roles")
        .distinct()
        .order_by("pk")
    )
    return [
        m.user
        for m in memberships
        if m.role in ("coordinator", "steward")
        or any(COORDINATE in (role.permissions or []) for role in m.custom_roles.all())
    ]


def person_side(need: Need) -> User | None:
    """Who speaks for the person in need: the author, or the coordinator who is the contact."""
    return need.author or need.contact or need.posted_by


def is_person(user: User, need: Need) -> bool:
    return user.pk is not None and user.pk in (need.author_id, need.contact_id) and bool(user.pk)


def acts_for_another(actor: User, need: Need, helper_id: int | None = None) -> bool:
    """True when `actor` is neither the person helped nor the helper: a coordinator (or the
    coordinator who is the contact of a need posted on someone's behalf) acting for them."""
    return actor.pk not in (need.author_id, helper_id)


def audit_for_another(
    *,
    actor: User,
    action: str,
    need: Need,
    subject: User | None = None,
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    """One audit entry for what a coordinator did on someone else's behalf about a need (members
    read it: ids and numbers only, never free text)."""
    audit_record(
        actor=actor,
        action=action,
        community=need.community,
        target=need,
        subject=subject,
        before=before,
        after=after,
    )


def require_person_or_coordinator(user: User, need: Need) -> None:
    require(user, "community.view", need.community)
    if need.author_id == user.pk or is_coordinator(user, need.community):
        return
    if need.contact_id == user.pk:
        return
    raise PermissionDenied(_("Only the person who asked, or a coordinator, can do this."))


def refusal_for_helper(need: Need, helper: User, *, today: dt.date | None = None) -> str:
    """Why `helper` cannot take this need, in words, or "" when they can.

    The one check behind responding, taking a place, being assigned and answering a link.
    """
    membership = membership_of(helper, need.community)
    if membership is None:
        return _("Only members of this community can help with its needs.")
    if need.author_id == helper.pk:
        return _("This is your own need.")
    from mutua.trust.safeguarding import is_blocked  # blocks keep two people apart

    if need.author_id and is_blocked(helper, need.author_id):
        return _("This helper cannot be matched with this person. Please choose someone else.")
    profile = Profile.objects.filter(user=helper).first()
    today = today or timezone.localdate()
    if profile is not None and profile.is_on_break(today):
        return _("You are taking a break. Change your status on your profile to help again.")
    reason = requirement_refusal(need, membership, profile, today)
    if reason:
        return reason
    from mutua.trust.services import trust_refusal_for_need  # trust gate: home address

    return trust_refusal_for_need(need, helper)


def requirement_refusal(
    need: Need, membership: Membership, profile: Profile | None, today: dt.date
) -> str:
    """The first requirement of the need the helper does not meet, in words, or "".

    Gender is self-described on the profile and never shown: the words do not say which
    gender the need asks for.
    """
    reqs = set(need.requirements or [])
    if "vetted" in reqs and not (membership.vetted_until and membership.vetted_until >= today):
        return _("This need asks for a vetted helper.")
    if "car" in reqs and not (profile and profile.has_car):
        return _("This need asks for a helper with a car.")
    if "accessible_vehicle" in reqs and not (profile and profile.has_accessible_vehicle):
        return _("This need asks for a helper with a wheelchair-accessible vehicle.")
    if "same_gender" in reqs and not (
        need.gender_wanted and profile is not None and profile.gender == need.gender_wanted
    ):
        return _("This need is personal care and asks for a helper of the same gender.")
    if "no_pets" in reqs and (profile is None or profile.has_pets):
        return _("This need asks for a helper without pets at home.")
    return ""


def require_fits(need: Need, helper: User) -> None:
    reason = refusal_for_helper(need, helper)
    if reason:
        raise PermissionDenied(reason)


def places_taken(need: Need) -> int:
    return need.commitments.filter(status__in=("active", "done_pending", "confirmed")).count()


def refresh_need_status(need: Need) -> None:
    """Derive a live need's status from its commitments (call with the need row locked)."""
    if need.status not in LIVE_NEED_STATUSES:
        return
    counts = need.commitments.aggregate(
        active=Count("id", filter=Q(status="active")),
        pending=Count("id", filter=Q(status="done_pending")),
        confirmed=Count("id", filter=Q(status="confirmed")),
    )
    taken = counts["active"] + counts["pending"] + counts["confirmed"]
    # Places decide whether others may still help: a need with free places stays open to
    # them, whatever its first helpers have already done.
    if counts["confirmed"] >= need.helpers_wanted and counts["active"] + counts["pending"] == 0:
        status = "done"
    elif taken >= need.helpers_wanted:
        status = "in_progress" if counts["pending"] or counts["confirmed"] else "committed"
    elif taken:
        status = "partly_committed"
    else:
        status = "open"
    if status != need.status:
        need.status = status
        need.status_changed_at = timezone.now()
        need.save(update_fields=["status", "status_changed_at", "updated_at"])


def need_context(need: Need) -> dict:
    """JSON-safe context for notifications about a need (never sensitive fields)."""
    return {
        "need_id": need.public_id,
        "need_title": need.title,
        "community_name": need.community.name,
        "community_slug": need.community.slug,
        "url": f"/c/{need.community.slug}/needs/{need.public_id}/",
    }


ACTIVE = ACTIVE_COMMITMENT


def membership_fits(
    membership: Membership,
    need: Need,
    today: dt.date,
    blocked: frozenset[tuple[int, int]] | set[tuple[int, int]] = frozenset(),
) -> bool:
    """`refusal_for_helper` on rows already loaded (membership with user__profile, and the
    blocked pairs of the page): the picker filters a whole community in Python without a query
    per member and need."""
    if membership.user_id == need.author_id:
        return False
    if need.author_id and (membership.user_id, need.author_id) in blocked:
        return False
    profile = getattr(membership.user, "profile", None)
    if profile is not None and profile.is_on_break(today):
        return False
    return not requirement_refusal(need, membership, profile, today)
