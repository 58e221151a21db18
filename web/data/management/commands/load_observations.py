"""manage.py load_observations PLAN_ID FILE: a tidy CSV (or .csv.gz) into a plan, all or nothing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from web.data.loading.errors import LOAD_STATES
from web.data.loading.observations import observations_load
from web.data.management.cli import Failed, actor_for, run
from web.data.management.progress import ProgressBar
from web.plans.models import Plan


class Command(BaseCommand):
    help = "Nạp số liệu từ tệp CSV (chỉ tiêu, kỳ, đơn vị…) vào một kế hoạch: tất cả hoặc không dòng nào."

    def add_arguments(self, parser):
        parser.add_argument("plan_id", type=int, help="số của kế hoạch")
        parser.add_argument("file", help="tệp CSV theo mẫu (có thể nén .gz)")
        parser.add_argument(
            "--state", choices=LOAD_STATES, default="approved", help="trạng thái báo cáo sau khi nạp"
        )
        parser.add_argument("--user", help="tài khoản nạp (mặc định: quản trị)")
        parser.add_argument(
            "--allow-locked", action="store_true", help="cho phép ghi đè báo cáo đã gửi hoặc đã duyệt"
        )

    def handle(self, *args, **options):
        run(self, lambda: self.load(**options))

    def load(self, *, plan_id, file, state, user, allow_locked, **_):
        plan = Plan.objects.filter(pk=plan_id).first()
        if plan is None:
            raise Failed(f"không có kế hoạch số {plan_id}")
        bar = ProgressBar(self.stderr._out, file)
        result = observations_load(
            plan=plan,
            rows_or_path=file,
            actor=actor_for(user),
            state=state,
            progress=bar,
            allow_locked=allow_locked,
        )
        bar.close()
        for warning in result.warnings[:20]:
            self.stderr.write(f"cảnh báo: {file}, {warning}")
        self.stdout.write(summary(result))


def summary(result) -> str:
    return (
        f"Đã nạp {result.rows} dòng trong {result.seconds:.1f} s ({result.rate:.0f} dòng/s):"
        f" {result.observations_created} số liệu mới, {result.observations_updated} sửa,"
        f" {result.observations_unchanged} không đổi; {result.submissions_created} báo cáo mới,"
        f" {result.submissions_updated} báo cáo cập nhật."
    )
