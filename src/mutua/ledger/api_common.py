"""What the ledger's API modules share: the router, input types, and the limit problem.

A refusal at a floor answers 409 problem+json with machine-readable fields a client can act
on: `limit`, and when the member can ask the community fund instead, `fund_path` (where to
POST) and `fund_request` (the body to send there).
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Header, Router, Schema, Status
from pydantic import Field

from mutua.api.errors import Problem, problem, responses
from mutua.core.errors import ValidationFailed
from mutua.ledger import selectors
from mutua.ledger.services import LimitReached

router = Router(tags=["ledger"])

Minutes = Field(ge=1, le=6000, description="Whole minutes; 60 is one credit, one hour of help.")
IdempotencyKey = Header(
    None,
    alias="Idempotency-Key",
    max_length=80,
    pattern=r"^[A-Za-z0-9_.:-]+$",
    description=(
        "Any unique string; a retry with the same key returns the first result. The same key "
        "sent with a different request is refused (422)."
    ),
)


class FundRequestBody(Schema):
    to: str = Field(description="The member id of the person the fund would pay.")
    minutes: int
    credit_request: str | None = Field(None, description="The request for credits it answers.")


class LimitProblem(Problem):
    """A conflict; when a limit refused the transfer, `limit` says which, and `fund_path` is set
    when the community fund can pay instead."""

    limit: str | None = Field(None, description="`floor` or `ceiling`, when a limit refused it.")
    fund_path: str | None = Field(None, description="POST `fund_request` here to ask the fund.")
    fund_request: FundRequestBody | None = None


def with_limit(ok: dict[int, Any]) -> dict[int, Any]:
    """The responses of an operation a limit can refuse: 409 carries the fund path."""
    return {**responses(ok), 409: LimitProblem}


def viewer(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


def created(row) -> Any:
    """201 with a new row; 200 with the original when an Idempotency-Key is retried."""
    return Status(200 if getattr(row, "is_replay", False) else 201, row)


def member(community, public_id: str | None, field: str):
    if public_id is None:
        return None
    user = selectors.member_user(community=community, public_id=public_id)
    if user is None:
        message = _("This person is not a member of this community.")
        raise ValidationFailed(message, field_errors={field: [message]})
    return user


def limit_problem(community, exc: LimitReached) -> HttpResponse:
    """The 409 problem for a limit, with the community-fund path when it is offered."""
    response = problem(exc.status, exc.message, code=exc.code, errors=exc.field_errors)
    body = json.loads(response.content)
    body.update({"limit": exc.limit, "fund_path": None, "fund_request": None})
    if exc.fund_offered and exc.recipient is not None:
        ids = selectors.member_ids(community=community, users=[exc.recipient.pk])
        body["fund_path"] = reverse("api-v1:ledger_fund_requests_create", args=[community.slug])
        body["fund_request"] = {
            "to": ids.get(exc.recipient.pk, ""),
            "minutes": exc.minutes,
            "credit_request": getattr(exc.credit_request, "public_id", None),
        }
    response.content = json.dumps(body).encode()
    return response
