"""The API v1 root. Endpoints live in each app's api.py and are mounted here.

Conventions (DESIGN.md "API conventions"): bearer token first, then the session cookie (CSRF only
when the cookie is sent); every error is RFC 9457 problem+json and every operation declares its
error responses; lists use cursor pagination.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import URLPattern
from ninja import NinjaAPI, Router

from mutua.api.auth import SIGNED_IN
from mutua.api.errors import install_handlers, problem_for_wrong_method, publish_problem_media_type


class MutuaAPI(NinjaAPI):
    def _get_urls(self) -> Any:
        # Ninja's own 405 bypasses the exception handlers, so every view is wrapped. `_get_urls`
        # is Ninja's; tests/api/test_method_not_allowed.py notices if an upgrade changes it.
        return [
            URLPattern(p.pattern, problem_for_wrong_method(p.callback), p.default_args, p.name)
            if isinstance(p, URLPattern)
            else p
            for p in super()._get_urls()
        ]

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return publish_problem_media_type(schema)


api = MutuaAPI(
    title="Mutua API",
    version="1",
    description=(
        "The API of Mutua, software for mutual aid networks. Send a personal access token as "
        "`Authorization: Bearer <token>`, or use the browser session (with the CSRF token). "
        "Errors are RFC 9457 problem+json."
    ),
    urls_namespace="api-v1",
    docs_url="/docs",
    auth=SIGNED_IN,
)
install_handlers(api)


def _mount() -> None:
    from mutua.communities.api import router as communities_router
    from mutua.communities.api import standalone as communities_standalone
    from mutua.communities.api_catalogue import router as catalogue_router
    from mutua.notify.api import router as notify_router
    from mutua.people.api import router as me_router

    api.add_router("/me", me_router)
    api.add_router("/communities", communities_router)
    api.add_router("/communities", catalogue_router)
    api.add_router("/notifications", notify_router)
    api.add_router("", communities_standalone)
    api.add_router("", __import__("mutua.exchange.api", fromlist=["router"]).router)
    api.add_router("/care", __import__("mutua.care.api", fromlist=["router"]).router)
    api.add_router("", __import__("mutua.exchange.api_coordination", fromlist=["router"]).router)
    api.add_router("", __import__("mutua.ledger.api", fromlist=["router"]).router)
    api.add_router("", __import__("mutua.trust.api", fromlist=["router"]).router)
    api.add_router("", __import__("mutua.matching.api", fromlist=["router"]).router)
    api.add_router("", fallback)


# Unknown addresses under /api/v1/ answer problem+json too, not Django's HTML 404 page.
fallback = Router(auth=None)


@fallback.api_operation(
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE"],
    "/{path:rest}",
    include_in_schema=False,
)
def not_found(request: HttpRequest, rest: str) -> Any:
    from django.http import Http404

    raise Http404


_mount()
