"""A job through the real queue: queued on Redis by the app (cluster settings) while no worker
runs, then run by a separate ``manage.py jobs_worker`` process; the job's row says so."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from tests.web.cluster import support as cluster
from tests.web.cluster.conftest import needs_cluster
from tests.web.faults import support

pytestmark = [needs_cluster, pytest.mark.cluster]

START = """
from web.jobs.services import job_start
from web.plans.models import Plan
job = job_start(kind="rollup", actor=None, plan=Plan.objects.get(pk={plan}))
print(job.pk, job.status)
"""


def _job(site, pk: int) -> tuple:
    with sqlite3.connect(site.sqlite_path) as db:
        return db.execute(
            "SELECT status, attempts, done, total, message FROM jobs_job WHERE id = ?", (pk,)
        ).fetchone()


def test_a_job_waits_in_the_queue_until_a_worker_runs_it(sqlite_template, tmp_path):
    site = support.sqlite_site(sqlite_template, tmp_path / "site")
    redis = cluster.Redis(tmp_path / "redis").start()
    try:
        env = {**support.app_env(site.url, site.media), **cluster.cluster_env(redis.url)}
        run = [sys.executable, str(support.ROOT / "manage.py")]
        started = subprocess.run(
            [*run, "shell", "-c", START.format(plan=site.facts["plan_id"])],
            env=env,
            cwd=support.ROOT,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        pk, status = started.stdout.split()[-2:]
        assert status == "queued"  # no worker yet: the work waits on Redis
        assert _job(site, int(pk))[:2] == ("queued", 0)

        worker = subprocess.run(
            [*run, "jobs_worker", "--burst"],
            env=env,
            cwd=support.ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert worker.returncode == 0, worker.stderr[-2000:]
        status, attempts, done, total, message = _job(site, int(pk))
        assert (status, attempts) == ("done", 1), message
        assert total > 0 and done == total and message.startswith("Đã tính lại bảng tổng hợp")
    finally:
        redis.stop()
