"""A job through the real queue: queued on Redis by the app (cluster settings) while no worker
runs, then run by a separate ``manage.py jobs_worker`` process; the job's row says so."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
import redis
from rq.registry import StartedJobRegistry

from tests.web.cluster import support as cluster
from tests.web.cluster.conftest import needs_cluster
from tests.web.faults import support

pytestmark = [needs_cluster, pytest.mark.cluster]

START = """
from web.jobs.services import job_start
from web.plans.models import Plan
job = job_start(kind="{kind}", actor=None, plan=Plan.objects.get(pk={plan}), params={params})
print(job.pk, job.status)
"""


def _job(site, pk: int) -> tuple:
    with sqlite3.connect(site.sqlite_path) as db:
        return db.execute(
            "SELECT status, attempts, done, total, message FROM jobs_job WHERE id = ?", (pk,)
        ).fetchone()


def _worker(run: list[str], env: dict, log_path) -> subprocess.Popen:
    """``manage.py jobs_worker`` in a session of its own, its output in ``log_path``."""
    with log_path.open("wb") as log:
        return subprocess.Popen(
            [*run, "jobs_worker"],
            env=env,
            cwd=support.ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def _reports_job_under_way(site, run: list[str], env: dict, log_path) -> int:
    """Start the reports of every unit (a job of several files) and wait until its first is written."""
    params = {"period": "2024", "fmt": "xlsx", "as_of": "2025-06-30"}
    started = subprocess.run(
        [*run, "shell", "-c", START.format(kind="reports", plan=site.facts["plan_id"], params=params)],
        env=env,
        cwd=support.ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    pk = int(started.stdout.split()[-2])
    deadline = time.monotonic() + 60
    while _job(site, pk)[2] < 1:  # the first report written: the job is well under way
        assert time.monotonic() < deadline, log_path.read_text()[-2000:]
        time.sleep(0.05)
    return pk


def test_a_job_waits_in_the_queue_until_a_worker_runs_it(sqlite_template, tmp_path):
    site = support.sqlite_site(sqlite_template, tmp_path / "site")
    server = cluster.Redis(tmp_path / "redis").start()
    try:
        env = {**support.app_env(site.url, site.media), **cluster.cluster_env(server.url)}
        run = [sys.executable, str(support.ROOT / "manage.py")]
        started = subprocess.run(
            [*run, "shell", "-c", START.format(kind="rollup", plan=site.facts["plan_id"], params={})],
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
        server.stop()


def test_a_job_whose_worker_process_is_killed_is_run_again_to_the_end(sqlite_template, tmp_path):
    """The child running the job is killed (as the kernel's OOM killer would): RQ retries the job
    and the second run builds the whole zip again."""
    site = support.sqlite_site(sqlite_template, tmp_path / "site")
    server = cluster.Redis(tmp_path / "redis").start()
    env = {**support.app_env(site.url, site.media), **cluster.cluster_env(server.url)}
    run = [sys.executable, str(support.ROOT / "manage.py")]
    worker = _worker(run, env, tmp_path / "worker.log")
    try:
        pk = _reports_job_under_way(site, run, env, tmp_path / "worker.log")
        deadline = time.monotonic() + 60
        horses = support.children(worker.pid)
        assert horses, "RQ runs each job in a forked child"
        for horse in horses:
            os.kill(horse, signal.SIGKILL)
        while _job(site, pk)[0] != "done":
            assert time.monotonic() < deadline + 60, (tmp_path / "worker.log").read_text()[-2000:]
            time.sleep(0.2)
        _status, attempts, done, total, message = _job(site, pk)
        assert attempts == 2 and done == total > 1, message
        assert len(list((site.media / "jobs" / str(pk)).iterdir())) == 1  # one zip, the second run's
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(30)
        server.stop()


def _log_until(path, text: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while text not in path.read_text(errors="replace"):
        assert time.monotonic() < deadline, path.read_text(errors="replace")[-2000:]
        time.sleep(0.1)


def test_a_job_whose_whole_worker_died_is_run_again_by_the_next_worker_soon(sqlite_template, tmp_path):
    """The worker and the child running the job are killed together (the machine restarted, systemd
    stopping the unit's processes); a new worker is already running when the dead one's heartbeat
    runs out. Its next clean-up must queue the job again within a minute, not RQ's 10-14 minutes,
    while the job's page shows it "running" at its last progress."""
    site = support.sqlite_site(sqlite_template, tmp_path / "site")
    server = cluster.Redis(tmp_path / "redis").start()
    env = {**support.app_env(site.url, site.media), **cluster.cluster_env(server.url)}
    run = [sys.executable, str(support.ROOT / "manage.py")]
    workers = [_worker(run, env, tmp_path / "first.log")]
    try:
        first = workers[0]
        pk = _reports_job_under_way(site, run, env, tmp_path / "first.log")
        horses = support.children(first.pid)
        assert horses, "RQ runs each job in a forked child"
        for pid in (first.pid, *horses):  # the worker and its child at once (the child's own group)
            os.kill(pid, signal.SIGKILL)
        first.wait(10)
        assert _job(site, pk)[0] == "running"

        workers.append(_worker(run, env, tmp_path / "second.log"))
        _log_until(tmp_path / "second.log", "cleaning registries", 60)  # its clean-up at start-up
        # The dead worker's heartbeat runs out (90 s after its last one): brought forward to now.
        connection = redis.Redis.from_url(server.url)
        started_jobs = StartedJobRegistry("chitieu", connection=connection)
        entries = connection.zrange(started_jobs.key, 0, -1)
        assert entries, "the killed job is in RQ's started registry"
        connection.zadd(started_jobs.key, dict.fromkeys(entries, time.time() - 1), xx=True)

        deadline = time.monotonic() + 90
        while _job(site, pk)[0] != "done":
            assert time.monotonic() < deadline, (tmp_path / "second.log").read_text()[-2000:]
            time.sleep(0.2)
        _status, attempts, done, total, message = _job(site, pk)
        assert attempts == 2 and done == total > 1, message
    finally:
        for process in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(30)
        server.stop()
