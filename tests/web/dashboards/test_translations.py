"""Dashboards speak Vietnamese first; the compiled catalogues match their sources."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import AS_OF

WEB = Path(__file__).resolve().parents[3] / "web"
CATALOGUES = sorted(WEB.glob("*/locale/vi/LC_MESSAGES/django.po"))


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext is installed by make system-deps")
@pytest.mark.parametrize("po", [p for p in CATALOGUES if p.parts[-5] in ("dashboards", "api")], ids=str)
def test_compiled_catalogue_is_up_to_date(po, tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
    assert fresh.read_bytes() == po.with_suffix(".mo").read_bytes(), f"run msgfmt for {po}"
    assert 'msgstr ""\n\n' not in po.read_text(encoding="utf-8").split("\n\n", 1)[1], "untranslated entry"


def test_dashboard_is_vietnamese_by_default_and_english_on_request(client, figures, coordinator):
    client.force_login(coordinator)
    url = f"/dashboards/plans/{figures.pk}/"
    html = client.get(url, {"period": "2024", "as_of": AS_OF}).content.decode()
    assert "Bảng theo dõi" in html and "Vượt" in html and "Không đạt" in html and "Vì sao?" in html
    client.cookies["django_language"] = "en"
    english = client.get(url, {"period": "2024", "as_of": AS_OF}).content.decode()
    assert "Dashboard" in english and "Not achieved" in english
