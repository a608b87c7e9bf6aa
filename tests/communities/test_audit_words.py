"""Every action the code writes to the audit log has words on the audit page."""

from __future__ import annotations

import re
from pathlib import Path

from mutua.communities.views.common import ACTION_WORDS

SRC = Path(__file__).resolve().parents[2] / "src" / "mutua"
# action="x.y" inside an audit_record(...) call, and conditional forms like "a" if … else "b"
CALL = re.compile(r"audit_record\((?P<args>.*?)\n\s*\)", re.S)
ACTION = re.compile(r"action=(?P<expr>[^\n]*)")
LITERAL = re.compile(r'"([a-z_]+\.[a-z_]+)"')


def _actions_in_code() -> set[str]:
    found: set[str] = set()
    for path in SRC.rglob("*.py"):
        for call in CALL.finditer(path.read_text()):
            for action in ACTION.finditer(call.group("args")):
                found.update(LITERAL.findall(action.group("expr")))
    return found


def test_the_code_writes_audit_actions():
    assert {"ledger.record", "care.plan_create", "application.decline"} <= _actions_in_code()


def test_every_audit_action_has_words_for_the_audit_page():
    missing = sorted(_actions_in_code() - set(ACTION_WORDS))
    assert not missing, f"add these to ACTION_WORDS: {missing}"
