"""Trust writes and the gates: vouches, in-person verification, recompute, levels.

Gates other apps call: `trust_level_of(user, community)`, `trust_gate_refusal(user, community,
gate)` and `trust_gate_require(user, community, gate)`. Apps whose evidence changed call
`trust_recompute_soon(community=...)` (debounced: a burst shares one recompute). Apps that must
react when a level changes (care circles flag a contact who falls below their gate) register
`register_level_change_handler(fn)`;
`fn(membership, old_level, new_level)` is called after each recompute has been written.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutua.communities.models import Community
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mutua.core.permissions import membership_of, require
from mutua.people.models import User
from mutua.trust import engine
from mutua.trust.models import TrustScore, TrustSettings, Verification, Vouch
from mutua.trust.recompute import (  # noqa: F401 - part of this module's interface
    register_level_change_handler,
    settings_of,
    trust_recompute,
)
from mutua.trust.safeguarding import is_blocked
from mutua.trust.stale import trust_recompute_soon

# What each gate asks for. Communities can raise or lower them in TrustSettings later.
GATES: dict[str, str] = {
    "care_circle": engine.KNOWN,
    "private_task": engine.KNOWN,
    "auto_confirm": engine.TRUSTED,
    "vouch": engine.KNOWN,
    "coordinator": engine.TRUSTED,
}
# Lazy: read in the language of each request, not of the process that imported this module.
GATE_WORDS = {
    "care_circle": gettext_lazy("join a care circle"),
    "private_task": gettext_lazy("help with a task that shows a home address"),
    "auto_confirm": gettext_lazy("have your help confirmed automatically"),
    "vouch": gettext_lazy("vouch for other members"),
    "coordinator": gettext_lazy("be proposed as a coordinator"),
}


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


# ---- Levels and gates ------------------------------------------------------------------
def trust_level_of(user: User | None, community: Community) -> str:
    """'new', 'known' or 'trusted'; stewards are the seeds of trust and always trusted."""
    membership = membership_of(user, community)
    if membership is None:
        return engine.NEW
    if membership.role == "steward":
        return engine.TRUSTED
    score = TrustScore.objects.filter(membership=membership).only("level").first()
    return score.level if score else engine.NEW


def gates_active(community: Community) -> bool:
    """Gates apply once trust has been computed here: before that nobody has a level."""
    row = TrustSettings.objects.filter(community=community).only("gates_enabled", "computed_at")
    found = row.first()
    return bool(found and found.gates_enabled and found.computed_at)


def _refusal(gate: str, level: str, active: bool) -> str:
    needed = GATES[gate]
    if not active or engine.LEVEL_RANK[level] >= engine.LEVEL_RANK[needed]:
        return ""
    if needed == engine.TRUSTED:
        return _(
            "To %(what)s, a member needs to be trusted here. Trust grows as you keep "
            "commitments and as members who know you vouch for you."
        ) % {"what": GATE_WORDS[gate]}
    return _(
        "To %(what)s, a member needs to be known here. Ask a member who knows you to vouch "
        "for you, or help with a task first."
    ) % {"what": GATE_WORDS[gate]}


def trust_gate_refusal(user: User | None, community: Community, gate: str) -> str:
    """Why `user` may not pass `gate` here, in words, or "" when they may."""
    if gate not in GATES:  # a programming error, whether or not gates are on
        raise KeyError(gate)
    if not gates_active(community):
        return ""
    return _refusal(gate, trust_level_of(user, community), True)


def trust_gate_refusals(user: User | None, community: Community) -> dict[str, str]:
    """Every gate at once ({gate: reason or ""}), in two queries, for pages that list them."""
    active = gates_active(community)
    level = trust_level_of(user, community) if active else engine.NEW
    return {gate: _refusal(gate, level, active) for gate in GATES}


def trust_gate_require(user: User | None, community: Community, gate: str) -> None:
    reason = trust_gate_refusal(user, community, gate)
    if reason:
        raise PermissionDenied(reason)


def trust_refusal_for_need(need, helper: User) -> str:
    """The exchange asks this before a helper takes a need that has private details."""
    if need.pk is None:
        return ""
    from mutua.exchange.models import NeedPrivate

    has_private = (
        NeedPrivate.objects.filter(need_id=need.pk)
        .filter(~Q(address="") | ~Q(access_notes="") | ~Q(contact_phone=""))
        .exists()
    )
    return trust_gate_refusal(helper, need.community, "private_task") if has_private else ""


# ---- Vouches and verification -----------------------------------------------------------
def _recompute_on_commit(community: Community) -> None:
    trust_recompute_soon(community=community)


@transaction.atomic
def vouch_create(*, voucher: User, vouchee: User, community: Community, note: str = "") -> Vouch:
    """A member with standing vouches for another member, within a monthly limit."""
    require(voucher, "community.view", community)
    note = (note or "").strip()
    if len(note) > 300:
        raise _invalid("note", _("Please use at most 300 characters."))
    if voucher.pk == vouchee.pk:
        raise _invalid("vouchee", _("You cannot vouch for yourself."))
    if membership_of(vouchee, community) is None:
        raise NotFound(_("This person is not a member of this community."))
    if is_blocked(voucher, vouchee):  # either direction; the words do not say who blocked
        raise PermissionDenied(_("You cannot vouch for this member."))
    trust_gate_require(voucher, community, "vouch")
    limit = settings_of(community).vouch_monthly_limit
    since = timezone.now() - dt.timedelta(days=30)
    # Revoked vouches count too, so revoking and vouching again cannot bypass the limit.
    if (
        Vouch.objects.filter(community=community, voucher=voucher, created_at__gte=since).count()
        >= limit
    ):
        raise Conflict(
            _("You can vouch for up to %(n)d people a month. Please try again later.")
            % {"n": limit}
        )
    if Vouch.objects.filter(
        community=community, voucher=voucher, vouchee=vouchee, revoked_at__isnull=True
    ).exists():
        raise Conflict(_("You already vouch for this person."))
    vouch = Vouch.objects.create(community=community, voucher=voucher, vouchee=vouchee, note=note)
    _recompute_on_commit(community)
    return vouch


@transaction.atomic
def vouch_revoke(*, actor: User, vouch: Vouch) -> Vouch:
    """The voucher (or a coordinator) withdraws a vouch; levels follow at the next recompute."""
    vouch = Vouch.objects.select_for_update().select_related("community").get(pk=vouch.pk)
    if actor.pk != vouch.voucher_id:
        require(actor, "trust.manage", vouch.community)
    if vouch.revoked_at:
        return vouch
    vouch.revoked_at = timezone.now()
    vouch.save(update_fields=["revoked_at", "updated_at"])
    if actor.pk != vouch.voucher_id:
        audit_record(
            actor=actor,
            action="trust.vouch_revoke",
            community=vouch.community,
            target=vouch,
            subject=vouch.vouchee,
        )
    _recompute_on_commit(vouch.community)
    return vouch


@transaction.atomic
def verification_set(
    *, actor: User, community: Community, user: User, met_in_person: bool
) -> Verification | None:
    """A coordinator records (or withdraws) that they met the member in person."""
    require(actor, "trust.manage", community)
    if membership_of(user, community) is None:
        raise NotFound(_("This person is not a member of this community."))
    if actor.pk == user.pk:
        raise PermissionDenied(_("Another coordinator records meeting you in person."))
    live = Verification.objects.filter(community=community, user=user, revoked_at__isnull=True)
    current = live.first()
    if met_in_person and current is None:
        current = Verification.objects.create(community=community, user=user, verified_by=actor)
    elif not met_in_person and current is not None:
        current.revoked_at = timezone.now()
        current.save(update_fields=["revoked_at", "updated_at"])
    else:
        return current
    audit_record(
        actor=actor,
        action="trust.met_in_person",
        community=community,
        target=current,
        subject=user,
        after={"met_in_person": met_in_person},
    )
    _recompute_on_commit(community)
    return current if met_in_person else None


def trust_recompute_request(*, actor: User, community: Community) -> int:
    """A coordinator asks for every score to be computed now."""
    require(actor, "trust.manage", community)
    return trust_recompute(community)
