"""Cursor pagination over `(created_at, id)`: stable under inserts, no page counting.

The cursor is opaque to clients (URL-safe base64 of the last row's created_at and id). Public
ids are random, so they cannot order a list; see docs/decisions/0002-public-ids-and-cursors.md.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any, Generic, TypeVar

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from mutua.core.errors import DomainError

T = TypeVar("T")
MAX_LIMIT = 100


class PageQuery(Schema):
    cursor: str | None = Field(
        None, max_length=200, pattern=r"^[A-Za-z0-9_=-]*$", description="From `next_cursor`."
    )
    limit: int = Field(25, ge=1, le=MAX_LIMIT, description="How many items, 1 to 100.")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def encode_cursor(created_at: dt.datetime, pk: int) -> str:
    raw = f"{created_at.isoformat()}|{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        stamp, _sep, pk = raw.partition("|")
        created_at = dt.datetime.fromisoformat(stamp)
        number = int(pk)
        if created_at.tzinfo is None or not 0 < number < 2**63:
            raise ValueError
    except (ValueError, binascii.Error, UnicodeDecodeError):
        message = _("This page link is not valid. Please start again from the first page.")
        raise DomainError(message, field_errors={"cursor": [message]}) from None
    return created_at, number


def paginate(queryset: QuerySet, page: PageQuery, *, newest_first: bool = False) -> dict[str, Any]:
    """One page of `queryset` ordered by (created_at, id), and the cursor for the next one."""
    if newest_first:
        queryset = queryset.order_by("-created_at", "-id")
    else:
        queryset = queryset.order_by("created_at", "id")
    if page.cursor:
        created_at, pk = decode_cursor(page.cursor)
        if newest_first:
            after = Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk)
        else:
            after = Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=pk)
        queryset = queryset.filter(after)
    rows = list(queryset[: page.limit + 1])
    items, more = rows[: page.limit], len(rows) > page.limit
    next_cursor = encode_cursor(items[-1].created_at, items[-1].pk) if more else None
    return {"items": items, "next_cursor": next_cursor}
