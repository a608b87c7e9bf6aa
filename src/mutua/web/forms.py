"""Helpers shared by the web pages' forms."""

from __future__ import annotations

from django import forms

from mutua.core.errors import DomainError


def show_domain_error(form: forms.Form, exc: DomainError, *, field_map: dict | None = None) -> None:
    """Copy a service's refusal onto the form: per field where it names one, else at the top."""
    field_map = field_map or {}
    placed = False
    for field, messages in exc.field_errors.items():
        name = field_map.get(field, field)
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
            placed = True
    if not placed:
        form.add_error(None, exc.message)
