"""API: commitments — the helper's and the person's view of each (with the thanks, feedback and
expenses each may read), marking done, confirming, releasing, thanks, expenses, no-shows,
disputes and follow-ups; and a coordinator assigning or asking a helper for a need, and changing
its private details. On the exchange router (see api.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Str32, Str300, Str500, Str1000, Str2000
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.exchange import selectors, services
from mutua.exchange.api import (
    CommitmentOut,
    ExpenseOut,
    NeedOut,
    NeedPrivateOut,
    _commitment,
    _seen,
    _viewer,
    router,
)
from mutua.exchange.selectors_mine import my_needs, my_tasks


def _page(request: HttpRequest, result: dict) -> dict:
    selectors.with_visible(viewer=_viewer(request), commitments=result["items"])
    return result


class HoursIn(In):
    hours: Decimal | None = Field(None, ge=0, le=24)


class FeedbackIn(In):
    kind: Literal["thanks", "feedback"] = "thanks"
    text: Str2000


class NoteIn(In):
    note: Str1000 = ""


class ExpenseIn(In):
    amount: Decimal = Field(gt=0, le=100_000)
    currency: str = Field("EUR", pattern=r"^[A-Z]{3}$")
    note: Str300 = ""


@router.post(
    "/commitments/{commitment_id}/done",
    response=responses({200: CommitmentOut}),
    summary="Mark done",
)
def commitments_done(request: HttpRequest, commitment_id: PublicId, payload: HoursIn) -> Any:
    done = services.commitment_mark_done(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), hours=payload.hours
    )
    return _seen(request, done)


@router.post(
    "/commitments/{commitment_id}/confirm",
    response=responses({200: CommitmentOut}),
    summary="Confirm done",
)
def commitments_confirm(request: HttpRequest, commitment_id: PublicId, payload: HoursIn) -> Any:
    done = services.commitment_confirm(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), hours=payload.hours
    )
    return _seen(request, done)


@router.post(
    "/commitments/{commitment_id}/release",
    response=responses({200: CommitmentOut}),
    summary="Give the place back",
)
def commitments_release(request: HttpRequest, commitment_id: PublicId, payload: NoteIn) -> Any:
    done = services.commitment_release(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), reason=payload.note
    )
    return _seen(request, done)


@router.post(
    "/commitments/{commitment_id}/no-show",
    response=responses({200: CommitmentOut}),
    summary="Report a no-show",
)
def commitments_no_show(request: HttpRequest, commitment_id: PublicId, payload: NoteIn) -> Any:
    done = services.commitment_report_no_show(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), note=payload.note
    )
    return _seen(request, done)


@router.post(
    "/commitments/{commitment_id}/follow-up",
    response=responses({200: CommitmentOut}),
    summary="Ask a coordinator to follow up",
)
def commitments_follow_up(request: HttpRequest, commitment_id: PublicId, payload: NoteIn) -> Any:
    done = services.commitment_flag_follow_up(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), note=payload.note
    )
    return _seen(request, done)


@router.post(
    "/commitments/{commitment_id}/feedback",
    response=responses({204: None}),
    summary="Thank-you note or private feedback",
)
def commitments_feedback(request: HttpRequest, commitment_id: PublicId, payload: FeedbackIn) -> Any:
    services.feedback_give(
        actor=_viewer(request),
        commitment=_commitment(request, commitment_id),
        kind=payload.kind,
        text=payload.text,
    )
    return Status(204, None)


@router.post(
    "/commitments/{commitment_id}/expenses",
    response=responses({201: ExpenseOut}),
    summary="Record money spent",
)
def commitments_expense(request: HttpRequest, commitment_id: PublicId, payload: ExpenseIn) -> Any:
    expense = services.expense_record(
        actor=_viewer(request),
        commitment=_commitment(request, commitment_id),
        **payload.model_dump(),
    )
    return Status(201, expense)


class DisputeIn(In):
    reason: Str1000 = Field(description="What was not right, in a few words (3 or more letters)")


@router.post(
    "/commitments/{commitment_id}/dispute",
    response=responses({200: CommitmentOut}),
    summary="Say that help marked done was not right (within the dispute window)",
)
def commitments_dispute(request: HttpRequest, commitment_id: PublicId, payload: DisputeIn) -> Any:
    done = services.commitment_dispute(
        actor=_viewer(request),
        commitment=_commitment(request, commitment_id),
        reason=payload.reason,
    )
    return _seen(request, done)


@router.post(
    "/commitments/{commitment_id}/follow-up/clear",
    response=responses({200: CommitmentOut}),
    summary="Mark a follow-up as dealt with (coordinators; audit-logged)",
)
def commitments_follow_up_clear(
    request: HttpRequest, commitment_id: PublicId, payload: NoteIn
) -> Any:
    done = services.commitment_follow_up_clear(
        actor=_viewer(request), commitment=_commitment(request, commitment_id), note=payload.note
    )
    return _seen(request, done)


@router.get(
    "/needs/{need_id}/commitments",
    response=responses({200: Page[CommitmentOut]}),
    summary="Who helps with a need, with the thanks, feedback and expenses you may read",
)
def needs_commitments(request: HttpRequest, need_id: PublicId, page: Query[PageQuery]) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    qs = selectors.commitment_list_for_need(viewer=_viewer(request), need=need)
    return _page(request, paginate(qs, page))


class MyCommitmentsQuery(Schema):
    side: Literal["", "helper", "person"] = Field(
        "", description="helper: tasks I help with; person: help I receive or speak for"
    )
    state: Literal["", "upcoming", "to_mark_done", "to_confirm"] = Field(
        "",
        description="upcoming: tasks I help with, not yet due; to_mark_done: past their due "
        "time; to_confirm: marked done by the other side, waiting for me (overrides side)",
    )


@router.get(
    "/me/commitments",
    response=responses({200: Page[CommitmentOut]}),
    summary="My tasks and the help I receive, newest first",
)
def my_commitments(
    request: HttpRequest, page: Query[PageQuery], f: Query[MyCommitmentsQuery]
) -> Any:
    if f.state:
        qs = my_tasks(viewer=_viewer(request), state=f.state)
    else:
        qs = selectors.my_commitments(viewer=_viewer(request), side=f.side)
    return _page(request, paginate(qs, page, newest_first=True))


class MyNeedOut(NeedOut):
    pending_responses: int = Field(0, description="Offers of help waiting for my answer")


@router.get(
    "/me/needs",
    response=responses({200: Page[MyNeedOut]}),
    summary="My live needs (and those I am the contact for), with offers of help to answer",
)
def my_needs_list(request: HttpRequest, page: Query[PageQuery]) -> Any:
    return paginate(my_needs(viewer=_viewer(request)), page)


@router.get(
    "/commitments/{commitment_id}",
    response=responses({200: CommitmentOut}),
    summary="One commitment, with what you may read of it",
)
def commitments_get(request: HttpRequest, commitment_id: PublicId) -> Any:
    return _seen(request, _commitment(request, commitment_id))


class NeedHelperIn(In):
    helper: PublicId = Field(description="The helper's member id")


@router.post(
    "/needs/{need_id}/assign",
    response=responses({201: CommitmentOut}),
    summary="Give a fitting helper a place (coordinators; audit-logged)",
)
def needs_assign(request: HttpRequest, need_id: PublicId, payload: NeedHelperIn) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    helper = selectors.member_user(community=need.community, public_id=payload.helper)
    done = services.commitment_assign(actor=_viewer(request), need=need, helper=helper)
    return Status(201, _seen(request, done))


@router.post(
    "/needs/{need_id}/ask",
    response=responses({204: None}),
    summary="Ask a fitting helper by e-mail or SMS, with links to answer (coordinators)",
)
def needs_ask(request: HttpRequest, need_id: PublicId, payload: NeedHelperIn) -> Any:
    need = selectors.need_get(viewer=_viewer(request), public_id=need_id)
    helper = selectors.member_user(community=need.community, public_id=payload.helper)
    services.need_ask_helper(actor=_viewer(request), need=need, helper=helper)
    return Status(204, None)


class NeedPrivateIn(In):
    """Only the fields given change; an empty string clears one."""

    address: Str500 | None = None
    access_notes: Str1000 | None = None
    contact_phone: Str32 | None = None


@router.patch(
    "/needs/{need_id}/private",
    response=responses({200: NeedPrivateOut}),
    summary="Change the private details (the person or a coordinator; audit-logged)",
)
def needs_private_set(request: HttpRequest, need_id: PublicId, payload: NeedPrivateIn) -> Any:
    viewer = _viewer(request)
    need = selectors.need_get(viewer=viewer, public_id=need_id)
    services.need_private_set(actor=viewer, need=need, **payload.model_dump())
    return selectors.need_private_for(viewer=viewer, need=need, purpose="api")
