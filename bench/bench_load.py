"""Bulk loading rate: observations per second into SQLite and (with DATABASE_URL) PostgreSQL.

``chitieu synth --scale 0.05`` writes a synthetic country (3 provinces, 530 communes,
about 220,000 figures for 2021-2025) as the directory ``load_country`` reads. Each
run loads it into a fresh database in a child process (settings are fixed once
Django starts): the units, the plan and the assignments first, then
``observations_load`` — timed from opening the file to the commit (LoadResult.seconds;
the roll-up rebuild that follows is not counted). Targets (issue 7): ≥ 100,000/s into
SQLite, ≥ 200,000/s into PostgreSQL.

Then the API's bulk upsert: one POST of BENCH_API_ROWS new figures (one per commune
and quarter of 2026, the worst case: one report per figure), then the same rows
with another value (updates, each with its audit entry).

    .venv/bin/python -m bench load              # SQLite, and PostgreSQL if DATABASE_URL is set
    BENCH_LOAD_SCALE=0.01 BENCH_LOAD_RUNS=1 BENCH_API_ROWS=500 .venv/bin/python -m bench load
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE = float(os.environ.get("BENCH_LOAD_SCALE", "0.05"))  # of the country: about 220,000 figures
RUNS = int(os.environ.get("BENCH_LOAD_RUNS", "3"))
API_ROWS = int(os.environ.get("BENCH_API_ROWS", "5000"))  # the API's limit per request


def write_country(folder: Path, scale: float) -> int:
    """The directory load_country reads, written by ``chitieu synth``; returns the number of figures."""
    subprocess.run(
        [sys.executable, "-m", "chitieu", "synth", str(folder), "--scale", str(scale), "--quiet", "--force"],
        cwd=ROOT,
        check=True,
    )
    return json.loads((folder / "manifest.json").read_text())["observations"]


def worker(folder: str) -> None:
    """In a child process with DATABASE_URL set: migrate, load the country's frame, time the figures."""
    import time

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "web.config.settings.test")
    import django

    django.setup()
    from django.core.management import call_command

    from chitieu.approval import Role
    from web.accounts.services import user_ensure
    from web.data.loading.assignments import assignments_load
    from web.data.loading.observations import observations_load
    from web.data.loading.units import units_load
    from web.orgs.models import OrgUnit
    from web.plans.services import plan_import, plan_version_confirm

    call_command("migrate", verbosity=0)
    root = Path(folder)
    admin = user_ensure(username="bench", password="bench-2024", role=Role.ADMINISTRATOR, org_unit=None)[0]
    units_load(rows_or_path=root / "units.csv", actor=admin)
    nation = OrgUnit.objects.get(code="VN")
    version = plan_import(
        actor=admin, data=(root / "plan.txt").read_bytes(), filename="plan.txt", area=nation
    )
    plan_version_confirm(actor=admin, version=version)
    assignments_load(version=version, rows_or_path=root / "assignments.csv", actor=admin)
    from web.data.loading import observations as bulk

    # CPU to the commit (the roll-ups that follow not counted), ours and the database server's:
    # on a shared machine the wall time says more about the neighbours than about the load.
    server = _server_cpu()
    at_commit = {}
    rebuild = bulk._rollups_rebuild

    def rollups_after_commit(plan):
        at_commit.update(cpu=time.process_time(), server=server())
        rebuild(plan)

    bulk._rollups_rebuild = rollups_after_commit
    cpu, server_cpu = time.process_time(), server()
    result = observations_load(plan=version.plan, rows_or_path=root / "observations.csv", actor=admin)
    bulk._rollups_rebuild = rebuild
    cpu = at_commit["cpu"] - cpu
    server_cpu = at_commit["server"] - server_cpu
    api = api_upsert(version.plan, admin)
    print(
        json.dumps(
            {"rows": result.rows, "seconds": result.seconds, "cpu": cpu, "server_cpu": server_cpu, **api}
        )
    )


