"""One-time signed links for acting from an e-mail or SMS without a password.

A link opens a page with GET (`signed_link_peek`: validates, changes nothing, because mail
scanners fetch every link) and acts on POST (`signed_link_consume`: single use). Only the
SHA-256 of the token is stored. The app that owns an action registers its page and its act:

    register_link_action("care.checkin", page=checkin_page, act=checkin_act)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.bulk import insert_rows, new_public_ids, reverse_one
from mutua.core.errors import Conflict, NotFound

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from mutua.notify.models import SignedLink
    from mutua.people.models import User

LinkView = Callable[["HttpRequest", "SignedLink"], "HttpResponse"]


@dataclass(frozen=True)
class LinkAction:
    page: LinkView
    act: LinkView


_ACTIONS: dict[str, LinkAction] = {}


def register_link_action(action: str, *, page: LinkView, act: LinkView) -> None:
    """`page(request, link)` renders the confirmation (GET); `act(request, link)` performs it
    (POST, inside the transaction that consumed the link: if it raises, the link stays unused)."""
    _ACTIONS[action] = LinkAction(page=page, act=act)


def link_action_get(action: str) -> LinkAction:
    try:
        return _ACTIONS[action]
    except KeyError:
        raise NotFound(_("This link is not valid.")) from None


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def signed_link_build(
    *, user: User, action: str, target_id: str, ttl: dt.timedelta, now: dt.datetime | None = None
) -> tuple[str, dict[str, Any]]:
    """The path `/l/<token>/` and the fields of the row that makes it work (only the token's
    hash is kept); it expires `ttl` after `now` (the batch's moment; the clock's by default).
    Save rows built for a batch with `signed_links_save`, in one transaction."""
    token = secrets.token_urlsafe(32)
    fields = {
        "token_hash": _hash(token),
        "user": user,
        "action": action,
        "target_id": str(target_id),
        "expires_at": (now or timezone.now()) + ttl,
    }
    return reverse_one("notify:signed_link", token), fields


def signed_link_create(
    *, user: User, action: str, target_id: str, ttl: dt.timedelta, now: dt.datetime | None = None
) -> str:
    """Make a link for `user` to do `action` on `target_id` once, before `ttl` runs out (from
    `now`, the clock's by default). Returns the path `/l/<token>/`; the token is never stored."""
    from mutua.notify.models import SignedLink

    path, fields = signed_link_build(
        user=user, action=action, target_id=target_id, ttl=ttl, now=now
    )
    SignedLink.objects.create(**fields)
    return path


def signed_links_save(rows: Sequence[dict[str, Any]]) -> None:
    """Insert rows made by `signed_link_build`, with one statement."""
    from mutua.notify.models import SignedLink

    ids = new_public_ids(len(rows))
    insert_rows(SignedLink, [{**row, "public_id": pid} for row, pid in zip(rows, ids, strict=True)])


@dataclass(frozen=True)
class LinkRequest:
    user: User
    action: str
    target_id: str
    ttl: dt.timedelta


def signed_link_create_many(requests: Sequence[LinkRequest]) -> list[str]:
    """`signed_link_create` for many links at once: the same tokens, one insert."""
    built = [
        signed_link_build(user=r.user, action=r.action, target_id=r.target_id, ttl=r.ttl)
        for r in requests
    ]
    signed_links_save([fields for _path, fields in built])
    return [path for path, _fields in built]


def _check(link: SignedLink | None) -> SignedLink:
    if link is None or not link.user.is_active:
        raise NotFound(_("This link is not valid. Please check that you copied all of it."))
    if link.used_at is not None:
        raise Conflict(_("This link has already been used. Each link works only once."))
    if link.expires_at <= timezone.now():
        raise Conflict(_("This link has expired. Please ask for a new one."))
    return link


def signed_link_peek(token: str) -> SignedLink:
    """Validate without using it up (GET). Raises NotFound (unknown or altered) or Conflict
    (used or expired)."""
    from mutua.notify.models import SignedLink

    link = SignedLink.objects.select_related("user").filter(token_hash=_hash(token)).first()
    return _check(link)


def signed_link_consume(token: str) -> SignedLink:
    """Use the link up (POST). Exactly one of two simultaneous POSTs succeeds."""
    from mutua.notify.models import SignedLink

    with transaction.atomic():
        link = (
            SignedLink.objects.select_for_update(of=("self",))
            .select_related("user")
            .filter(token_hash=_hash(token))
            .first()
        )
        link = _check(link)
        link.used_at = timezone.now()
        link.save(update_fields=["used_at"])
    return link
