"""API: my balance and statement, sending, gifts, requests, coordinator records and summary.

Creates that move credits accept an `Idempotency-Key` header: a retried request returns the
transfer the first one made and moves nothing again; the same key sent with a different
request (or to another endpoint) is refused with 422. Asking the community fund is in
`api_fund.py`, on the same router.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Query, Schema, Status
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug, Str300
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.communities.selectors import community_get
from mutua.ledger import selectors, services
from mutua.ledger.api_common import (
    IdempotencyKey,
    Minutes,
    created,
    limit_problem,
    member,
    router,
    viewer,
    with_limit,
)

KindCode = Literal[
    "exchange", "gift", "send", "request", "fund_gift", "coordinator", "fund_payment", "reversal"
]


class BalanceOut(Schema):
    balance_minutes: int
    given_minutes: int = Field(description="Help given: exchanges, records, sends, requests.")
    received_minutes: int = Field(description="Help received, counted the same way.")
    gifts_to_fund_minutes: int = Field(description="Given to the community fund.")
    fund_support_minutes: int = Field(description="Credits the community fund gave me.")
    floor_minutes: int | None
    ceiling_minutes: int | None
    wants_nudge: bool
    nudge: str


class TransferOut(Schema):
    id: str = Field(alias="public_id")
    kind: str
    reason: str
    is_flagged: bool
    reverses: str | None = Field(None, alias="reverses.public_id")
    created_at: dt.datetime


class EntryOut(Schema):
    transfer: str = Field(alias="transfer.public_id")
    kind: str = Field(alias="transfer.kind")
    reason: str = Field(alias="transfer.reason")
    amount_minutes: int = Field(alias="amount")
    created_at: dt.datetime


class StatementQuery(Schema):
    kind: KindCode | None = None
    since: dt.date | None = None
    until: dt.date | None = None


class SendIn(In):
    to: PublicId = Field(description="The recipient's member id.")
    minutes: int = Minutes
    reason: Str300 = ""


class GiftIn(In):
    minutes: int = Minutes
    reason: Str300 = ""


class Leg(In):
    member: PublicId | None = Field(None, description="A member id, or null for the fund.")
    minutes: int = Minutes


class RecordIn(In):
    payers: list[Leg] = Field(min_length=1, max_length=50)
    payees: list[Leg] = Field(min_length=1, max_length=50)
    reason: Str300


class ReverseIn(In):
    reason: Str300


class RequestIn(In):
    payer: PublicId = Field(description="The member id of the person asked.")
    minutes: int = Minutes
    reason: Str300 = ""


class RequestOut(Schema):
    id: str = Field(alias="public_id")
    minutes: int
    reason: str
    status: str
    created_at: dt.datetime
    requester_name: str = Field(description="First name of the member who asks.")
    payer_name: str = Field(description="First name of the member asked to pay.")
    asked_of_me: bool = Field(description="True when I am the one asked to pay.")

    @staticmethod
    def resolve_requester_name(obj: Any) -> str:
        return obj.requester.profile.first_name

    @staticmethod
    def resolve_payer_name(obj: Any) -> str:
        return obj.payer.profile.first_name

    @staticmethod
    def resolve_asked_of_me(obj: Any, context: Any) -> bool:
        request = (context or {}).get("request")
        return request is not None and obj.payer_id == getattr(request.auth, "pk", None)


class LedgerMemberOut(Schema):
    member: str
    name: str
    balance_minutes: int
    is_past_limit: bool


class SummaryOut(Schema):
    fund_balance_minutes: int
    in_circulation_minutes: int
    accounts: int
    flagged_transfers: int
    fund_requests_waiting: int
    may_need_support: list[LedgerMemberOut] = Field(description="In account order, not ranked.")
    could_be_asked: list[LedgerMemberOut] = Field(description="In account order, not ranked.")
    recent_flagged: list[TransferOut] = Field(description="The latest flagged transfers.")


def _people(accounts, community) -> list[dict]:
    ids = selectors.member_ids(community=community, users=[a.user_id for a in accounts])
    return [
        {
            "member": ids.get(a.user_id, ""),
            "name": str(a.user),
            "balance_minutes": a.balance,
            "is_past_limit": a.is_past_limit,
        }
        for a in accounts
    ]


@router.get(
    "/communities/{slug}/ledger/balance",
    response=responses({200: BalanceOut}),
    summary="My balance",
)
def balance_get(request: HttpRequest, slug: Slug) -> Any:
    b = selectors.balance_get(viewer=viewer(request), community=community_get(slug=slug))
    return {
        "balance_minutes": b.balance,
        "given_minutes": b.given,
        "received_minutes": b.received,
        "gifts_to_fund_minutes": b.gifts_to_fund,
        "fund_support_minutes": b.from_fund,
        "floor_minutes": b.floor,
        "ceiling_minutes": b.ceiling,
        "wants_nudge": b.account.wants_nudge,
        "nudge": b.nudge,
    }


@router.get(
    "/communities/{slug}/ledger/statement",
    response=responses({200: Page[EntryOut]}),
    summary="My statement",
)
def statement_list(
    request: HttpRequest, slug: Slug, page: Query[PageQuery], f: Query[StatementQuery]
) -> Any:
    filters = selectors.StatementFilters(kind=f.kind or "", since=f.since, until=f.until)
    entries = selectors.statement(
        viewer=viewer(request), community=community_get(slug=slug), filters=filters
    )
    return paginate(entries, page, newest_first=True)


@router.post(
    "/communities/{slug}/ledger/transfers",
    response=with_limit({200: TransferOut, 201: TransferOut}),
    summary="Send credits to a member",
    description="Past the sender's floor: 409 with `fund_path`, to ask the community fund.",
)
def transfers_send(
    request: HttpRequest, slug: Slug, payload: SendIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    community = community_get(slug=slug)
    try:
        transfer = services.transfer_send(
            actor=viewer(request),
            community=community,
            recipient=member(community, payload.to, "to"),
            minutes=payload.minutes,
            reason=payload.reason,
            idempotency_key=idempotency_key or "",
        )
    except services.LimitReached as exc:
        return limit_problem(community, exc)
    return created(transfer)


@router.post(
    "/communities/{slug}/ledger/fund/gifts",
    response=with_limit({200: TransferOut, 201: TransferOut}),
    summary="Give credits to the community fund",
)
def fund_gifts_create(
    request: HttpRequest, slug: Slug, payload: GiftIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    community = community_get(slug=slug)
    try:
        transfer = services.fund_gift(
            actor=viewer(request),
            community=community,
            minutes=payload.minutes,
            reason=payload.reason,
            idempotency_key=idempotency_key or "",
        )
    except services.LimitReached as exc:
        return limit_problem(community, exc)
    return created(transfer)


@router.post(
    "/communities/{slug}/ledger/records",
    response=with_limit({200: TransferOut, 201: TransferOut}),
    summary="Record help on people's behalf (coordinators)",
)
def records_create(
    request: HttpRequest,
    slug: Slug,
    payload: RecordIn,
    idempotency_key: str | None = IdempotencyKey,
) -> Any:
    community = community_get(slug=slug)
    try:
        transfer = services.transfer_record(
            actor=viewer(request),
            community=community,
            payers=[
                (member(community, leg.member, "payers"), leg.minutes) for leg in payload.payers
            ],
            payees=[
                (member(community, leg.member, "payees"), leg.minutes) for leg in payload.payees
            ],
            reason=payload.reason,
            idempotency_key=idempotency_key or "",
        )
    except services.LimitReached as exc:
        return limit_problem(community, exc)
    return created(transfer)


@router.post(
    "/communities/{slug}/ledger/transfers/{transfer_id}/reverse",
    response=responses({201: TransferOut}),
    summary="Correct a transfer with a reversing one (coordinators)",
    description="A correction is never refused by a limit; past one, it is flagged.",
)
def transfers_reverse(
    request: HttpRequest, slug: Slug, transfer_id: PublicId, payload: ReverseIn
) -> Any:
    transfer = selectors.transfer_get(
        viewer=viewer(request), community=community_get(slug=slug), public_id=transfer_id
    )
    return Status(
        201,
        services.transfer_reverse(actor=viewer(request), transfer=transfer, reason=payload.reason),
    )


@router.get(
    "/communities/{slug}/ledger/requests",
    response=responses({200: Page[RequestOut]}),
    summary="Requests for credits waiting for an answer",
    description="Those I was asked to pay and those I made, oldest first.",
)
def requests_list(request: HttpRequest, slug: Slug, page: Query[PageQuery]) -> Any:
    waiting = selectors.requests_for(viewer=viewer(request), community=community_get(slug=slug))
    waiting = waiting.filter(status="pending").select_related(
        "requester__profile", "payer__profile"
    )
    return paginate(waiting, page)


@router.post(
    "/communities/{slug}/ledger/requests",
    response=responses({200: RequestOut, 201: RequestOut}),
    summary="Ask a member for credits",
)
def requests_create(
    request: HttpRequest,
    slug: Slug,
    payload: RequestIn,
    idempotency_key: str | None = IdempotencyKey,
) -> Any:
    community = community_get(slug=slug)
    credit_request = services.credit_request_create(
        actor=viewer(request),
        community=community,
        payer=member(community, payload.payer, "payer"),
        minutes=payload.minutes,
        reason=payload.reason,
        idempotency_key=idempotency_key or "",
    )
    return created(credit_request)


@router.post(
    "/ledger/requests/{request_id}/{answer}",
    response=with_limit({200: RequestOut}),
    summary="Approve or decline a request for credits",
    description="Past the payer's floor: 409 with `fund_path`, to ask the community fund.",
)
def requests_answer(
    request: HttpRequest, request_id: PublicId, answer: Literal["approve", "decline"]
) -> Any:
    credit_request = services.credit_request_get(viewer=viewer(request), public_id=request_id)
    if answer == "decline":
        return services.credit_request_decline(actor=viewer(request), request=credit_request)
    try:
        return services.credit_request_approve(actor=viewer(request), request=credit_request)
    except services.LimitReached as exc:
        return limit_problem(credit_request.community, exc)


@router.get(
    "/communities/{slug}/ledger/summary",
    response=responses({200: SummaryOut}),
    summary="The ledger at a glance (coordinators)",
)
def summary_get(request: HttpRequest, slug: Slug) -> Any:
    community = community_get(slug=slug)
    s = selectors.summary_get(viewer=viewer(request), community=community)
    return {
        "fund_balance_minutes": s.fund_balance,
        "in_circulation_minutes": s.in_circulation,
        "accounts": s.accounts,
        "flagged_transfers": s.flagged,
        "fund_requests_waiting": s.fund_requests,
        "may_need_support": _people(s.may_need_support, community),
        "could_be_asked": _people(s.could_be_asked, community),
        "recent_flagged": s.recent_flagged,
    }


from mutua.ledger import api_fund, api_settings  # noqa: E402, F401  (they join this router)
