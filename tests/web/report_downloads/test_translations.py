"""The download buttons and messages speak Vietnamese; the compiled catalogue matches its source."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from ..dashboards.conftest import AS_OF

PO = Path(__file__).resolve().parents[3] / "web" / "reports" / "locale" / "vi" / "LC_MESSAGES" / "django.po"


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is installed by make system-deps")
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


def test_buttons_are_english_on_request(client, figures, coordinator):
    client.force_login(coordinator)
    client.cookies["django_language"] = "en"
    html = client.get(f"/dashboards/plans/{figures.pk}/", {"period": "2024", "as_of": AS_OF}).content.decode()
    assert "Download the report (Word)" in html and "Tải báo cáo" not in html
