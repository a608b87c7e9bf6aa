"""Builds the deterministic demo community. Extended by each capability as it lands."""

from __future__ import annotations

DEMO_PASSWORD = "mutua-demo"
DEMO_LOGINS: list[tuple[str, str]] = [
    ("steward", "steward@demo.mutua.local"),
    ("coordinator", "coordinator@demo.mutua.local"),
    ("caller", "caller@demo.mutua.local"),
    ("member", "member@demo.mutua.local"),
]
