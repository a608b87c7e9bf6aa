"""What each app holds about a person: one registry for the export and one for deletion.

`people.services.account_export` and `account_delete` call every registered function, so an
app that keeps data about people adds its part here instead of the people app knowing it.

The contract
------------
``register_account_export(name, fn)``
    ``fn(user)`` returns the app's data about `user` as JSON-ready values (dict, list, str,
    int, float, bool, None; dates and times as ISO 8601 strings). It appears in the export
    under ``name``, which must be unique (use the app's nouns: "needs", "care_plans"). Include
    what the person wrote and what was recorded about them; leave out other people's
    personal details (their names, addresses) and secrets (hashes, tokens).

``register_account_anonymise(name, fn)``
    ``fn(user)`` removes or blanks everything in the app's rows that identifies `user`, and
    keeps the rows others rely on (history, balances, the audit log). It runs inside
    account_delete's transaction, before the account itself is anonymised, so `user.email`
    and the profile are still readable. It must be idempotent, send nothing, and raise a
    `DomainError` to refuse (then nothing at all changes).

Register both in the app's ``AppConfig.ready()``; registering a name again replaces it.
The audit log is never edited: entries name people through their live profile, which the
people app anonymises last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mutua.people.models import User

ExportFn = Callable[["User"], Any]
AnonymiseFn = Callable[["User"], None]

_EXPORTS: dict[str, ExportFn] = {}
_ANONYMISERS: dict[str, AnonymiseFn] = {}


def register_account_export(name: str, fn: ExportFn) -> ExportFn:
    _EXPORTS[name] = fn
    return fn


def register_account_anonymise(name: str, fn: AnonymiseFn) -> AnonymiseFn:
    _ANONYMISERS[name] = fn
    return fn


def export_sections(user: User) -> dict[str, Any]:
    """Every registered part of the export, in the order the apps registered them."""
    return {name: fn(user) for name, fn in _EXPORTS.items()}


def anonymise_everywhere(user: User) -> None:
    for fn in _ANONYMISERS.values():
        fn(user)


def registered() -> tuple[list[str], list[str]]:
    """Names of the export parts and of the anonymisers (for tests and the docs)."""
    return list(_EXPORTS), list(_ANONYMISERS)
