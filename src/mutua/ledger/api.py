"""API: my balance and statement, sending, gifts, requests, coordinator records and summary.

Creates that move credits accept an `Idempotency-Key` header: a retried request returns the
transfer the first one made and moves nothing again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from mutua.api.errors import responses
from mutua.api.fields import In, PublicId, Slug, Str300
from mutua.api.pagination import Page, PageQuery, paginate
from mutua.communities.selectors import community_get
from mutua.core.errors import ValidationFailed
from mutua.ledger import selectors, services

router = Router(tags=["ledger"])

Minutes = Field(ge=1, le=6000, description="Whole minutes; 60 is one credit, one hour of help.")
IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    max_length=80,
    pattern=r"^[A-Za-z0-9_.:-]+$",
    description="Any unique string; a retry with the same key returns the first transfer.",
)
KindCode = Literal["exchange", "gift", "send", "request", "fund_gift", "coordinator", "reversal"]


class BalanceOut(Schema):
    balance_minutes: int
    given_minutes: int
    received_minutes: int
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


class SettingsIn(In):
    is_enabled: bool | None = None
    floor_minutes: int | None = Field(None, ge=-60000, le=0)
    ceiling_minutes: int | None = Field(None, ge=0, le=60000)
    fund_floor_minutes: int | None = Field(None, ge=-60000, le=0)
    breach_mode: Literal["block", "flag"] | None = None


class SettingsOut(Schema):
    is_enabled: bool
    floor_minutes: int
    ceiling_minutes: int
    fund_floor_minutes: int
    breach_mode: str


class AccountIn(In):
    floor_minutes: int | None = Field(None, ge=-60000, le=0)
    ceiling_minutes: int | None = Field(None, ge=0, le=60000)
    is_supported: bool | None = None
    reason: Str300


class AccountOut(Schema):
    floor_override: int | None
    ceiling_override: int | None
    is_supported: bool


class NudgeIn(In):
    wants_nudge: bool


class LedgerMemberOut(Schema):
    member: str
    name: str
    balance_minutes: int


class SummaryOut(Schema):
    fund_balance_minutes: int
    in_circulation_minutes: int
    accounts: int
    flagged_transfers: int
    may_need_support: list[LedgerMemberOut]
    could_be_asked: list[LedgerMemberOut]


def _created(transfer) -> Any:
    """201 with a new transfer; 200 with the original when an Idempotency-Key is retried."""
    return Status(200 if getattr(transfer, "is_replay", False) else 201, transfer)


def _viewer(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def _member(community, public_id: str | None, field: str):
    if public_id is None:
        return None
    user = selectors.member_user(community=community, public_id=public_id)
    if user is None:
        message = _("This person is not a member of this community.")
        raise ValidationFailed(message, field_errors={field: [message]})
    return user


def _people(accounts, community) -> list[dict]:
    ids = selectors.member_ids(community=community, accounts=accounts)
    return [
        {"member": ids.get(a.user_id, ""), "name": str(a.user), "balance_minutes": a.balance}
        for a in accounts
    ]


@router.get(
    "/communities/{slug}/ledger/balance",
    response=responses({200: BalanceOut}),
    summary="My balance",
)
def balance_get(request: HttpRequest, slug: Slug) -> Any:
    b = selectors.balance_get(viewer=_viewer(request), community=community_get(slug=slug))
    return {
        "balance_minutes": b.balance,
        "given_minutes": b.given,
        "received_minutes": b.received,
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
        viewer=_viewer(request), community=community_get(slug=slug), filters=filters
    )
    return paginate(entries, page, newest_first=True)


@router.post(
    "/communities/{slug}/ledger/transfers",
    response=responses({200: TransferOut, 201: TransferOut}),
    summary="Send credits to a member",
)
def transfers_send(
    request: HttpRequest, slug: Slug, payload: SendIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    community = community_get(slug=slug)
    transfer = services.transfer_send(
        actor=_viewer(request),
        community=community,
        recipient=_member(community, payload.to, "to"),
        minutes=payload.minutes,
        reason=payload.reason,
        idempotency_key=idempotency_key or "",
    )
    return _created(transfer)


@router.post(
    "/communities/{slug}/ledger/fund/gifts",
    response=responses({200: TransferOut, 201: TransferOut}),
    summary="Give credits to the community fund",
)
def fund_gifts_create(
    request: HttpRequest, slug: Slug, payload: GiftIn, idempotency_key: str | None = IdempotencyKey
) -> Any:
    transfer = services.fund_gift(
        actor=_viewer(request),
        community=community_get(slug=slug),
        minutes=payload.minutes,
        reason=payload.reason,
        idempotency_key=idempotency_key or "",
    )
    return _created(transfer)


@router.post(
    "/communities/{slug}/ledger/records",
    response=responses({200: TransferOut, 201: TransferOut}),
    summary="Record help on people's behalf (coordinators)",
)
def records_create(
    request: HttpRequest,
    slug: Slug,
    payload: RecordIn,
    idempotency_key: str | None = IdempotencyKey,
) -> Any:
    community = community_get(slug=slug)
    transfer = services.transfer_record(
        actor=_viewer(request),
        community=community,
        payers=[(_member(community, leg.member, "payers"), leg.minutes) for leg in payload.payers],
        payees=[(_member(community, leg.member, "payees"), leg.minutes) for leg in payload.payees],
        reason=payload.reason,
        idempotency_key=idempotency_key or "",
    )
    return _created(transfer)


@router.post(
    "/communities/{slug}/ledger/transfers/{transfer_id}/reverse",
    response=responses({201: TransferOut}),
    summary="Correct a transfer with a reversing one (coordinators)",
)
def transfers_reverse(
    request: HttpRequest, slug: Slug, transfer_id: PublicId, payload: ReverseIn
) -> Any:
    transfer = selectors.transfer_get(
        viewer=_viewer(request), community=community_get(slug=slug), public_id=transfer_id
    )
    return Status(
        201,
        services.transfer_reverse(actor=_viewer(request), transfer=transfer, reason=payload.reason),
    )


@router.post(
    "/communities/{slug}/ledger/requests",
    response=responses({201: RequestOut}),
    summary="Ask a member for credits",
)
def requests_create(request: HttpRequest, slug: Slug, payload: RequestIn) -> Any:
    community = community_get(slug=slug)
    credit_request = services.credit_request_create(
        actor=_viewer(request),
        community=community,
        payer=_member(community, payload.payer, "payer"),
        minutes=payload.minutes,
        reason=payload.reason,
    )
    return Status(201, credit_request)


@router.post(
    "/ledger/requests/{request_id}/{answer}",
    response=responses({200: RequestOut}),
    summary="Approve or decline a request for credits",
)
def requests_answer(
    request: HttpRequest, request_id: PublicId, answer: Literal["approve", "decline"]
) -> Any:
    credit_request = services.credit_request_get(viewer=_viewer(request), public_id=request_id)
    if answer == "approve":
        return services.credit_request_approve(actor=_viewer(request), request=credit_request)
    return services.credit_request_decline(actor=_viewer(request), request=credit_request)


@router.get(
    "/communities/{slug}/ledger/summary",
    response=responses({200: SummaryOut}),
    summary="The ledger at a glance (coordinators)",
)
def summary_get(request: HttpRequest, slug: Slug) -> Any:
    community = community_get(slug=slug)
    s = selectors.summary_get(viewer=_viewer(request), community=community)
    return {
        "fund_balance_minutes": s.fund_balance,
        "in_circulation_minutes": s.in_circulation,
        "accounts": s.accounts,
        "flagged_transfers": s.flagged,
        "may_need_support": _people(s.may_need_support, community),
        "could_be_asked": _people(s.could_be_asked, community),
    }


@router.patch(
    "/communities/{slug}/ledger/settings",
    response=responses({200: SettingsOut}),
    summary="Turn the ledger on or off, and set its limits",
)
def settings_update(request: HttpRequest, slug: Slug, payload: SettingsIn) -> Any:
    return services.ledger_configure(
        actor=_viewer(request), community=community_get(slug=slug), **payload.model_dump()
    )


@router.patch(
    "/communities/{slug}/ledger/accounts/{member_id}",
    response=responses({200: AccountOut}),
    summary="A member's own limits, or support from the fund (coordinators)",
)
def accounts_update(
    request: HttpRequest, slug: Slug, member_id: PublicId, payload: AccountIn
) -> Any:
    community = community_get(slug=slug)
    given = payload.model_dump(include=payload.model_fields_set - {"reason"})
    return services.account_update(
        actor=_viewer(request),
        community=community,
        member=_member(community, member_id, "member"),
        reason=payload.reason,
        **given,
    )


@router.put(
    "/communities/{slug}/ledger/nudge",
    response=responses({200: NudgeIn}),
    summary="Opt in or out of a gentle nudge about my balance",
)
def nudge_set(request: HttpRequest, slug: Slug, payload: NudgeIn) -> Any:
    return services.account_set_nudge(
        actor=_viewer(request), community=community_get(slug=slug), wants_nudge=payload.wants_nudge
    )
