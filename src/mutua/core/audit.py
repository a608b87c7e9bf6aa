"""Writing and reading the audit log."""

from __future__ import annotations

import re
from typing import Any

from mutua.core.models import AuditEntry

# Field names whose values never appear in the log, whoever reads it.
REDACTED_FIELDS = frozenset(
    {"address", "phone", "access_notes", "health_notes", "email", "token", "token_hash", "answers"}
)
REDACTED = "[redacted]"
# A target's label is its __str__, which may name an e-mail address (an invitation, a user
# without a profile); members read the log, so addresses never reach it.
EMAIL_RE = re.compile(r"[^\s@<>]+@[^\s@<>]+")


def redact(data: dict[str, Any] | None) -> dict[str, Any]:
    return {k: (REDACTED if k in REDACTED_FIELDS else v) for k, v in (data or {}).items()}


def audit_record(
    *,
    actor,
    action: str,
    community=None,
    target=None,
    subject=None,
    before: dict | None = None,
    after: dict | None = None,
    reason: str = "",
    is_safeguarding: bool = False,
) -> AuditEntry:
    """Append one entry; sensitive fields are redacted before they are stored."""
    target_type = target_id = target_label = ""
    if target is not None:
        target_type = target._meta.model_name
        target_id = str(
            getattr(target, "public_id", None) or getattr(target, "slug", None) or target.pk
        )
        target_label = EMAIL_RE.sub(REDACTED, str(target))[:200]
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        community=community,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label,
        subject=subject,
        before=redact(before),
        after=redact(after),
        reason=reason,
        is_safeguarding=is_safeguarding,
    )
