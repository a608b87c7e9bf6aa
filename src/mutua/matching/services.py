"""Writes of matching: dispatch plans (create, approve, discard, answer, re-plan).

Helpers are asked through the exchange's own mechanism (`need_ask_helper`, signed links) and
answer through `task_accept_by_link` / `task_decline_by_link`, so a plan never bypasses the
exchange's rules; `refusal_for_helper` is checked again at the moment anyone is asked, and
capacity on live rows (asks still waiting for an answer count as load, as in planning). Proactive
suggestions are in `suggestions.py`, settings in `tuning.py`.
"""

from __future__ import annotations

import json
import secrets

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community, ServiceArea
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, DomainError, PermissionDenied
from mutua.core.ids import ALPHABET, PUBLIC_ID_LENGTH
from mutua.core.permissions import require
from mutua.exchange.models import OPEN_NEED_STATUSES, PLACE_HOLDING, Commitment, Need
from mutua.exchange.services import need_ask_helper, task_accept_by_link, task_decline_by_link
from mutua.matching import arrays, engine, solvers
from mutua.matching.explanations import ALL_ASKED, DECLINED
from mutua.matching.live import live_check, private_need_ids, waiting_asks
from mutua.matching.models import DispatchPlan, PlanAssignment
from mutua.matching.selectors import COORDINATE, rank_need, terms_of, unmet_reason_of
from mutua.people.models import User

BATCH = 2000
NEED_FIELDS = (
    "id", "public_id", "title", "helpers_wanted", "approx_lat", "approx_lon", "languages",
    "requirements", "gender_wanted", "urgency", "starts_at", "ends_at", "author_id",
    "service_area__centre_lat", "service_area__centre_lon",
)  # fmt: skip


def _open_needs(community: Community, area: ServiceArea | None) -> tuple[list[Need], dict]:
    qs = Need.objects.filter(community=community, status__in=OPEN_NEED_STATUSES, is_private=False)
    if area is not None:
        qs = qs.filter(Q(service_area=area) | Q(service_area__parent=area))
    needs = list(
        qs.select_related("service_area")
        .only(*NEED_FIELDS)
        .annotate(taken=Count("commitments", filter=Q(commitments__status__in=PLACE_HOLDING)))
        .order_by("pk")
    )
    # A place someone was asked for and has not answered yet is not planned again.
    asked = dict(
        waiting_asks()
        .filter(need__in=qs)
        .order_by()
        .values_list("need_id")
        .annotate(c=Count("id"))
        .values_list("need_id", "c")
    )
    places = {
        nd.pk: nd.helpers_wanted - nd.taken - asked.get(nd.pk, 0)  # type: ignore[attr-defined]
        for nd in needs
    }
    return [nd for nd in needs if places[nd.pk] > 0], places


