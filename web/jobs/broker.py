"""The job queue (the broker): RQ on the cluster's Redis when CHITIEU_REDIS_URL is set, nothing otherwise.

RQ keeps only the job's id; a worker (``manage.py jobs_worker``) runs web.jobs.services.job_run in
a forked child per job. ``Retry``: a job whose worker died (killed, machine restarted) is found
abandoned by the next worker's registry clean-up and queued again, up to three times.
"""

from __future__ import annotations

from django.conf import settings
from redis import Redis
from rq import Queue, Retry

QUEUE_NAME = "chitieu"
JOB_TIMEOUT = 3 * 3600  # a province's reports, or a country's rebuild, in the worst case
# A job whose worker died with it stays in RQ's "started" registry until the dead worker's heartbeat
# expires (90 s); a running worker's clean-up then queues it again. RQ's own defaults clean every
# 10 minutes and wake an idle worker every WORKER_TTL - 15 s (6.75 min), so the job sat at its last
# progress, "running", for up to 14 minutes after the worker was back. Here: about 20 s.
MAINTENANCE_INTERVAL = 20
WORKER_TTL = 35


def configured() -> bool:
    return bool(getattr(settings, "CHITIEU_REDIS_URL", ""))


def connection() -> Redis:
    return Redis.from_url(settings.CHITIEU_REDIS_URL)


def queue() -> Queue:
    return Queue(QUEUE_NAME, connection=connection(), default_timeout=JOB_TIMEOUT)


def enqueue(job_id: int) -> None:
    queue().enqueue("web.jobs.services.job_run", job_id, job_id=f"chitieu-job-{job_id}", retry=Retry(max=3))


def enqueue_call(function: str, *args) -> None:
    """Queue a function of the project by its dotted path (work that has no Job row to follow)."""
    queue().enqueue(function, *args, retry=Retry(max=3))
