"""SIGKILL in the middle of an import or a bulk upload leaves the database exactly as it was.

Each path runs for real in its own process: ``manage.py import_plan`` (a plan annex),
the API bulk upsert and the API CSV import served by gunicorn. The test waits until the
process has written inside its open transaction (SQLite: the rollback journal holds
several pages; PostgreSQL: the process holds a row lock on the table being filled), waits
a little more, and sends SIGKILL. Then the app must serve again on its own (a new
gunicorn worker, SQLite's hot journal rolled back by the app's first read) and every
row of every table must equal the snapshot taken before.
"""

from __future__ import annotations

import hashlib
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.web.faults.conftest import postgres_pass, sqlite_pass
from tests.web.faults.support import (
    ROOT,
    TOKEN_USE,
    Gunicorn,
    app_env,
    differences,
    report,
    snapshot,
)

pytestmark = pytest.mark.faults

ANNEX = ROOT / "chitieu" / "data" / "kon-ray-2024-plan-annex.txt"
DELAYS = (0.0, 0.05, 0.25)  # seconds after the first uncommitted write
SQLITE_MIDWAY_BYTES = 16 * 1024  # a journal this big holds pages of the upload, not the token's "last used"


# ------------------------------------------------------------------ seeing "midway"


# Another backend's open writes to the table, its COMMIT not under way: a client killed once its
# COMMIT was sent has its transaction committed all the same (the server reads what was sent).
_LOCKS = (
    "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
    " JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE c.relname = %s AND l.mode = 'RowExclusiveLock' AND l.pid <> pg_backend_pid()"
    " AND NOT (a.state = 'active' AND upper(btrim(a.query)) LIKE 'COMMIT%%')"
)
# How long a stopped client's last message takes to reach its server and be seen running.
SENT_SETTLES = 0.05


def _writing_now(site, table: str, minimum_journal: int = 1) -> bool:
    """Whether some other process holds uncommitted writes (SQLite: a journal; PostgreSQL: a lock)."""
    if site.url.startswith("sqlite:///"):
        try:
            return Path(f"{site.sqlite_path}-journal").stat().st_size >= minimum_journal
        except FileNotFoundError:
            return False
    import psycopg

    with psycopg.connect(site.url, autocommit=True) as connection:
        return bool(connection.execute(_LOCKS, (table,)).fetchone()[0])


def _written_midway(site, table: str, alive, timeout: float = 60) -> bool:
    """Wait until the process under test has uncommitted writes; False when it ended first."""
    deadline = time.monotonic() + timeout
    while alive() and time.monotonic() < deadline:
        if _writing_now(site, table, SQLITE_MIDWAY_BYTES):
            return True
        time.sleep(0.0005)
    return False


def _table_rows(site, table: str) -> str | None:
    """A digest of ``table`` as another connection sees it (SQLite only; None elsewhere).

    None too while the writer holds SQLite's exclusive lock (it is spilling or committing pages).
    """
    if not site.url.startswith("sqlite:///"):
        return None
    connection = sqlite3.connect(f"file:{site.sqlite_path}?mode=ro", uri=True, timeout=0)
    try:
        rows = connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
    except sqlite3.OperationalError:
        return None
    finally:
        connection.close()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def _kill_inside_transaction(pid: int, site, table: str, rows_before: str | None) -> bool:
    """SIGKILL ``pid`` only while its transaction is open; False when it had already committed.

    The process is stopped first, so it cannot commit between the look and the kill: on a fast
    machine a process still alive after the delay may well have committed already. On SQLite a
    journal only says that *some* transaction is open: after the import commits, the same
    process goes on to judge verdicts in a second one. So the table under test must also still
    look unchanged to a reader.
    """
    for _look in range(200):
        os.kill(pid, signal.SIGSTOP)
        if not site.url.startswith("sqlite:///"):
            time.sleep(SENT_SETTLES)  # a COMMIT already sent shows as running (or done) by then
        rows_now = _table_rows(site, table)
        if rows_now is not None or not site.url.startswith("sqlite:///"):
            break
        # Locked out: the writer is spilling or committing, in whichever transaction. Let it go on
        # a moment and look again, rather than guess (a guess killed a later transaction's commit).
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.002)
    else:
        return False
    if _writing_now(site, table) and rows_now == rows_before:
        os.kill(pid, signal.SIGKILL)
        return True
    os.kill(pid, signal.SIGCONT)
    return False


def _hot_journal(site) -> bool:
    return site.url.startswith("sqlite:///") and Path(f"{site.sqlite_path}-journal").exists()


# ------------------------------------------------------------------ the paths under test


