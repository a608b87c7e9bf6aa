"""RFC 9457 problem+json for every error the API answers, and the responses each operation declares.

Services raise `DomainError` subclasses whose `.message` is already a sentence for members; this
module only turns them (and Ninja's, Django's and unexpected errors) into one shape.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from http import HTTPStatus
from inspect import iscoroutinefunction
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from mutua.core.errors import DomainError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("mutua.api")

PROBLEM_MEDIA_TYPE = "application/problem+json"


class Problem(Schema):
    """An error, as RFC 9457 describes it. `errors` maps input fields to messages."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    code: str
    errors: dict[str, list[str]] = {}


# Every operation declares these, so refusals conform to the published schema.
ERROR_STATUSES = (400, 401, 403, 404, 409, 422)
ERRORS: dict[int, Any] = dict.fromkeys(ERROR_STATUSES, Problem)


def responses(ok: dict[int, Any]) -> dict[int, Any]:
    """The success responses of an operation plus the shared problem responses."""
    return {**ok, **ERRORS}


CODES = {
    400: "invalid",
    401: "unauthenticated",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    422: "validation",
    429: "too-many-requests",
    500: "server-error",
}


def problem(
    status: int,
    detail: str,
    *,
    code: str = "",
    errors: dict[str, list[str]] | None = None,
) -> HttpResponse:
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "code": code or CODES.get(status, "error"),
        "errors": errors or {},
    }
    return HttpResponse(
        json.dumps(body, cls=DjangoJSONEncoder),
        status=status,
        content_type=f"{PROBLEM_MEDIA_TYPE}; charset=utf-8",
    )


def _field_name(loc: tuple | list) -> str:
    """`("body", "payload", "windows", 0, "end")` → `windows.0.end`; `("query", "q")` → `q`."""
    parts = [str(p) for p in loc]
    if not parts:
        return "body"
    source, rest = parts[0], parts[1:]
    if source == "body" and len(rest) > 1:
        rest = rest[1:]  # drop the name of the body parameter
    return ".".join(rest) or source


def _validation_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        message = str(error.get("msg", "")).removeprefix("Value error, ")
        errors.setdefault(_field_name(error.get("loc", ())), []).append(message)
    return errors


def install_handlers(api: NinjaAPI) -> None:
    def on_domain(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(exc.status, exc.message, code=exc.code, errors=exc.field_errors)

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(
            422,
            _("Some of the information sent is not valid. Please check the fields listed."),
            errors=_validation_errors(exc),
        )

    def on_authentication(request: HttpRequest, exc: Any) -> HttpResponse:
        message = exc.message if exc.message != "Unauthorized" else ""
        response = problem(401, message or _("Please sign in or send a valid access token."))
        response["WWW-Authenticate"] = 'Bearer realm="mutua"'
        return response

    def on_http_error(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(exc.status_code, str(exc))

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(404, _("There is nothing at this address."))

    def on_forbidden(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(403, _("You are not allowed to do this."))

    def on_integrity(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.warning("integrity error on %s %s: %s", request.method, request.path, exc)
        return problem(409, _("Someone changed this at the same moment. Please try again."))

    def on_unexpected(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("unexpected error on %s %s", request.method, request.path)
        return problem(500, _("Something went wrong on our side. Please try again later."))

    api.add_exception_handler(DomainError, on_domain)
    api.add_exception_handler(NinjaValidationError, on_validation)
    api.add_exception_handler(AuthenticationError, on_authentication)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(DjangoPermissionDenied, on_forbidden)
    api.add_exception_handler(IntegrityError, on_integrity)
    api.add_exception_handler(Exception, on_unexpected)


def _method_problem(request: HttpRequest, response: Any) -> Any:
    if not isinstance(response, HttpResponseNotAllowed):
        return response
    allowed = ", ".join(sorted({m.strip() for m in response["Allow"].split(",") if m.strip()}))
    detail = _("This address does not accept %(method)s. It accepts: %(allowed)s.") % {
        "method": request.method,
        "allowed": allowed,
    }
    answer = problem(405, detail)
    answer["Allow"] = allowed
    return answer


def problem_for_wrong_method(view: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja answers a method a path does not serve with a plain-text 405 of its own, outside
    the exception handlers; wrap its views so that answer is a problem too (with `Allow`)."""
    if iscoroutinefunction(view):

        @wraps(view)
        async def async_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            return _method_problem(request, await view(request, *args, **kwargs))

        return async_view

    @wraps(view)  # keeps `csrf_exempt`: the API checks CSRF itself (api/auth.py)
    def sync_view(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        return _method_problem(request, view(request, *args, **kwargs))

    return sync_view


def publish_problem_media_type(schema: dict[str, Any]) -> dict[str, Any]:
    """Error responses are served as application/problem+json; say so in the published schema."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for status, response in operation.get("responses", {}).items():
                if int(status) < 400:
                    continue
                content = response.get("content") or {}
                if "application/json" in content:
                    response["content"] = {PROBLEM_MEDIA_TYPE: content["application/json"]}
    return schema
