"""A database that cannot be reached gives a 503 with a Vietnamese sentence, not "Server Error (500)"."""

from __future__ import annotations

import json

import pytest

from tests.web.faults.conftest import sqlite_pass
from tests.web.faults.support import Gunicorn, Site, http

pytestmark = [pytest.mark.faults, sqlite_pass]

MESSAGE = "Cơ sở dữ liệu tạm thời không truy cập được"


def test_unreachable_database_gives_a_clear_503(tmp_path):
    # An SQLite "file" that is a directory: every query fails with OperationalError.
    (tmp_path / "db.sqlite3").mkdir()
    site = Site(f"sqlite:///{tmp_path / 'db.sqlite3'}", tmp_path / "media", {"token": "ct_nothing"})
    server = Gunicorn(site, tmp_path / "gunicorn.log")
    try:
        server.start(healthy=False)
        assert server.wait_ready(healthy=False) == 503
        api_status, body = server.api("GET", "/plans")
        assert api_status == 503
        assert MESSAGE in json.loads(body)["detail"]
        # A signed-in user's page: the session is looked up in the database.
        page_status, page = http(
            "GET", f"{server.base}/", cookie="sessionid=abcdefghijklmnopqrstuvwxyz012345"
        )
        text = page.decode("utf-8")
        assert page_status == 503
        assert MESSAGE in text and "Tạm thời không truy cập được" in text and "Traceback" not in text
    finally:
        server.stop()
