"""Personal access tokens for the API: only their SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.core.errors import NotFound
from mutua.people.models import ApiToken, User
from mutua.people.services.profile import _invalid

TOKEN_PREFIX = "mutua_"


def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a personal access token; the secret is returned once and never stored."""
    name = name.strip()
    if not name or len(name) > 80:
        raise _invalid("name", _("Please give the token a name of up to 80 characters."))
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= 20:
        raise _invalid("name", _("You already have 20 tokens. Revoke one first."))
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:12], token_hash=_token_hash(secret)
    )
    return token, secret


@transaction.atomic
def api_token_revoke(*, user: User, public_id: str) -> ApiToken:
    token = ApiToken.objects.filter(user=user, public_id=public_id).first()
    if token is None:
        raise NotFound(_("No such token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(secret: str) -> User | None:
    """The active user owning this token, or None. Records when it was last used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(token_hash=_token_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
