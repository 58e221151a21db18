"""``manage.py rollup_rebuild [PLAN_ID] [--period KEY]``: recompute the roll-up summary.

Needed after figures were written without the approval services (a bulk load, a
restore, a fix in the database shell). Without PLAN_ID every plan is rebuilt.
"""

from __future__ import annotations

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from chitieu.periods import PeriodKeyError, parse_period
from web.plans.models import Plan
from web.rollups.services import rollup_rebuild, unit_closure_refresh


def progress_bar(out, label: str):
    """A one-line progress bar on a terminal; plain lines elsewhere (cron, logs)."""
    started = time.monotonic()
    tty = out.isatty()

    def show(done: int, total: int, what: str) -> None:
        width = 30
        filled = width * done // max(total, 1)
        line = f"{label} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} kỳ {what}"
        line += f" — {time.monotonic() - started:.1f} s"
        if tty:
            out.write("\r" + line.ljust(100), ending="")
            if done == total:
                out.write("")
        elif done == total or done % 10 == 0:
            out.write(line)

    return show


class Command(BaseCommand):
    help = "Tính lại bảng tổng hợp số liệu theo cây đơn vị (sau khi nạp hàng loạt)."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", nargs="?", type=int, help="mã kế hoạch (mặc định: mọi kế hoạch)")
        parser.add_argument("--period", help="chỉ kỳ này và các kỳ con của nó, ví dụ 2024")

    def handle(self, *args, **options):
        period = options["period"]
        if period:
            try:
                period = parse_period(period).key
            except PeriodKeyError as error:
                raise CommandError(f"kỳ không hợp lệ: {period!r}") from error
        plans = Plan.objects.order_by("pk")
        if options["plan_id"] is not None:
            plans = plans.filter(pk=options["plan_id"])
            if not plans.exists():
                raise CommandError(f"không tìm thấy kế hoạch có mã {options['plan_id']}")
        started = time.monotonic()
        links = unit_closure_refresh()
        self.stdout.write(f"cây đơn vị: {links} liên kết đơn vị → cấp trên")
        for plan in plans:
            show = progress_bar(self.stdout, f"kế hoạch {plan.pk}")
            rows = rollup_rebuild(plan=plan, period_key=period, progress=show)
            self.stdout.write(f"kế hoạch {plan.pk}: {rows} dòng tổng hợp")
        self.stdout.write(f"xong trong {time.monotonic() - started:.1f} s")
        sys.stdout.flush()
