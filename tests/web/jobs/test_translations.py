"""The jobs' catalogue (web/jobs/locale): compiled, complete, and holding every string of the app."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[3] / "web" / "jobs"
PO = APP / "locale" / "vi" / "LC_MESSAGES" / "django.po"

pytestmark = pytest.mark.skipif(
    shutil.which("msgfmt") is None, reason="gettext is installed by make system-deps"
)


def _msgids(text: str) -> set[str]:
    return {m for m in re.findall(r'^msgid "(.*)"$', text, re.M) if m}


def test_compiled_catalogue_is_current_and_complete(tmp_path):
    fresh = tmp_path / "django.mo"
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(fresh), str(PO)],
        check=True,
        capture_output=True,
        text=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr
    assert fresh.read_bytes() == PO.with_suffix(".mo").read_bytes(), f"run msgfmt for {PO}"


def test_every_string_of_the_app_is_in_its_catalogue(tmp_path):
    copy = tmp_path / "jobs"
    shutil.copytree(APP, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo", "*.po"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "vi", "--no-location"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(APP.parents[1]),
            "DJANGO_SETTINGS_MODULE": "web.config.settings.test",
        },
    )
    extracted = (copy / "locale" / "vi" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    missing = sorted(_msgids(extracted) - _msgids(PO.read_text(encoding="utf-8")))
    assert not missing, f"strings not in {PO}: {missing}"
