"""Issue 17: `chitieu publish PLAN_ID DIR` writes a published plan's public page as static files.

The core's command hands the work to the web app's `manage.py publish` in a child process, so the
test runs both as a user would: against a database file of its own, outside the test database."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from chitieu import konray

SET_UP = """
from django.contrib.auth import get_user_model
from web.orgs.services import kon_ray_units_ensure
from web.plans.services import plan_import, plan_version_confirm
from web.public.services import plan_publish
area = kon_ray_units_ensure()
admin = get_user_model().objects.create_superuser("quantri", "", "x")
version = plan_import(actor=admin, data=open({annex!r}, "rb").read(), filename="annex.txt", area=area)
version = plan_version_confirm(actor=admin, version=version)
plan_publish(actor=admin, plan=version.plan, published=True)
print(version.plan.pk)
"""


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=120)


@pytest.fixture
def database(tmp_path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    env["DJANGO_SETTINGS_MODULE"] = "web.config.settings.test"
    assert _run("-m", "django", "migrate", "-v0", env=env).returncode == 0
    return env


def test_chitieu_publish_writes_the_public_page_and_names_a_plan_it_cannot(database, tmp_path):
    made = _run("-m", "django", "shell", "-c", SET_UP.format(annex=str(konray.ANNEX)), env=database)
    assert made.returncode == 0, made.stderr
    plan_id = made.stdout.strip().splitlines()[-1]

    out = tmp_path / "site"
    done = _run("-m", "chitieu", "publish", plan_id, str(out), env=database)
    assert done.returncode == 0, done.stderr
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "Kon Rẫy" in page and (out / "site.css").is_file()
    assert any(p.suffix == ".csv" for p in out.iterdir())

    missing = _run("-m", "chitieu", "publish", "999", str(tmp_path / "none"), env=database)
    assert missing.returncode == 1
    assert "Kế hoạch 999 không có hoặc chưa được công bố" in missing.stderr
    assert "Traceback" not in missing.stderr
