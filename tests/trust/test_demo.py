"""The demo shows every trust level."""

from __future__ import annotations

from mutua.trust.demo import build_trust
from tests.trust.helpers import member


def test_build_trust_shows_every_level(cast):
    for _ in range(9):
        member(cast.community)
    counts = build_trust(cast.community)
    assert counts["new"] >= 1
    assert counts["known"] >= 1
    assert counts["trusted"] >= 2  # the steward and at least one member
