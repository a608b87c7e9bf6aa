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
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

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


def signed_link_create(*, user: User, action: str, target_id: str, ttl: dt.timedelta) -> str:
    """Make a link for `user` to do `action` on `target_id` once, before `ttl` runs out.
    Returns the path `/l/<token>/`; the token itself is never stored."""
    from mutua.notify.models import SignedLink

    token = secrets.token_urlsafe(32)
    SignedLink.objects.create(
        token_hash=_hash(token),
        user=user,
        action=action,
        target_id=str(target_id),
        expires_at=timezone.now() + ttl,
    )
    return reverse("notify:signed_link", args=[token])


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
