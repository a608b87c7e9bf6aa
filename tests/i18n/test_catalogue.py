"""The Spanish catalogue is complete: every translatable string has a Spanish translation."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "mutua"
PO = SRC / "locale" / "es" / "LC_MESSAGES" / "django.po"


def _catalogue() -> polib.POFile:
    assert PO.exists(), "run `make messages` to create the Spanish catalogue"
    return polib.pofile(str(PO))


def test_every_entry_is_translated_and_none_is_fuzzy():
    po = _catalogue()
    untranslated = [e.msgid for e in po.untranslated_entries()]
    fuzzy = [e.msgid for e in po.fuzzy_entries()]
    assert not untranslated, f"untranslated: {untranslated[:10]}"
    assert not fuzzy, f"fuzzy: {fuzzy[:10]}"


def test_placeholders_survive_translation():
    for entry in _catalogue().translated_entries():
        for token in ("%(", "{{", "%s", "%d"):
            assert entry.msgid.count(token) == entry.msgstr.count(token) or entry.msgid_plural, (
                f"placeholder {token!r} differs in {entry.msgid!r}"
            )


def test_catalogue_holds_every_string_in_the_code(tmp_path):
    """Extracting the strings again adds nothing: no string was added without a translation."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("GNU gettext is required in CI (.ci/run installs it)")
        pytest.skip("install GNU gettext (apt-get install gettext) to check extraction")
    copy = tmp_path / "mutua"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutua.settings_test",
        "MUTUA_LOCALE_PATH": str(copy / "locale"),
    }
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "es",
            "--no-obsolete",
            "--ignore=migrations/*",
            "--ignore=settings*.py",
        ],
        cwd=copy,
        env=env,
        check=True,
        capture_output=True,
    )
    fresh = {(e.msgctxt, e.msgid) for e in polib.pofile(str(copy / PO.relative_to(SRC)))}
    committed = {(e.msgctxt, e.msgid) for e in _catalogue() if not e.obsolete}
    missing = sorted(m for _, m in fresh - committed)
    assert not missing, f"strings missing from the catalogue (run make messages): {missing[:10]}"
