"""Vietnamese first: every interface string is translated and the compiled catalogue is current."""

import ast
import gettext
import shutil
import subprocess
import sys
from pathlib import Path

from django.test import override_settings

WEB = Path(__file__).resolve().parents[2] / "web"
PO = WEB / "locale" / "vi" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _catalog(mo: Path) -> dict:
    with mo.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)


def test_compiled_catalogue_matches_the_po_file(tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check-format", "-o", str(fresh), str(PO)], check=True)
    assert _catalog(MO) == _catalog(fresh), "run: msgfmt -o web/locale/vi/LC_MESSAGES/django.mo <the .po>"


def test_nothing_untranslated_or_fuzzy(tmp_path):
    result = subprocess.run(
        ["msgfmt", "--statistics", "-o", str(tmp_path / "x.mo"), str(PO)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


def _po_msgids(text: str) -> set[str]:
    """msgids of a .po text, long ones joined from their continuation lines."""
    ids, current = set(), None
    for line in text.splitlines():
        if line.startswith("msgid "):
            current = ast.literal_eval(line[6:])
        elif line.startswith('"') and current is not None:
            current += ast.literal_eval(line)
        else:
            if current:
                ids.add(current)
            current = None
    return ids


def test_every_string_in_the_code_is_in_the_catalogue(tmp_path):
    """makemessages on a copy of web/ finds no string the committed .po lacks."""
    copy = tmp_path / "web"
    shutil.copytree(WEB, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "vi", "--no-location", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "DJANGO_SETTINGS_MODULE": "web.config.settings.test",
            "PYTHONPATH": str(WEB.parent),
        },
    )
    extracted = (copy / "locale" / "vi" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    committed = _po_msgids(PO.read_text(encoding="utf-8"))
    missing = sorted(_po_msgids(extracted) - committed)
    assert not missing, f"strings not in the .po (run makemessages and translate): {missing}"


@override_settings(LANGUAGE_CODE="vi")
def test_login_page_is_vietnamese_by_default(client, db):
    page = client.get("/login/").content.decode()
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Log in" not in page


def test_english_is_available(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/login/"})
    assert "Log in" in client.get("/login/").content.decode()
