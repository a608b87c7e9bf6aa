"""API: asking the community fund to pay for help, and coordinators answering.

A member refused at their floor receives `fund_path` and `fund_request` in the 409 problem;
POSTing that body there asks the fund. Coordinators list the waiting requests and approve or
decline them; approving pays the helper from the fund, once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug, Str300
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.communities.selectors import community_get
from mutua.core.errors import NotFound, ValidationFailed
from mutua.ledger import selectors, services
from mutua.ledger.api_common import (
    IdempotencyKey,
    created,
    limit_problem,
    member,
    router,
    viewer,
    with_limit,
)
from mutua.ledger.models import CreditRequest


class FundRequestIn(In):
    to: PublicId | None = Field(
        None, description="The member id of the person who helped; not needed with a request."
    )
    minutes: int | None = Field(
        None, ge=1, le=6000, description="Whole minutes; not needed with a request."
    )
    reason: Str300 = ""
    credit_request: PublicId | None = Field(
        None, description="A request for credits you were asked to approve: the fund pays it."
    )


class FundRequestOut(Schema):
    id: str = Field(alias="public_id")
    minutes: int
    reason: str
    status: str
    created_at: dt.datetime


def _credit_request(viewer_user, public_id: str | None) -> CreditRequest | None:
    if public_id is None:
        return None
    try:
        return services.credit_request_get(viewer=viewer_user, public_id=public_id)
    except NotFound as exc:
        raise ValidationFailed(exc.message, field_errors={"credit_request": [exc.message]}) from exc


@router.post(
    "/communities/{slug}/ledger/fund/requests",
    response=responses({200: FundRequestOut, 201: FundRequestOut}),
    summary="Ask the community fund to pay someone who helped me",
    url_name="ledger_fund_requests_create",
)
def fund_requests_create(
    request: HttpRequest,
    slug: Slug,
    payload: FundRequestIn,
    idempotency_key: str | None = IdempotencyKey,
) -> Any:
    community = community_get(slug=slug)
    me = viewer(request)
    fund_request = services.fund_request_create(
        actor=me,
        community=community,
        recipient=member(community, payload.to, "to"),
        minutes=payload.minutes,
        reason=payload.reason,
        credit_request=_credit_request(me, payload.credit_request),
        idempotency_key=idempotency_key or "",
    )
    return created(fund_request)


@router.get(
    "/communities/{slug}/ledger/fund/requests",
    response=responses({200: Page[FundRequestOut]}),
    summary="Requests to the community fund waiting for an answer (coordinators)",
)
def fund_requests_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    rows = selectors.fund_requests_pending(
        viewer=viewer(request), community=community_get(slug=slug)
    )
    return paginate(rows, page)


@router.post(
    "/ledger/fund/requests/{request_id}/{answer}",
    response=with_limit({200: FundRequestOut}),
    summary="Approve or decline a request to the community fund",
    description="Coordinators approve or decline; the member who asked may withdraw (decline).",
)
def fund_requests_answer(
    request: HttpRequest, request_id: PublicId, answer: Literal["approve", "decline"]
) -> Any:
    me = viewer(request)
    fund_request = selectors.fund_request_get(viewer=me, public_id=request_id)
    if answer == "decline":
        return services.fund_request_decline(actor=me, request=fund_request)
    try:
        return services.fund_request_approve(actor=me, request=fund_request)
    except services.LimitReached as exc:
        return limit_problem(fund_request.community, exc)
