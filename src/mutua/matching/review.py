"""Review of a draft dispatch plan beyond approve or discard: a coordinator takes one proposed
helper off the plan, or swaps them for another who fits that need. The hard rules, capacity
(open tasks, waiting asks and what this plan already proposes) and times are checked again."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, ValidationFailed
from mutua.core.permissions import require
from mutua.matching import arrays
from mutua.matching.arrays import local_span
from mutua.matching.explanations import REMOVED
from mutua.matching.live import limit_of, loads_of
from mutua.matching.models import DispatchPlan, PlanAssignment
from mutua.matching.selectors import COORDINATE, candidate_of
from mutua.people.models import User


def _draft_row(actor: User, row: PlanAssignment) -> tuple[DispatchPlan, PlanAssignment]:
    """The plan (locked, still a draft) and the row as it is now, still proposed."""
    require(actor, COORDINATE, row.plan.community)
    plan = DispatchPlan.objects.select_for_update().select_related("community").get(pk=row.plan_id)
    if plan.status != "draft":
        raise Conflict(_("This plan has already been reviewed."))
    current = (
        PlanAssignment.objects.select_related("need__community", "helper")
        .filter(pk=row.pk, plan=plan, status="proposed")
        .first()
    )
    if current is None:
        raise Conflict(_("This proposed helper is no longer in the plan."))
    return plan, current


def _refuse(message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={"helper": [message]})


@transaction.atomic
def plan_assignment_remove(*, actor: User, assignment: PlanAssignment) -> DispatchPlan:
    """A coordinator takes one proposed helper off a draft plan; the need shows a place short."""
    plan, row = _draft_row(actor, assignment)
    need = row.need
    before = {"need": need.public_id, "helper": row.helper.public_id}
    row.delete()
    unmet = [dict(u) for u in plan.unmet]
    for u in unmet:
        if u.get("need") == need.public_id:
            u["missing"] = int(u.get("missing", 0)) + 1
            break
    else:
        unmet.append({"need": need.public_id, "title": need.title, "missing": 1, "reason": REMOVED})
    plan.unmet = unmet
    plan.save(update_fields=["unmet", "updated_at"])
    audit_record(
        actor=actor,
        action="matching.plan_remove",
        community=plan.community,
        target=plan,
        before=before,
        after={},
    )
    return plan


@transaction.atomic
def plan_assignment_swap(
    *, actor: User, assignment: PlanAssignment, helper: User
) -> PlanAssignment:
    """A coordinator proposes another helper for the same need in a draft plan: one who passes
    every hard rule now, has room for it beside what the plan already proposes for them, and
    is not proposed for another need at an overlapping time."""
    plan, row = _draft_row(actor, assignment)
    if helper.pk == row.helper_id:
        raise _refuse(_("This helper is already proposed here."))
    theirs = list(
        PlanAssignment.objects.filter(plan=plan, helper=helper, status="proposed").select_related(
            "need"
        )
    )
    if any(r.need_id == row.need_id for r in theirs):
        raise _refuse(_("This helper is already proposed for this need."))
    capacity = arrays.settings_for(plan.community).capacity
    match = candidate_of(row.need, helper.pk, capacity=capacity)
    if match is None:
        raise _refuse(
            _("This helper cannot take this need now (a skill, the place, the time or a rule).")
        )
    load = loads_of([helper.pk]).get(helper.pk, 0) + len(theirs)
    if load >= limit_of(getattr(match.user, "profile", None), capacity):
        raise _refuse(_("This helper already has as much as they can take on, counting this plan."))
    if _clashes(row.need, [r.need for r in theirs], plan.community.time_zone):
        raise _refuse(_("This plan already proposes this helper for another need at that time."))
    before = {"helper": row.helper.public_id, "cost": row.cost}
    row.helper, row.cost, row.terms = match.user, match.cost, match.terms
    row.save(update_fields=["helper", "cost", "terms", "updated_at"])
    audit_record(
        actor=actor,
        action="matching.plan_swap",
        community=plan.community,
        target=plan,
        before={"need": row.need.public_id, **before},
        after={"helper": helper.public_id, "cost": row.cost},
    )
    return row


def _clashes(need, others, tz: str) -> bool:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz or "UTC")
    mine = local_span(need.starts_at, need.ends_at, zone)
    if mine is None:
        return False
    for other in others:
        span = local_span(other.starts_at, other.ends_at, zone)
        if span is not None and span[0] < mine[1] and mine[0] < span[1]:
            return True
    return False
