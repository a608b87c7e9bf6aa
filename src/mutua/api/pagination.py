"""Cursor pagination: keyset over the list's order, stable under inserts, no page counting.

Lists order by `(created_at, public_id)` — the public id only breaks ties between rows made in
the same microsecond — or by keys an endpoint names (skills have no creation time; the dispatch
board orders by an annotated urgency rank first). A key is a model field or an annotation of
the queryset; the last key must be unique so the order is total. The
cursor carries the last row's key values, signed so it cannot be forged or edited; it never
holds a sequential primary key of a private row (decision 0002, revised by 0009).
"""

from __future__ import annotations

import datetime as dt
import operator
from functools import reduce
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Model, Q, QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from mutua.core.errors import DomainError

T = TypeVar("T")
MAX_LIMIT = 100
SALT = "mutua.api.cursor"


class PageQuery(Schema):
    cursor: str | None = Field(
        None, max_length=500, pattern=r"^[A-Za-z0-9_:=-]*$", description="From `next_cursor`."
    )
    limit: int = Field(25, ge=1, le=MAX_LIMIT, description="How many items, 1 to 100.")


class Page(Schema, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def default_keys(model: type[Model]) -> tuple[str, ...]:
    """`created_at` and the row's public name: its public id, else a unique slug, else pk."""
    names = {f.name: f for f in model._meta.concrete_fields}
    for name in ("public_id", "slug"):
        if name in names and names[name].unique:
            return ("created_at", name)
    return ("created_at", "pk")


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.datetime | dt.date) else value


def encode_cursor(values: list[Any]) -> str:
    return signing.dumps([_plain(v) for v in values], salt=SALT, compress=False)


def _invalid_cursor() -> DomainError:
    message = _("This page link is not valid. Please start again from the first page.")
    return DomainError(message, field_errors={"cursor": [message]})


def _key_field(model: type[Model], key: str, annotations: dict[str, Any]) -> Any:
    if key == "pk":
        return model._meta.pk
    if key in annotations:
        return annotations[key].output_field
    return model._meta.get_field(key)


def decode_cursor(
    cursor: str,
    model: type[Model],
    keys: tuple[str, ...],
    annotations: dict[str, Any] | None = None,
) -> list[Any]:
    """The cursor's key values; `annotations` are the queryset's, for keys that are not fields."""
    try:
        values = signing.loads(cursor, salt=SALT)
    except signing.BadSignature:
        raise _invalid_cursor() from None
    if not isinstance(values, list) or len(values) != len(keys):
        raise _invalid_cursor()
    out = []
    for key, value in zip(keys, values, strict=True):
        field = _key_field(model, key, annotations or {})
        try:
            out.append(field.to_python(value))  # type: ignore[union-attr]
        except Exception:
            raise _invalid_cursor() from None
    return out


def _after(keys: tuple[str, ...], values: list[Any], descending: bool) -> Q:
    """Rows after the cursor in lexicographic order of `keys`."""
    beyond = "lt" if descending else "gt"
    terms = []
    for i, key in enumerate(keys):
        equal = {k: v for k, v in zip(keys[:i], values[:i], strict=True)}
        terms.append(Q(**equal, **{f"{key}__{beyond}": values[i]}))
    return reduce(operator.or_, terms)


def paginate(
    queryset: QuerySet,
    page: PageQuery,
    *,
    newest_first: bool = False,
    keys: tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """One page of `queryset` in the order of `keys`, and the cursor for the next one."""
    keys = keys or default_keys(queryset.model)
    queryset = queryset.order_by(*(f"-{k}" if newest_first else k for k in keys))
    if page.cursor:
        values = decode_cursor(page.cursor, queryset.model, keys, queryset.query.annotations)
        queryset = queryset.filter(_after(keys, values, newest_first))
    rows = list(queryset[: page.limit + 1])
    items, more = rows[: page.limit], len(rows) > page.limit
    next_cursor = None
    if more:
        last = items[-1]
        next_cursor = encode_cursor([getattr(last, k) for k in keys])
    return {"items": items, "next_cursor": next_cursor}
