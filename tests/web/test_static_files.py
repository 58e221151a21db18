"""Issues 14 and 17: static files (and the server's log) as `make demo` and production serve them.
The chart library is the basic plotly.js bundle (about 1.2 MB, under 450 kB compressed), under a
hashed name, compressed and cached for a year, so a commune's phone downloads it once."""

from __future__ import annotations

import gzip
import json
import re
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .faults.support import ROOT, app_env, free_port, http, on_postgres

pytestmark = pytest.mark.skipif(on_postgres(), reason="static files do not depend on the database")

YEAR = 365 * 24 * 3600


def _demo_env(tmp: Path) -> dict[str, str]:
    env = app_env(f"sqlite:///{tmp / 'site.sqlite3'}", tmp / "media")
    env.pop("TZ", None)  # as from a shell: the test process's own zone (set by Django) is not inherited
    env.update(CHITIEU_HASHED_STATIC="true", CHITIEU_STATIC_ROOT=str(tmp / "static"))
    return env


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, dict(response.headers), response.read()


def test_the_demo_serves_a_small_chart_library_under_a_hashed_name_cached_for_a_year(tmp_path):
    env = _demo_env(tmp_path)
    python = str(ROOT / ".venv" / "bin" / "python")
    # The API docs' and the admin's files left out: only their time would differ.
    collect = [python, "manage.py", "collectstatic", "--noinput", "-v0", "-i", "ninja", "-i", "admin"]
    subprocess.run(collect, env=env, cwd=ROOT, check=True)
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["plotly/plotly.min.js"]
    assert hashed != "plotly/plotly.min.js"  # a new version gets a new name: no stale cache
    assert (tmp_path / "static" / hashed).stat().st_size < 1_300_000

    port = free_port()
    log = tmp_path / "gunicorn.log"
    server = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "web.config.wsgi:application", f"--bind=127.0.0.1:{port}"],
        env={**env, "DJANGO_SETTINGS_MODULE": "web.config.settings.local"},
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if http("GET", f"http://127.0.0.1:{port}/static/chitieu/site.css", timeout=5)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        status, headers, body = _get(f"http://127.0.0.1:{port}/static/{hashed}")
        assert status == 200 and headers.get("Content-Encoding") == "gzip"
        assert len(body) < 450_000  # what crosses the network
        assert len(gzip.decompress(body)) > 1_000_000  # and it is the whole library
        assert f"max-age={10 * YEAR}" in headers["Cache-Control"] or "immutable" in headers["Cache-Control"]
        _, login_headers, login = _get(f"http://127.0.0.1:{port}/login/")
        page = gzip.decompress(login) if login_headers.get("Content-Encoding") == "gzip" else login
        assert manifest["chitieu/site.css"] in page.decode()  # pages link the hashed names
    finally:
        server.terminate()
        server.wait(timeout=30)
    # One clock in the log: master and workers alike in Vietnam's time (issue 17 found UTC beside +07:00).
    zones = set(re.findall(r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ([+-]\d{4})\]", log.read_text(), re.M))
    assert zones == {"+0700"}
