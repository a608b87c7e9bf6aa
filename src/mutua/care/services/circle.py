"""Care circles. A contact is relied on only once accepted; one who declines, leaves or can no
longer serve is kept visible and the plan is flagged to coordinators until it is mended."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from mutua.care import flags
from mutua.care import notifications as kinds
from mutua.care.models import CarePlan, CircleContact
from mutua.care.services.common import context, invalid, is_active_member, now_or
from mutua.care.services.plans import _require_manage
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, PermissionDenied
from mutua.people.models import User
from mutua.trust.safeguarding import is_blocked

BROKEN = ("declined", "left", "ineligible")
BLOCKED_MESSAGE = gettext_lazy("This member cannot be in this care circle.")


def _next_order(plan: CarePlan) -> int:
    top = CircleContact.objects.filter(plan=plan).aggregate(m=Max("order"))["m"]
    return 0 if top is None else top + 1


def _contacts_below_trust(plan: CarePlan) -> list[int]:
    """Accepted member contacts whose trust level no longer passes the care-circle gate."""
    from mutua.trust.services import trust_gate_refusal

    members = CircleContact.objects.filter(
        plan=plan, kind="member", status="accepted"
    ).select_related("member")
    return [
        c.pk
        for c in members
        if c.member is not None and trust_gate_refusal(c.member, plan.community, "care_circle")
    ]


def plan_flag_refresh(plan: CarePlan, *, now: dt.datetime, reason: str = "") -> None:
    """Flag while any contact is broken, or the person's own number is known to be dead
    (coordinators are told by the sweep until mended)."""
    from mutua.people.services import phone_reported_wrong

    broken = CircleContact.objects.filter(plan=plan, status__in=BROKEN).exists()
    if not broken and phone_reported_wrong(plan.person):
        broken, reason = True, reason or flags.PERSON_NUMBER
    if not broken:
        below = _contacts_below_trust(plan)
        broken, reason = bool(below), (flags.TRUST if below else "")
    if broken and not plan.is_flagged:
        plan.is_flagged, plan.flag_remind_at = True, now
        plan.flag_reason = reason[:300]
    elif broken and reason:
        plan.flag_reason = reason[:300]
    elif not broken:
        plan.is_flagged, plan.flag_remind_at, plan.flag_reason = False, None, ""
    plan.save(update_fields=["is_flagged", "flag_remind_at", "flag_reason", "updated_at"])


@transaction.atomic
def circle_invite(
    *, actor: User, plan: CarePlan, member: User, now: dt.datetime | None = None
) -> CircleContact:
    """Ask a member to be in the circle; they are relied on only once they accept."""
    now = now_or(now)
    _require_manage(actor, plan.person, plan.community)
    if member.pk == plan.person_id:
        raise invalid("member", _("A person cannot be in their own circle."))
    if not is_active_member(member, plan.community):
        raise invalid("member", _("Only members of this community can be invited."))
    if is_blocked(member, plan.person_id):  # neutral words: who blocked whom stays private
        raise invalid("member", str(BLOCKED_MESSAGE))
    if CircleContact.objects.filter(
        plan=plan, member=member, status__in=("invited", "accepted")
    ).exists():
        raise Conflict(_("This member is already in the circle or invited."))
    contact = CircleContact.objects.create(
        plan=plan, order=_next_order(plan), kind="member", member=member, status="invited"
    )
    kinds.notify(
        member,
        kinds.CIRCLE_INVITE,
        # The link goes where the invitation is answered: the plan opens only once accepted.
        context(plan, url=reverse("care:mine")),
        community=plan.community,
        dedupe_key=f"care:{plan.pk}:invite:{contact.pk}",
    )
    audit_record(
        actor=actor,
        action="care.circle_invite",
        community=plan.community,
        target=plan,
        subject=member,
    )
    return contact


def _own_contact(member: User, contact: CircleContact) -> CircleContact:
    contact = (
        CircleContact.objects.select_for_update()
        .select_related("plan__community")
        .get(pk=contact.pk)
    )
    if contact.member_id != member.pk:
        raise PermissionDenied(_("This invitation is for someone else."))
    return contact


@transaction.atomic
def circle_accept(
    *, member: User, contact: CircleContact, now: dt.datetime | None = None
) -> CircleContact:
    now = now_or(now)
    contact = _own_contact(member, contact)
    if contact.status != "invited":
        raise Conflict(_("This invitation has already been answered."))
    if not is_active_member(member, contact.plan.community):
        raise PermissionDenied(_("You are not a member of this community."))
    if is_blocked(member, contact.plan.person_id):  # a block made after the invitation
        raise PermissionDenied(str(BLOCKED_MESSAGE))
    from mutua.trust.services import trust_gate_require  # a trust level gates care circles

    trust_gate_require(member, contact.plan.community, "care_circle")
    contact.status, contact.responded_at = "accepted", now
    contact.consent_recorded_at = now
    contact.save()
    return contact


@transaction.atomic
def circle_decline(
    *, member: User, contact: CircleContact, now: dt.datetime | None = None
) -> CircleContact:
    now = now_or(now)
    contact = _own_contact(member, contact)
    if contact.status != "invited":
        raise Conflict(_("This invitation has already been answered."))
    contact.status, contact.responded_at = "declined", now
    contact.save()
    plan_flag_refresh(contact.plan, now=now, reason=flags.DECLINED)
    return contact


@transaction.atomic
def circle_leave(
    *, member: User, contact: CircleContact, now: dt.datetime | None = None
) -> CircleContact:
    now = now_or(now)
    contact = _own_contact(member, contact)
    if contact.status != "accepted":
        raise Conflict(_("You are not in this circle."))
    contact.status, contact.responded_at = "left", now
    contact.save()
    plan_flag_refresh(contact.plan, now=now, reason=flags.LEFT)
    _release_hold_soon(contact.plan, member, now)
    return contact


def _release_hold_soon(plan: CarePlan, member: User, now: dt.datetime) -> None:
    """If `member` holds the plan's open alert, the next sweep passes it on (ladder: held)."""
    CarePlan.objects.filter(
        pk=plan.pk,
        state="held",
        current_alert__held_by=member,
        current_alert__resolved_at__isnull=True,
    ).update(next_due_at=now)


