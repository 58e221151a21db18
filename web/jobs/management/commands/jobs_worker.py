"""``manage.py jobs_worker``: runs the queued jobs (web.jobs) from the cluster's Redis.

One process per machine is enough; systemd restarts it (docs/deployment.md). SIGTERM lets the
current job finish (RQ's warm shutdown); a job whose worker was killed is queued again by a running
worker's next clean-up (web.jobs.broker: Retry, MAINTENANCE_INTERVAL).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from rq import Worker

from web.jobs import broker


class Command(BaseCommand):
    help = "Chạy các việc dài (báo cáo hàng loạt, tính lại tổng hợp, gửi nhắc việc) từ hàng đợi Redis."

    def add_arguments(self, parser):
        parser.add_argument("--burst", action="store_true", help="chạy hết việc đang chờ rồi dừng")

    def handle(self, *args, **options):
        if not broker.configured():
            raise CommandError(
                "CHITIEU_REDIS_URL chưa được đặt: không có hàng đợi (việc chạy ngay trong ứng dụng)"
            )
        connections.close_all()  # each job runs in a forked child: it opens its own connection
        worker = Worker(
            [broker.queue()],
            connection=broker.connection(),
            worker_ttl=broker.WORKER_TTL,
            maintenance_interval=broker.MAINTENANCE_INTERVAL,
        )
        worker.work(burst=options["burst"], with_scheduler=False)  # retries are queued at once: no scheduler
