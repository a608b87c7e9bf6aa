"""RFC 9457 problem+json for every error the API answers, and the responses each operation declares.

Services raise `DomainError` subclasses whose `.message` is already a sentence for members; this
module only turns them (and Ninja's, Django's and unexpected errors) into one shape.
"""

from __future__ import annotations

import json
import logging
import re
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
        "title": HTTPStatus(status).phrase,  # RFC 9457: about:blank takes the HTTP phrase
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


def _choices(expected: str) -> str:
    """pydantic's "'a', 'b' or 'c'" as a plain list: a, b, c."""
    found = re.findall(r"'((?:[^'\\]|\\.)*)'", expected)
    return ", ".join(found) if found else expected


def _n(ctx: dict, *keys: str) -> Any:
    for key in keys:
        if key in ctx:
            return ctx[key]
    return "?"


def message_for(error: dict[str, Any]) -> str:
    """One pydantic error in plain words, in the request's language."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This is needed.")
    if kind == "extra_forbidden":
        return _("This field is not expected here. Please leave it out.")
    if kind == "string_too_long":
        return _("Please use at most %(n)s characters.") % {"n": _n(ctx, "max_length")}
    if kind == "string_too_short":
        n = _n(ctx, "min_length")
        return (
            _("This cannot be empty.")
            if n == 1
            else _("Please use at least %(n)s characters.") % {"n": n}
        )
    if kind == "too_long":
        return _("Please give at most %(n)s items.") % {"n": _n(ctx, "max_length")}
    if kind == "too_short":
        return _("Please give at least %(n)s items.") % {"n": _n(ctx, "min_length")}
    if kind in ("literal_error", "enum"):
        return _("Please choose one of: %(choices)s.") % {
            "choices": _choices(str(_n(ctx, "expected")))
        }
    if kind in ("greater_than_equal", "greater_than"):
        limit = _n(ctx, "ge", "gt")
        if kind == "greater_than":
            return _("Please give a number above %(n)s.") % {"n": limit}
        return _("Please give a number of at least %(n)s.") % {"n": limit}
    if kind in ("less_than_equal", "less_than"):
        limit = _n(ctx, "le", "lt")
        if kind == "less_than":
            return _("Please give a number below %(n)s.") % {"n": limit}
        return _("Please give a number of at most %(n)s.") % {"n": limit}
    if kind == "string_pattern_mismatch":
        return _("This has characters or a form that is not allowed here.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return _("Please give a whole number.")
    if kind in ("float_type", "float_parsing", "finite_number"):
        return _("Please give a number.")
    if kind in ("bool_type", "bool_parsing"):
        return _("Please give true or false.")
    if kind in ("string_type", "string_unicode"):
        return _("Please give text.")
    if kind in ("list_type", "tuple_type", "set_type"):
        return _("Please give a list.")
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return _("Please give an object with named fields.")
    if kind.startswith("date_") or kind == "date_type":
        return _("Please give a date such as 2025-04-30.")
    if kind.startswith("datetime_") or kind == "datetime_type":
        return _("Please give a date and time such as 2025-04-30T14:00:00Z.")
    if kind.startswith("time_") or kind == "time_type":
        return _("Please give a time such as 09:30.")
    if kind.startswith("uuid"):
        return _("Please give a valid identifier.")
    if kind == "json_invalid":
        return _("The body is not valid JSON.")
    if kind == "value_error":
        # Our own validators raise ValueError with a sentence already translated.
        return str(error.get("msg", "")).removeprefix("Value error, ") or _("This is not valid.")
    return _("This value is not valid.")


def _validation_errors(exc: NinjaValidationError) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for error in exc.errors:
        errors.setdefault(_field_name(error.get("loc", ())), []).append(message_for(error))
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
