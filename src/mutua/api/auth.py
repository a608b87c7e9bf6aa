"""Who is calling: a personal access token first, otherwise the session cookie.

Ninja's own `SessionAuth` checks CSRF before anything else, so a token POST from a script fails
with 403. Here the bearer token is tried first; the session is used only when its cookie is
present, and only then is CSRF required (for unsafe methods).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from mutua.people.services import api_token_authenticate

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


class AccessToken(HttpBearer):
    """`Authorization: Bearer mutua_…`, a personal access token (hashed at rest, revocable)."""

    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        scheme, _sep, secret = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_authenticate(token)
        if user is None:
            # A wrong token is an error in itself: never fall back to the session cookie.
            raise AuthenticationError(
                401, _("This access token is not valid, or it has been revoked.")
            )
        return user


class SessionCookie(APIKeyCookie):
    """The browser session; CSRF is checked only when the cookie is sent."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        if request.method not in SAFE_METHODS and check_csrf(request) is not None:
            raise HttpError(
                403, _("The form was out of date (CSRF check failed). Reload and try again.")
            )
        return user


class Anonymous:
    """Lets an operation answer visitors who are not signed in (as an AnonymousUser)."""

    def __call__(self, request: HttpRequest) -> Any:
        if "Authorization" in request.headers:
            return None  # a malformed Authorization header is refused, not ignored
        return AnonymousUser()


access_token = AccessToken()
session_cookie = SessionCookie()
SIGNED_IN = [access_token, session_cookie]
ANYONE = [access_token, session_cookie, Anonymous()]
# The published schema marks operations open to visitors with an empty security requirement.
OPEN_TO_VISITORS: dict[str, Any] = {"security": [{}]}