@transaction.atomic
def circle_add_outside(
    *,
    actor: User,
    plan: CarePlan,
    name: str,
    phone: str = "",
    email: str = "",
    consent_note: str,
    now: dt.datetime | None = None,
) -> CircleContact:
    """An outside emergency contact (no account), with how and when they agreed recorded, and
    by whom."""
    now = now_or(now)
    _require_manage(actor, plan.person, plan.community)
    if not name.strip() or not (phone.strip() or email.strip()):
        raise invalid("name", _("Give a name and a phone number or e-mail address."))
    if not consent_note.strip():
        raise invalid("consent_note", _("Record how this contact agreed to be called."))
    if len(consent_note.strip()) > 300:
        raise invalid("consent_note", _("Keep this to 300 characters or fewer."))
    if email.strip():
        try:
            validate_email(email.strip())
        except DjangoValidationError:
            raise invalid("email", _("This e-mail address does not look right.")) from None
    contact = CircleContact.objects.create(
        plan=plan,
        order=_next_order(plan),
        kind="outside",
        name=name.strip()[:120],
        phone=phone.strip()[:32],
        email=email.strip()[:254],
        consent_recorded_at=now,
        consent_note=consent_note.strip(),
        consent_recorded_by=actor,
        status="accepted",
        responded_at=now,
    )
    audit_record(
        actor=actor,
        action="care.circle_outside",
        community=plan.community,
        target=plan,
        subject=plan.person,
        after={"name": contact.name},
    )
    return contact


@transaction.atomic
def circle_add_on_call(*, actor: User, plan: CarePlan) -> CircleContact:
    """A place in the circle for whoever is the coordinator on call at that moment."""
    _require_manage(actor, plan.person, plan.community)
    if CircleContact.objects.filter(plan=plan, kind="on_call", status="accepted").exists():
        raise Conflict(_("The coordinator on call is already in this circle."))
    contact = CircleContact.objects.create(
        plan=plan, order=_next_order(plan), kind="on_call", status="accepted"
    )
    audit_record(
        actor=actor,
        action="care.circle_on_call",
        community=plan.community,
        target=plan,
        subject=plan.person,
    )
    return contact


@transaction.atomic
def circle_remove(*, actor: User, contact: CircleContact, now: dt.datetime | None = None) -> None:
    """Take a contact off the circle (how a flagged circle is mended); audit-logged."""
    now = now_or(now)
    plan = (
        CarePlan.objects.select_for_update()
        .select_related("community", "person")
        .get(pk=contact.plan_id)
    )
    _require_manage(actor, plan.person, plan.community)
    name = str(contact.member) if contact.member_id else contact.name or str(_("on call"))
    audit_record(
        actor=actor,
        action="care.circle_remove",
        community=plan.community,
        target=plan,
        subject=contact.member or plan.person,
        before={"kind": contact.kind, "status": contact.status, "name": name},
    )
    contact.delete()
    plan_flag_refresh(plan, now=now)


def contact_mark_ineligible(contact: CircleContact, *, plan: CarePlan, now: dt.datetime) -> None:
    """A member contact who is no longer an active member (or whose account is closed) stays
    visible as such, and the plan is flagged to coordinators until it is mended."""
    contact.status, contact.responded_at = "ineligible", now
    contact.save(update_fields=["status", "responded_at", "updated_at"])
    plan_flag_refresh(plan, now=now, reason=flags.INELIGIBLE)
    if contact.member_id is not None:
        _release_hold_soon(plan, contact.member, now)


def contacts_flag_below_trust(membership, old_level: str, new_level: str) -> None:
    """Trust calls this after a recompute: a contact who fell below the care-circle gate stays in
    the circle (never removed silently) and the plan is flagged for coordinators to look at."""
    from mutua.trust.engine import LEVEL_RANK
    from mutua.trust.services import GATES, gates_active

    if LEVEL_RANK[new_level] >= LEVEL_RANK[GATES["care_circle"]]:
        return  # no query for the many members whose level still passes (a flag comes down
        # at the sweep's next reminder about it, which re-checks the circle first)
    if not gates_active(membership.community):
        return
    now = now_or(None)
    reason = flags.TRUST
    plans = CarePlan.objects.filter(
        community_id=membership.community_id,
        status__in=("active", "paused"),
        contacts__member_id=membership.user_id,
        contacts__status="accepted",
    ).distinct()
    for plan in plans:
        plan.is_flagged, plan.flag_reason = True, reason[:300]
        plan.flag_remind_at = plan.flag_remind_at or now
        plan.save(update_fields=["is_flagged", "flag_remind_at", "flag_reason", "updated_at"])


def person_plans_flag_refresh(person: User) -> None:
    """After the person's phone number changed or was found dead: their live plans flagged
    or cleared to match (one per community they are looked after in)."""
    now = now_or(None)
    for plan in (
        CarePlan.objects.select_for_update(of=("self",))
        .select_related("community")
        .filter(person=person, status__in=("active", "paused"))
        .order_by("pk")
    ):
        plan.person = person
        plan_flag_refresh(plan, now=now)
