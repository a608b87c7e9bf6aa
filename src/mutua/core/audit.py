"""Writing the audit log: one entry per action, sensitive fields redacted, no personal names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mutua.core.models import AuditEntry

# Field names whose values never appear in the log, whoever reads it.
REDACTED_FIELDS = frozenset(
    {"address", "phone", "access_notes", "health_notes", "email", "token", "token_hash", "answers"}
)
REDACTED = "[redacted]"
# A target's label may name an e-mail address (an invitation); members read the log, so
# addresses never reach it.
EMAIL_RE = re.compile(r"[^\s@<>]+@[^\s@<>]+")
# Entries about a concern (its report and its review) are never shown to the person it is
# about, not even in their data export: the actor would tell them who reported it. Other
# safeguarding entries (a suspension) stay visible to the person concerned.
CONCERN_ACTIONS = frozenset({"safeguarding.concern", "safeguarding.review"})


def redact(data: dict[str, Any] | None) -> dict[str, Any]:
    return {k: (REDACTED if k in REDACTED_FIELDS else v) for k, v in (data or {}).items()}


def target_label_of(target) -> str:
    """What the entry may keep forever about its target.

    A model whose text names a person (a user, a membership, an application) says so with an
    `audit_label` of "": the page names that person from the live subject instead, so deleting
    the account anonymises the history (decision 0009). Anything else keeps its text.
    """
    label = getattr(target, "audit_label", None)
    if label is None:
        label = str(target)
    return EMAIL_RE.sub(REDACTED, str(label))[:200]


def _target_fields(target) -> dict[str, str]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_label": ""}
    target_id = getattr(target, "public_id", None) or getattr(target, "slug", None) or target.pk
    return {
        "target_type": target._meta.model_name,
        "target_id": str(target_id),
        "target_label": target_label_of(target),
    }


def _actor(actor):
    return actor if actor is not None and actor.is_authenticated else None


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
    return AuditEntry.objects.create(
        actor=_actor(actor),
        action=action,
        community=community,
        subject=subject,
        before=redact(before),
        after=redact(after),
        reason=reason,
        is_safeguarding=is_safeguarding,
        **_target_fields(target),
    )


def audit_record_many(
    *,
    actor,
    action: str,
    community=None,
    subjects: Iterable,
    after: dict | None = None,
    is_safeguarding: bool = False,
) -> list[AuditEntry]:
    """One entry per subject (each is the target too), written in one INSERT."""
    entries = [
        AuditEntry(
            actor=_actor(actor),
            action=action,
            community=community,
            subject=subject,
            after=redact(after),
            is_safeguarding=is_safeguarding,
            **_target_fields(subject),
        )
        for subject in subjects
    ]
    return AuditEntry.objects.bulk_create(entries)