def _server_cpu():
    """A function giving the CPU seconds used so far by this connection's PostgreSQL backend (0 elsewhere).

    Read from /proc, so only when the server runs on this machine (the bench's throwaway one does).
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return lambda: 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        stat = Path(f"/proc/{cursor.fetchone()[0]}/stat")
    if not stat.exists():
        return lambda: float("nan")
    ticks = os.sysconf("SC_CLK_TCK")

    def used() -> float:
        fields = stat.read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime and stime

    return used


def api_upsert(plan, admin) -> dict:
    """POST /api/plans/N/observations with API_ROWS new figures, then the same rows changed (updates)."""
    import time

    from django.test import Client

    from web.api.services import token_create
    from web.orgs.models import OrgUnit

    _token, secret = token_create(user=admin, name="bench")
    communes = list(OrgUnit.objects.filter(kind="commune").order_by("code").values_list("id", flat=True))
    rows = [
        {"indicator": "6.3", "period": f"2026-Q{q}", "org_unit_id": communes[n % len(communes)], "value": 3}
        for n, q in ((n, 1 + n // len(communes)) for n in range(API_ROWS))
        if q <= 4
    ]
    client = Client(HTTP_HOST="localhost")
    timings = {}
    for label, value in (("api_create", 3), ("api_update", 4)):
        for row in rows:
            row["value"] = value
        body = json.dumps({"rows": rows})
        started = time.perf_counter()
        response = client.post(
            f"/api/plans/{plan.pk}/observations",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        timings[label] = time.perf_counter() - started
        saved = response.json()["saved"]
        if saved != len(rows):
            raise RuntimeError(f"{label}: {saved} of {len(rows)} saved: {response.json()['errors'][:3]}")
    timings["api_rows"] = len(rows)
    return timings


def _postgres_database(base_url: str, name: str, create: bool) -> str:
    import psycopg

    admin_url = base_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        if create:
            conn.execute(f'CREATE DATABASE "{name}"')
    return base_url.rsplit("/", 1)[0] + "/" + name


def _one_run(folder: Path, url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.bench_load", "--worker", str(folder)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(engine: str, folder: Path, scratch: Path) -> list[dict]:
    runs = []
    for n in range(RUNS):
        if engine == "sqlite":
            path = scratch / f"load-{n}.sqlite3"
            runs.append(_one_run(folder, f"sqlite:///{path}"))
            path.unlink(missing_ok=True)
        else:
            name = f"chitieu_bench_load_{os.getpid()}_{n}"
            url = _postgres_database(os.environ["DATABASE_URL"], name, create=True)
            try:
                runs.append(_one_run(folder, url))
            finally:
                _postgres_database(os.environ["DATABASE_URL"], name, create=False)
    return runs


def main() -> None:
    engines = ["sqlite"]
    if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        engines.append("postgresql")
    with tempfile.TemporaryDirectory(prefix="chitieu-bench-load-") as tmp:
        scratch = Path(tmp)
        figures = write_country(scratch / "country", SCALE)
        print(
            f"{figures:,} figures, {RUNS} runs each; observations_load timed (units and plan loaded before)"
        )
        print(f"API: POST of {API_ROWS:,} new figures (one per unit and period), then the same rows changed")
        header = (
            "database",
            "load /s",
            "min",
            "max",
            "median s",
            "py cpu s",
            "db cpu s",
            "cpu rate /s",
            "API new /s",
            "API upd /s",
        )
        print("  ".join(f"{h:>11}" for h in header))
        for engine in engines:
            runs = measure(engine, scratch / "country", scratch)
            rates = [r["rows"] / r["seconds"] for r in runs]
            cells = [
                engine,
                f"{statistics.median(rates):,.0f}",
                f"{min(rates):,.0f}",
                f"{max(rates):,.0f}",
                f"{statistics.median(r['seconds'] for r in runs):.2f}",
                f"{statistics.median(r['cpu'] for r in runs):.2f}",
                f"{statistics.median(r['server_cpu'] for r in runs):.2f}",
                f"{statistics.median(r['rows'] / (r['cpu'] + r['server_cpu']) for r in runs):,.0f}",
                f"{statistics.median(r['api_rows'] / r['api_create'] for r in runs):,.0f}",
                f"{statistics.median(r['api_rows'] / r['api_update'] for r in runs):,.0f}",
            ]
            print("  ".join(f"{c:>11}" for c in cells))


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        worker(sys.argv[2])
    else:
        main()
