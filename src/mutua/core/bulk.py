"""Writing many rows fast: one `executemany` INSERT or UPDATE instead of one model at a time.

For batch jobs (the care sweep) where building a model instance per row costs more than the
database work. Rows are dicts of field values: a foreign key as an instance (its pk is read at
write time, so it may be saved in between) or by its column (`recipient_id`). Fields left out
get their defaults and `auto_now`/`auto_now_add` the current time, as `save()` would; every
value goes through its field's `get_db_prep_save`, once per distinct value of a column.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, ForeignKey, Model
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation

from mutua.core.ids import ALPHABET, PUBLIC_ID_LENGTH

# base32 puts 5 random bits in each character: translated to our alphabet, 10 random bytes
# make one public id exactly as `new_public_id` does (16 uniform characters).
_B32 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", ALPHABET)
_BYTES = PUBLIC_ID_LENGTH * 5 // 8


def new_public_ids(n: int) -> list[str]:
    """`n` ids as `mutua.core.ids.new_public_id` makes them, without a call per character."""
    text = base64.b32encode(secrets.token_bytes(_BYTES * n)).decode().translate(_B32)
    return [
        text[i : i + PUBLIC_ID_LENGTH] for i in range(0, n * PUBLIC_ID_LENGTH, PUBLIC_ID_LENGTH)
    ]


_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")
_STAND_IN = "standIn0x"
_PATTERNS: dict[tuple[str, str, Any, str | None], str] = {}

# Django keeps the active language, script prefix and URL configuration in thread (asgiref)
# locals; each read costs microseconds, which a batch job pays several times per row. Inside
# `one_locale()` they are read once, at the start: (script prefix, urlconf, language), and the
# texts translated so far.
_LOCALE: ContextVar[tuple[tuple[str, Any, str | None], dict[str, str]] | None] = ContextVar(
    "mutua_one_locale", default=None
)


def _locale_now() -> tuple[str, Any, str | None]:
    return get_script_prefix(), get_urlconf(), translation.get_language()


@contextmanager
def one_locale() -> Iterator[None]:
    """Run a batch in the current language and URL configuration, read once: within it,
    `reverse_one`, `current_language` and `gettext_once` answer as outside but without reading
    Django's thread locals again. Nothing inside may change them (no `translation.override`);
    keep the block to the code that builds rows."""
    token = _LOCALE.set((_locale_now(), {}))
    try:
        yield
    finally:
        _LOCALE.reset(token)


def current_language() -> str | None:
    """`translation.get_language()`, read once per `one_locale()` block."""
    scope = _LOCALE.get()
    return translation.get_language() if scope is None else scope[0][2]


def gettext_once(message: str) -> str:
    """`gettext(message)`, translated once per `one_locale()` block. Mark the message for
    translation where it is defined (`gettext_noop`)."""
    scope = _LOCALE.get()
    if scope is None:
        return translation.gettext(message)
    texts = scope[1]
    if message not in texts:
        texts[message] = translation.gettext(message)
    return texts[message]


def reverse_one(name: str, arg: str) -> str:
    """`reverse(name, args=[arg])` for an argument of URL-safe characters (a token, a public
    id), from a cached pattern: such an argument is put in unchanged, like the stand-in it
    replaces. Anything else goes through `reverse` itself."""
    scope = _LOCALE.get()
    key = (name, *(_locale_now() if scope is None else scope[0]))
    if key not in _PATTERNS:
        _PATTERNS[key] = reverse(name, args=[_STAND_IN])
    pattern = _PATTERNS[key]
    if pattern.count(_STAND_IN) != 1 or not _URL_SAFE.fullmatch(arg):
        return reverse(name, args=[arg])
    return pattern.replace(_STAND_IN, arg)


_MISSING = object()
_IN_CHUNK = 2000  # values per IN (...) list
_TEXT_FIELDS = (models.CharField, models.TextField)
_INT_FIELDS = (models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField)


class _Column:
    """How one field's database values are found for a list of rows."""

    def __init__(
        self, field: Field, now: Any, given: set[str], connection: BaseDatabaseWrapper
    ) -> None:
        self.field = field
        self.connection = connection
        target = field.target_field if field.is_relation else field
        # Values these fields store as they are: no need to prepare each one.
        self.as_is: type | None = str if type(field) in _TEXT_FIELDS else None
        if type(target) in _INT_FIELDS and (field is target or type(field) is ForeignKey):
            self.as_is = int
        self.keys = [k for k in (field.attname, field.name) if k in given]
        auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        self.fixed = now if auto else None

    def _raws(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        default = self.field.get_default
        if not self.keys:
            return [default() for _row in rows]
        if len(self.keys) == 1:
            key = self.keys[0]
            return [row[key] if key in row else default() for row in rows]
        attname, name = self.keys
        return [
            row[attname] if attname in row else row[name] if name in row else default()
            for row in rows
        ]

    def values(self, rows: Sequence[dict[str, Any]]) -> list[Any]:
        prepare, connection = self.field.get_db_prep_save, self.connection
        if self.fixed is not None:
            return [prepare(self.fixed, connection)] * len(rows)
        raws = self._raws(rows)
        if self.field.is_relation:
            raws = [r.pk if isinstance(r, Model) else r for r in raws]
        kinds = set(map(type, raws))
        if kinds == {self.as_is}:
            return raws
        if len(kinds) == 1 and raws.count(raws[0]) == len(raws):
            return [prepare(raws[0], connection)] * len(raws)
        out: list[Any] = []
        last: Any = _MISSING
        prepared = None
        for raw in raws:
            if type(raw) is self.as_is:
                out.append(raw)
                continue
            if raw is not last and (type(raw) is not type(last) or raw != last):
                last, prepared = raw, prepare(raw, connection)
            out.append(prepared)
        return out


def insert_rows(model: type[Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row with one statement run for all of them. Needs no ids back: read them
    by a unique column (`public_id`) when you need them."""
    if not rows:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    given: set[str] = set().union(*rows)  # every key some row gives
    fields = [
        f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in given)
    ]
    columns = [_Column(f, now, given, connection) for f in fields]
    qn = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(  # noqa: S608 - names from the model
        qn(model._meta.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    params = list(zip(*[c.values(rows) for c in columns], strict=True))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def ids_by_public_id(model: type[Model], public_ids: Sequence[str]) -> dict[str, int]:
    """The ids of the rows with these public ids (written by `insert_rows`, say), by public id.
    Plain SQL: an ORM `__in` of thousands of values prepares each one in Python."""
    connection = connections[DEFAULT_DB_ALIAS]
    qn = connection.ops.quote_name
    column = model._meta.get_field("public_id").column
    found: dict[str, int] = {}
    with connection.cursor() as cursor:
        for start in range(0, len(public_ids), _IN_CHUNK):
            chunk = list(public_ids[start : start + _IN_CHUNK])
            cursor.execute(
                "SELECT {}, {} FROM {} WHERE {} IN ({})".format(  # noqa: S608 - model names
                    qn(column),
                    qn(model._meta.pk.column),
                    qn(model._meta.db_table),
                    qn(column),
                    ", ".join(["%s"] * len(chunk)),
                ),
                chunk,
            )
            found.update(cursor.fetchall())
    return found


def update_rows(model: type[Model], objs: Sequence[Model], fields: Iterable[str]) -> None:
    """`save(update_fields=fields)` for every instance, as one UPDATE run for all of them
    (`auto_now` fields are set too). Foreign keys assigned an instance saved since are
    resolved first, as `save()` does. A field some instance did not load (deferred) is
    refused, as `save()` refuses it: its stored value is unknown here."""
    if not objs:
        return
    meta = model._meta
    names = set(fields)
    chosen = [
        f
        for f in meta.concrete_fields
        if not f.primary_key
        and (f.name in names or f.attname in names or getattr(f, "auto_now", False))
    ]
    connection = connections[DEFAULT_DB_ALIAS]
    now = timezone.now()
    for obj in objs:
        for f in chosen:
            if getattr(f, "auto_now", False):
                obj.__dict__[f.attname] = now
            elif f.is_relation:  # an instance assigned before it was saved: its id now
                related = f.get_cached_value(obj, None)
                if related is not None:
                    if related.pk is None:
                        raise ValueError(f"save() prohibited: unsaved related object '{f.name}'")
                    obj.__dict__[f.attname] = related.pk
    states = [obj.__dict__ for obj in objs]
    unloaded = {f.attname for f in chosen for state in states if f.attname not in state}
    if unloaded:
        raise ValueError(f"update_rows of fields not loaded: {', '.join(sorted(unloaded))}")
    columns = [_Column(f, None, {f.attname}, connection) for f in chosen]
    qn = connection.ops.quote_name
    sql = "UPDATE {} SET {} WHERE {} = %s".format(  # noqa: S608 - names from the model
        qn(meta.db_table),
        ", ".join(f"{qn(f.column)} = %s" for f in chosen),
        qn(meta.pk.column),
    )
    params = list(zip(*[c.values(states) for c in columns], [obj.pk for obj in objs], strict=True))
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
