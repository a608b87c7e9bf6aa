"""The permission table in docs/architecture.md says what mutua.core.permissions.MATRIX does."""

from __future__ import annotations

import re
from pathlib import Path

from mutua.core.permissions import GRANTABLE, MATRIX, RANK

ARCHITECTURE = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"
ROLES = ["member", "caller", "coordinator", "steward"]


def test_permission_table_in_the_docs_matches_the_matrix():
    # given the table rows of docs/architecture.md
    rows = {}
    for line in ARCHITECTURE.read_text().splitlines():
        match = re.match(r"^\| `([a-z_]+\.[a-z_]+)` \|(.*)\|$", line)
        if match:
            cells = [c.strip() for c in match.group(2).split("|")]
            rows[match.group(1)] = cells
    # then every action is there, with a tick exactly for the roles that may do it
    assert set(rows) == set(MATRIX)
    for action, lowest in MATRIX.items():
        ticks = [cell == "✓" for cell in rows[action][:4]]
        assert ticks == [RANK[role] >= RANK[lowest] for role in ROLES], action
        assert rows[action][4] == ("yes" if action in GRANTABLE else "no"), action