def _upsert_rows(site, numerator: int) -> list[dict]:
    rows = []
    for cell in site.facts["cells"]:
        for sex in ("F", "M") if cell["by_sex"] else ("",):
            figure = (
                {"value": numerator}
                if cell["measure"] == "count"
                else {"numerator": numerator, "denominator": 1000}
            )
            rows.append(
                {
                    "indicator": cell["indicator"],
                    "period": cell["period"],
                    "org_unit_id": cell["unit_id"],
                    "sex": sex,
                    "note": f"lần {numerator}",
                    **figure,
                }
            )
    return rows


def _csv_body(site, numerator: int) -> bytes:
    lines = ["indicator,period,org_unit,sex,numerator,denominator,value,note"]
    for row in _upsert_rows(site, numerator):
        unit = next(c["unit"] for c in site.facts["cells"] if c["unit_id"] == row["org_unit_id"])
        lines.append(
            f'{row["indicator"]},{row["period"]},"{unit}",{row["sex"]},{row.get("numerator", "")},'
            f"{row.get('denominator', '')},{row.get('value', '')},{row['note']}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_country(folder: Path, districts: int = 20, communes: int = 60) -> Path:
    """A small country in the layout of `chitieu synth` (the interface of load_country):
    one province, ``districts`` districts of ``communes`` communes, 2021–2025 figures."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    units = [("VN", "Việt Nam", "nation", ""), ("90", "Tỉnh Thử Nghiệm", "province", "VN")]
    figures = []
    for d in range(districts):
        district = f"9{d:02d}"
        units.append((district, f"Huyện Thử {d}", "district", "90"))
        units.append((f"{district}-YT", "Phòng Y tế", "office", district))
        for year in range(2021, 2026):
            figures.append(("4.2", str(year), f"{district}-YT", "", str(d % 3), str(900 + d), "", ""))
        for c in range(communes):
            commune = f"9{d:02d}{c:02d}"
            units.append((commune, f"Xã Thử {d}-{c}", "commune", district))
            for year in range(2021, 2026):
                for quarter in range(1, 5):
                    figures.append(
                        ("6.3", f"{year}-Q{quarter}", commune, "", "", "", str((c + quarter) % 5), "")
                    )

    def write(name, header, rows):
        with (folder / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)

    write("units.csv", ["code", "name", "kind", "parent_code"], units)
    write(
        "assignments.csv",
        ["indicator", "reporters", "frequency", "by_sex", "office"],
        [("6.3", "communes", "quarter", "0", ""), ("4.2", "offices", "year", "0", "Phòng Y tế")],
    )
    write(
        "observations.csv",
        ["indicator", "period", "org_unit", "sex", "numerator", "denominator", "value", "note"],
        figures,
    )
    (folder / "plan.txt").write_bytes(ANNEX.read_bytes())
    return folder


class Command:
    """A management command in its own process; the process is what is killed."""

    table = ""

    def __init__(self, site, server):
        self.site = site

    def arguments(self) -> list[str]:
        raise NotImplementedError

    def run(self, attempt: int, delay: float | None) -> str:
        rows_before = _table_rows(self.site, self.table)
        process = subprocess.Popen(
            [sys.executable, str(ROOT / "manage.py"), *self.arguments()],
            env=app_env(self.site.url, self.site.media),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        if delay is None:
            _out, err = process.communicate(timeout=300)
            assert process.returncode == 0, err.decode()
            return "finished"
        midway = _written_midway(self.site, self.table, lambda: process.poll() is None)
        time.sleep(delay)
        if (
            not midway
            or process.poll() is not None
            or not _kill_inside_transaction(process.pid, self.site, self.table, rows_before)
        ):
            process.communicate(timeout=300)
            return "finished"
        process.wait(30)
        return "killed"


class PlanImport(Command):
    name, table = "plan import (manage.py import_plan)", "plans_indicator"

    def arguments(self):
        return ["import_plan", str(ANNEX), "--area", "Kon Rẫy", "--user", "dieuphoi", "--confirm"]


class LoadCountry(Command):
    name, table = "country load (manage.py load_country)", "orgs_orgunit"

    def arguments(self):
        folder = self.site.media.parent / "country"
        if not folder.exists():
            write_country(folder)
        return ["load_country", str(folder), "--plan-name", "Kế hoạch quốc gia thử"]


class ApiUpload:
    """POST to the API through gunicorn; the worker serving it is the process killed."""

    table = "data_observation"
    # The bulk upsert is set-based: its writes come in one burst of a few milliseconds at the end
    # of the request (multi-row INSERTs since session 12), so the kills sample that burst, not a
    # quarter of a second after, and five times: with three, a clean-clone run landed one kill
    # inside and two after the commit.
    delays = (0.0, 0.0, 0.001, 0.002, 0.01)

    def __init__(self, site, server: Gunicorn):
        self.site, self.server = site, server

    def request(self, attempt: int):
        raise NotImplementedError

    def run(self, attempt: int, delay: float | None) -> str:
        answer: dict = {}

        def send():
            try:
                answer["response"] = self.request(attempt)
            except OSError as error:  # the connection dies with the worker
                answer["error"] = error

        workers = self.server.workers()
        assert len(workers) == 1, workers
        rows_before = _table_rows(self.site, self.table)
        thread = threading.Thread(target=send)
        thread.start()
        if delay is None:
            thread.join(120)
            status, body = answer["response"]
            assert status == 200 and b'"errors": []' in body, body[:500]
            return "finished"
        midway = _written_midway(self.site, self.table, thread.is_alive)
        time.sleep(delay)
        if (
            not midway
            or not thread.is_alive()
            or not _kill_inside_transaction(workers[0], self.site, self.table, rows_before)
        ):
            thread.join(120)
            return "finished"
        thread.join(60)
        assert "error" in answer, answer  # the client got no answer: nothing was acknowledged
        self.server.wait_ready()  # gunicorn's master starts a new worker by itself
        return "killed"


class ApiUpsert(ApiUpload):
    name = "API bulk upsert (POST /api/plans/{id}/observations)"

    def request(self, attempt: int):
        rows = _upsert_rows(self.site, 100 + attempt)
        return self.server.api("POST", f"/plans/{self.site.facts['plan_id']}/observations", {"rows": rows})


class ApiCsvImport(ApiUpload):
    name = "API CSV import (POST /api/plans/{id}/observations/import)"

    def request(self, attempt: int):
        return self.server.api(
            "POST",
            f"/plans/{self.site.facts['plan_id']}/observations/import",
            _csv_body(self.site, 200 + attempt),
            content_type="text/csv",
        )


PATHS = [PlanImport, LoadCountry, ApiUpsert, ApiCsvImport]
PATH_IDS = ["plan-import", "load-country", "api-upsert", "api-csv-import"]


# ------------------------------------------------------------------ the test


def _serves(server: Gunicorn, site) -> None:
    """The app answers a read of the figures (on SQLite, this read rolls back a hot journal)."""
    status, _body = server.api("GET", f"/plans/{site.facts['plan_id']}/observations?period=2025-Q1")
    assert status == 200


def _kill_midway(site, server, path_class) -> dict:
    path = path_class(site, server)
    counts = {"killed": 0, "finished": 0, "hot_journals": 0}
    before = snapshot(site.url, TOKEN_USE)
    delays = getattr(path, "delays", DELAYS)
    for attempt, delay in enumerate(delays):
        outcome = path.run(attempt, delay)
        counts[outcome] += 1
        if outcome == "killed":
            counts["hot_journals"] += _hot_journal(site)
            _serves(server, site)
            assert not _hot_journal(site), "the app's first read must roll back the journal"
            assert differences(before, snapshot(site.url, TOKEN_USE)) == [], f"{path.name}, {delay} s"
        else:
            before = snapshot(site.url, TOKEN_USE)
    # Uninterrupted, the same operation does change the database: the comparison above can fail.
    path.run(len(delays), None)
    _serves(server, site)
    assert differences(before, snapshot(site.url, TOKEN_USE)) != []
    assert counts["killed"] >= 2, counts  # most kills must land inside the transaction
    report(f"SIGKILL {path.name}", {"engine": site.url.split(":")[0], **counts})
    return counts


@pytest.fixture(scope="module")
def sqlite_server(sqlite_template, tmp_path_factory):
    from tests.web.faults.support import sqlite_site

    where = tmp_path_factory.mktemp("kill-sqlite")
    site = sqlite_site(sqlite_template, where / "site")
    server = Gunicorn(site, where / "gunicorn.log").start()
    yield site, server
    server.stop()


@pytest.fixture(scope="module")
def postgres_server(postgres_template, tmp_path_factory):
    from tests.web.faults.support import pg_admin, postgres_site

    where = tmp_path_factory.mktemp("kill-postgres")
    name = f"faults_kill_{os.getpid()}"
    site = postgres_site(postgres_template, where / "site", name)
    server = Gunicorn(site, where / "gunicorn.log").start()
    yield site, server
    server.stop()
    pg_admin(site.url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@sqlite_pass
@pytest.mark.parametrize("path_class", PATHS, ids=PATH_IDS)
def test_sqlite_sigkill_midway_leaves_every_table_as_before(sqlite_server, path_class):
    site, server = sqlite_server
    counts = _kill_midway(site, server, path_class)
    assert counts["hot_journals"] == counts["killed"]  # each kill left a journal the app had to recover


@postgres_pass
@pytest.mark.postgres
@pytest.mark.parametrize("path_class", PATHS, ids=PATH_IDS)
def test_postgres_sigkill_midway_leaves_every_table_as_before(postgres_server, path_class):
    site, server = postgres_server
    _kill_midway(site, server, path_class)
