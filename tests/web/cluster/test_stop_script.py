"""scripts/cluster/stop.sh (`make cluster-stop`) leaves nothing of the cluster running.

The job worker finishes the job under way on SIGTERM; after 15 s the script kills it. RQ runs the
job in a child of its own process group, which outlived its worker: the test's worker ignores
SIGTERM and has such a child, in a copy of the script's folder with only the worker's pid file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.web.faults import support

pytestmark = pytest.mark.skipif(support.on_postgres(), reason="no database: runs in the SQLite pass")

WORKER = """
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a job under way: the worker waits for it
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"], start_new_session=True)
open(sys.argv[1], "w").write(str(child.pid))
time.sleep(120)
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_stop_kills_the_job_worker_and_the_job_it_runs(tmp_path):
    scripts = tmp_path / "scripts" / "cluster"
    scripts.mkdir(parents=True)
    shutil.copy(support.ROOT / "scripts" / "cluster" / "stop.sh", scripts / "stop.sh")
    run = tmp_path / "var" / "cluster" / "run"
    run.mkdir(parents=True)
    child_file = tmp_path / "child.pid"
    worker = subprocess.Popen([sys.executable, "-c", WORKER, str(child_file)], start_new_session=True)
    child = None
    try:
        deadline = time.monotonic() + 30
        while not child_file.exists() or not child_file.read_text():
            assert time.monotonic() < deadline
            time.sleep(0.05)
        child = int(child_file.read_text())
        (run / "worker.pid").write_text(f"{worker.pid}\n")

        stopped = subprocess.run(
            ["bash", str(scripts / "stop.sh")], capture_output=True, text=True, timeout=60
        )
        assert stopped.returncode == 0, stopped.stderr
        worker.wait(10)
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child), "the job's child outlived `make cluster-stop`"
        assert not (run / "worker.pid").exists()
    finally:
        for pid in (worker.pid, child):
            if pid is not None and _alive(pid):
                os.kill(pid, 9)
