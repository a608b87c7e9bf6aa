"""Domain errors raised by services; interfaces turn them into messages or problem+json."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refusal a member can understand. `field_errors` maps field names to messages."""

    status = 400
    code = "invalid"

    def __init__(self, message: Any, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(str(message))
        self.message = str(message)
        self.field_errors = field_errors or {}


class ValidationFailed(DomainError):
    status = 422
    code = "validation"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not-found"


class Conflict(DomainError):
    status = 409
    code = "conflict"