def _skills_of(need_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    through = Need.skills.through
    for start in range(0, len(need_ids), 20_000):
        chunk = need_ids[start : start + 20_000]
        for need_id, skill_id in through.objects.filter(need_id__in=chunk).values_list(
            "need_id", "skill_id"
        ):
            out.setdefault(need_id, []).append(skill_id)
    return out


def dispatch_plan_create(
    *, actor: User, community: Community, area: ServiceArea | None = None
) -> DispatchPlan:
    """A coordinator asks for a plan for every open need (of an area): nothing is sent yet."""
    require(actor, COORDINATE, community)
    if area is not None and area.community_id != community.pk:
        raise PermissionDenied(_("This area belongs to another community."))
    ms = arrays.settings_for(community)
    w = arrays.weights_for(ms)
    data = arrays.community_arrays(community, fresh=True)
    needs, places = _open_needs(community, area)
    need_ids = [n.pk for n in needs]
    nd = arrays.needs_arrays(
        data,
        needs,
        _skills_of(need_ids),
        radius_km=w.radius_km,
        places=places,
        tz=community.time_zone,
        private=private_need_ids(need_ids),
    )
    result = solvers.plan(data.index, nd, w, capacity=ms.capacity)
    rows = _assignment_rows(data, nd, needs, result, w)
    unmet = [
        {
            "need": needs[j].public_id,
            "title": needs[j].title,
            "missing": missing,
            "reason": result.reasons[j],
        }
        for j, missing in sorted(result.unmet.items())
    ]
    with transaction.atomic():
        plan = DispatchPlan.objects.create(
            community=community,
            area=area,
            created_by=actor,
            total_cost=result.cost,
            unmet=unmet,
            needs_count=len(needs),
        )
        _insert_assignments(plan, rows)
        audit_record(
            actor=actor,
            action="matching.plan_create",
            community=community,
            target=plan,
            after={"needs": len(needs), "assignments": len(rows), "unmet": len(unmet)},
        )
    return plan


def _assignment_rows(data, nd, needs, result, w) -> list[tuple]:
    if not result.assignments:
        return []
    js = np.array([j for j, _ in result.assignments])
    hs = np.array([i for _, i in result.assignments])
    cost, dist = engine.cost_rows(data.index, nd, js, hs[:, None], w)
    h = data.index.helpers
    rows = []
    for a, (j, i) in enumerate(result.assignments):
        cand = engine.candidate(data.index, nd, j, i, float(cost[a, 0]), float(dist[a, 0]))
        terms = terms_of(cand, data)
        rows.append((needs[j].pk, int(h.uid[i]), float(cost[a, 0]), terms))
    return rows


def _public_ids(count: int) -> list[str]:
    """`new_public_id` in bulk: the same alphabet and length, 5 random bits a character."""
    raw = np.frombuffer(secrets.token_bytes(count * PUBLIC_ID_LENGTH), dtype=np.uint8) % 32
    letters = np.array(list(ALPHABET))[raw.reshape(count, PUBLIC_ID_LENGTH)]
    return ["".join(row) for row in letters]


def _insert_assignments(plan: DispatchPlan, rows: list[tuple]) -> None:
    """Thousands of proposed assignments in one executemany (no model per row)."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (
        "INSERT INTO matching_planassignment (public_id, created_at, updated_at, plan_id,"
        " need_id, helper_id,"
        " cost, terms, status, note, answered_at) VALUES"
        " (%s, %s, %s, %s, %s, %s, %s, %s, 'proposed', '', NULL)"
    )
    ids = _public_ids(len(rows)) if rows else []
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (pid, now, now, plan.pk, need_id, helper_id, cost, json.dumps(terms))
                for pid, (need_id, helper_id, cost, terms) in zip(ids, rows, strict=True)
            ],
        )


WAITING, ANSWERED = ("asked",), ("asked", "accepted", "declined")


def _ask(actor: User, row: PlanAssignment) -> None:
    try:
        need_ask_helper(actor=actor, need=row.need, helper=row.helper)
        row.status = "asked"
    except DomainError as exc:
        row.status, row.note = "skipped", exc.message[:300]


def _asked_before(need_ids: list[int]) -> set[tuple[int, int]]:
    """(need, helper) pairs no plan should ask again: asked by an approved plan (waiting or
    answered) or already holding a place."""
    pairs = set(
        PlanAssignment.objects.filter(
            need_id__in=need_ids, plan__status="approved", status__in=ANSWERED
        ).values_list("need_id", "helper_id")
    )
    pairs |= set(
        Commitment.objects.filter(need_id__in=need_ids, status__in=PLACE_HOLDING).values_list(
            "need_id", "helper_id"
        )
    )
    return pairs


def _places_short(need: Need) -> int:
    """Places nobody holds or has been asked for yet (asks waiting in approved plans count)."""
    taken = Commitment.objects.filter(need=need, status__in=PLACE_HOLDING)
    waiting = PlanAssignment.objects.filter(
        need=need, plan__status="approved", status__in=WAITING
    ).exclude(helper_id__in=taken.values("helper_id"))
    return need.helpers_wanted - taken.count() - waiting.count()


@transaction.atomic
def dispatch_plan_approve(*, actor: User, plan: DispatchPlan) -> DispatchPlan:
    """A coordinator approves a draft plan: every proposed helper is asked, except one already
    asked for the same need (by another plan) or with no room left now (open commitments and
    waiting asks count); that need is re-planned if places are short."""
    require(actor, COORDINATE, plan.community)
    plan = DispatchPlan.objects.select_for_update().select_related("community").get(pk=plan.pk)
    if plan.status != "draft":
        raise Conflict(_("This plan has already been reviewed."))
    plan.status, plan.approved_by, plan.approved_at = "approved", actor, timezone.now()
    plan.save(update_fields=["status", "approved_by", "approved_at", "updated_at"])
    rows = list(
        plan.assignments.filter(status="proposed").select_related("need__community", "helper")
    )
    need_ids = sorted({r.need_id for r in rows})
    # Approvals of plans that share a need run one after the other (row locks on PostgreSQL,
    # the write lock on SQLite), so the second sees whom the first asked.
    for start in range(0, len(need_ids), BATCH):
        chunk = need_ids[start : start + BATCH]
        list(Need.objects.select_for_update().filter(pk__in=chunk).order_by("pk").only("pk"))
    asked = _asked_before(need_ids)
    # Capacity on live rows: since this plan was drafted, another may have asked its helpers.
    room = live_check(
        community=plan.community,
        needs=[],
        helper_ids={r.helper_id for r in rows},
        capacity=arrays.settings_for(plan.community).capacity,
    )
    replan: dict[int, tuple[Need, str]] = {}
    for row in rows:
        if (row.need_id, row.helper_id) in asked:
            row.status, row.note = "skipped", _("Already asked for this need in another plan.")
            replan[row.need_id] = (row.need, ALL_ASKED)
            continue
        if not room.has_room(row.helper_id):
            row.status, row.note = (
                "skipped",
                _(
                    "This helper already has as much as they can take on, counting requests still "
                    "waiting for an answer."
                ),
            )
            replan.setdefault(row.need_id, (row.need, engine.AT_CAPACITY))
            continue
        _ask(actor, row)
        if row.status == "asked":
            asked.add((row.need_id, row.helper_id))
            room.add_load(row.helper_id)
    PlanAssignment.objects.bulk_update(rows, ["status", "note", "updated_at"], batch_size=BATCH)
    for need, reason in replan.values():
        for _place in range(max(0, _places_short(need))):
            if _replan_need(plan, need, reason=reason) is None:
                break
    audit_record(
        actor=actor,
        action="matching.plan_approve",
        community=plan.community,
        target=plan,
        after={"asked": PlanAssignment.objects.filter(plan=plan, status="asked").count()},
    )
    return plan


@transaction.atomic
def dispatch_plan_discard(*, actor: User, plan: DispatchPlan) -> DispatchPlan:
    """A coordinator sets a draft plan aside; nobody was asked."""
    require(actor, COORDINATE, plan.community)
    plan = DispatchPlan.objects.select_for_update().select_related("community").get(pk=plan.pk)
    if plan.status != "draft":
        raise Conflict(_("This plan has already been reviewed."))
    plan.status = "discarded"
    plan.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action="matching.plan_discard",
        community=plan.community,
        target=plan,
        before={"status": "draft"},
        after={"status": "discarded"},
    )
    return plan


@transaction.atomic
def plan_assignment_answer(*, helper: User, assignment: PlanAssignment, accept: bool) -> None:
    """The helper asked says yes (a place on the need) or "not this time" (the need re-plans)."""
    row = (
        PlanAssignment.objects.select_for_update(of=("self",))
        .select_related("need__community", "plan__approved_by", "helper")
        .get(pk=assignment.pk)
    )
    if row.helper_id != helper.pk:
        raise PermissionDenied(_("This request was sent to someone else."))
    if row.status != "asked":
        raise Conflict(_("You have already answered. Thank you."))
    row.answered_at = timezone.now()
    if accept:
        task_accept_by_link(helper=helper, need=row.need)
        row.status = "accepted"
        row.save(update_fields=["status", "answered_at", "updated_at"])
        return
    task_decline_by_link(helper=helper, need=row.need)
    row.status = "declined"
    row.save(update_fields=["status", "answered_at", "updated_at"])
    _replan_need(row.plan, row.need)


def task_answer_by_link(*, helper: User, need: Need, accept: bool) -> None:
    """An answer from the exchange's signed link in the "asked" message.

    When an approved dispatch plan asked this helper, it goes the same way as an answer on the
    plan's ask page (a decline re-plans the need); otherwise it is the exchange's plain answer.
    """
    row = (
        PlanAssignment.objects.filter(
            need=need, helper=helper, status="asked", plan__status="approved"
        )
        .order_by("-created_at")
        .first()
    )
    if row is not None:
        plan_assignment_answer(helper=helper, assignment=row, accept=accept)
    elif accept:
        task_accept_by_link(helper=helper, need=need)
    else:
        task_decline_by_link(helper=helper, need=need)


def _replan_need(
    plan: DispatchPlan, need: Need, *, reason: str = DECLINED
) -> PlanAssignment | None:
    """Ask the best helper for this need whom no plan has asked yet; or record why nobody."""
    need.refresh_from_db()
    if need.status not in OPEN_NEED_STATUSES or plan.approved_by is None:
        return None
    tried = set(
        PlanAssignment.objects.filter(plan=plan, need=need).values_list("helper_id", flat=True)
    )
    tried |= {helper for _need, helper in _asked_before([need.pk])}
    matches = rank_need(need, k=len(tried) + 10)
    for match in matches:
        if match.user.pk in tried:
            continue
        row = PlanAssignment(
            plan=plan, need=need, helper=match.user, cost=match.cost, terms=match.terms
        )
        _ask(plan.approved_by, row)
        row.save()
        if row.status == "asked":
            return row
    code = reason if matches else unmet_reason_of(need)
    plan.unmet = [
        *[u for u in plan.unmet if u.get("need") != need.public_id],
        {"need": need.public_id, "title": need.title, "missing": 1, "reason": code},
    ]
    plan.save(update_fields=["unmet", "updated_at"])
    return None
