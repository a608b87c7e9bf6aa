"""Reads of a need's private details (address, access notes, phone), each audit-logged.

Only the person, coordinators and the helper of an active commitment see them, and a helper
only while they are an active member of the need's community and once they pass its
home-address trust gate (details can be added after they took the task). Of the person's own
details a helper sees what the task needs, their phone and address, never health or access
notes; coordinators read them through `people.services.sensitive_read` in the need's community.
Every read by someone other than the person is written to the audit log as a safeguarding
entry; the call list writes its entries in one batch.
"""

from __future__ import annotations

from typing import Any

from mutua.communities.models import Community, Membership, MembershipStatus
from mutua.core.audit import audit_record, audit_record_many
from mutua.core.errors import PermissionDenied
from mutua.core.models import AuditEntry
from mutua.core.permissions import membership_of, require
from mutua.exchange.models import (
    ACTIVE_COMMITMENT,
    OPEN_NEED_STATUSES,
    Commitment,
    Need,
    NeedPrivate,
)
from mutua.exchange.services.common import is_coordinator
from mutua.people.models import SensitiveDetails, User

PRIVATE_FIELDS = ("address", "access_notes", "contact_phone")
# What an assigned helper sees of the person's own details: what the task needs, no more.
HELPER_PERSON_FIELDS = ("address", "phone")
HOME_GATE = "private_task"


def need_role(viewer: User, need: Need) -> str:
    """'person', 'helper' (active commitment, active member), 'coordinator' or 'member'."""
    if viewer.pk in (need.author_id, need.contact_id):
        return "person"
    if is_coordinator(viewer, need.community):
        return "coordinator"
    if (
        membership_of(viewer, need.community) is not None
        and need.commitments.filter(helper=viewer, status__in=ACTIVE_COMMITMENT).exists()
    ):
        return "helper"
    return "member"


def _gate_refusal(user: User, community: Community) -> str:
    from mutua.trust.services import trust_gate_refusal  # the home-address gate

    return trust_gate_refusal(user, community, HOME_GATE)


def _read_entry(viewer: User, need: Need, fields: list[str], purpose: str) -> AuditEntry:
    return AuditEntry(
        actor=viewer,
        action="need.private_read",
        community=need.community,
        target_type="need",
        target_id=need.public_id,
        target_label=need.title[:200],
        subject=need.author,
        after={"fields": fields, "purpose": purpose[:60]},
        is_safeguarding=True,
    )


def _person_for_helper(viewer: User, need: Need, purpose: str) -> dict[str, str]:
    """The person's phone and address for the helper of their task; the read is audit-logged."""
    person = need.author
    details = SensitiveDetails.objects.filter(user=person).first()
    values = {f: getattr(details, f) if details else "" for f in HELPER_PERSON_FIELDS}
    audit_record(
        actor=viewer,
        action="sensitive.read",
        community=need.community,
        subject=person,
        target=person,
        after={"fields": sorted(values), "purpose": purpose[:60]},
        is_safeguarding=True,
    )
    return values


def _empty() -> dict[str, Any]:
    return {
        **dict.fromkeys(PRIVATE_FIELDS, ""),
        "person": {},
        "gender_wanted": "",
        "withheld_reason": "",
        "withheld_from": [],
    }


def need_private_for(
    *, viewer: User, need: Need, purpose: str = "need page"
) -> dict[str, Any] | None:
    """The need's private details, and the person's own, for those allowed; else None.

    A helper below the home-address gate gets nothing but `withheld_reason`; the person and
    coordinators see `withheld_from`, the helpers who are not shown the details, and the gender
    a same-gender need asks for (nobody else ever does).
    """
    role = need_role(viewer, need)
    if role == "member":
        return None
    community = need.community
    private = NeedPrivate.objects.filter(need=need).first()
    shown = [f for f in PRIVATE_FIELDS if private is not None and getattr(private, f)]
    values = _empty()
    if role == "helper":
        refusal = _gate_refusal(viewer, community)
        if refusal:
            if shown or need.author_id:
                values["withheld_reason"] = refusal
            return values
    else:
        values["gender_wanted"] = need.gender_wanted
        if shown or need.author_id:
            values["withheld_from"] = [
                str(c.helper)
                for c in Commitment.objects.filter(need=need, status__in=ACTIVE_COMMITMENT)
                .select_related("helper__profile")
                .order_by("created_at", "id")
                if _gate_refusal(c.helper, community)
            ]
    for field in shown:
        values[field] = getattr(private, field)
    if shown and viewer.pk != need.author_id:
        _read_entry(viewer, need, shown, purpose).save()
    if need.author_id and viewer.pk != need.author_id:
        purpose = f"need {need.public_id}"
        if role == "helper":
            values["person"] = _person_for_helper(viewer, need, purpose)
        else:
            from mutua.people.services import sensitive_read  # audit-logs the read itself

            try:
                values["person"] = sensitive_read(
                    viewer=viewer, person=need.author, purpose=purpose, community=community
                )
            except PermissionDenied:
                values["person"] = {}
    return values


def dispatch_call_list(*, viewer: User, community: Community) -> list[tuple[Need, str]]:
    """Unanswered needs with the phone to call: the only place a caller sees phone numbers.

    The need's own phone when it has one (on someone's behalf, say), else the person's. A few
    queries whatever the length of the list, audit entries included.
    """
    require(viewer, "calllist.view", community)
    from mutua.exchange.selectors import NEED_ORDER, URGENCY_ORDER

    needs = list(
        Need.objects.filter(community=community, status__in=OPEN_NEED_STATUSES, is_private=False)
        .select_related("author__profile", "service_area", "private", "contact__profile")
        .annotate(urgency_rank=URGENCY_ORDER)
        .order_by(*NEED_ORDER)
    )
    author_ids = {n.author_id for n in needs if n.author_id}
    members = set(
        Membership.objects.filter(
            community=community, status=MembershipStatus.ACTIVE, user_id__in=author_ids
        ).values_list("user_id", flat=True)
    )
    phones = dict(
        SensitiveDetails.objects.filter(user_id__in=members)
        .exclude(phone="")
        .values_list("user_id", "phone")
    )
    rows: list[tuple[Need, str]] = []
    people: dict[int, User] = {}
    need_reads: list[AuditEntry] = []
    for need in needs:
        private = getattr(need, "private", None)
        phone = private.contact_phone if private is not None else ""
        if phone:
            need_reads.append(_read_entry(viewer, need, ["contact_phone"], "dispatch call list"))
        elif need.author_id in phones:
            phone = phones[need.author_id]
            people[need.author_id] = need.author  # type: ignore[assignment]
        rows.append((need, phone))
    if people:
        audit_record_many(
            actor=viewer,
            action="sensitive.read",
            community=community,
            subjects=list(people.values()),
            after={"fields": ["phone"], "purpose": "dispatch call list"},
            is_safeguarding=True,
        )
    if need_reads:
        AuditEntry.objects.bulk_create(need_reads)
    return rows
