"""``manage.py send_reminders [--as-of YYYY-MM-DD] [--plan ID] [--dry-run]``: for cron, e.g. daily at 07:00.

Sends one e-mail per report item that is due soon or late, never twice for the
same item and stage. The mail backend comes from settings (console by default,
SMTP with EMAIL_URL).
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from web.dashboards.services import DEFAULT_LOOKBACK_DAYS, reminders_send
from web.plans.models import Plan


class Command(BaseCommand):
    help = "Gửi thư nhắc các đơn vị chưa báo cáo số liệu đến hạn hoặc quá hạn (mỗi việc một lần)."

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="ngày tham chiếu YYYY-MM-DD (mặc định: hôm nay)")
        parser.add_argument("--plan", type=int, action="append", help="chỉ kế hoạch có mã này")
        parser.add_argument("--days-before", type=int, help="nhắc trước hạn bao nhiêu ngày")
        parser.add_argument(
            "--lookback",
            type=int,
            default=DEFAULT_LOOKBACK_DAYS,
            help="không nhắc việc quá hạn lâu hơn số ngày này",
        )
        parser.add_argument("--dry-run", action="store_true", help="chỉ liệt kê, không gửi")

    def handle(self, *args, **options):
        as_of = self._as_of(options["as_of"])
        plans = None
        if options["plan"]:
            plans = list(Plan.objects.filter(pk__in=options["plan"]).select_related("area"))
            if len(plans) != len(set(options["plan"])):
                raise CommandError("không tìm thấy kế hoạch: " + ", ".join(map(str, options["plan"])))
        run = reminders_send(
            as_of=as_of,
            plans=plans,
            remind_before=options["days_before"],
            lookback_days=options["lookback"],
            dry_run=options["dry_run"],
        )
        for sent in run.sent:
            self.stdout.write(
                f"đã gửi ({sent.stage}): {sent.indicator_code} {sent.period_key} {sent.org_unit}"
                f"{' ' + sent.sex if sent.sex else ''} → {sent.recipients}"
            )
        for item in run.without_recipient:
            self.stderr.write(
                f"không có người nhận: {item.item.indicator} {item.item.period} {item.item.org_unit}"
                " (thêm địa chỉ e-mail cho người báo cáo của đơn vị)"
            )
        self.stdout.write(
            f"{as_of:%d/%m/%Y}: gửi {len(run.sent)} thư; {run.already_sent} việc đã nhắc trước đó;"
            f" {len(run.without_recipient)} việc chưa có người nhận"
        )

    @staticmethod
    def _as_of(text: str | None) -> date:
        if not text:
            return timezone.localdate()
        try:
            return date.fromisoformat(text)
        except ValueError as error:
            raise CommandError(f"--as-of phải là ngày dạng YYYY-MM-DD, không phải {text!r}") from error
