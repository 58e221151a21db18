"""``manage.py import_plan FILE --area CODE_OR_NAME --user USERNAME [--plan ID] [--confirm]``.

Imports a plan annex from the server's command line (a province's or the nation's plan,
a scripted set-up), through the same service as the upload page: a draft version to
review in the web app, or, with ``--confirm``, the version in force at once. All in one
transaction: a run stopped midway (Ctrl+C, a killed process, a lost database) stores nothing.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from web.orgs.models import OrgUnit
from web.orgs.selectors import unit_find
from web.plans.models import Plan
from web.plans.services import PlanImportError, plan_import, plan_version_confirm


class Command(BaseCommand):
    help = "Nhập phụ lục kế hoạch từ tệp (.txt/.tsv/.csv, .xlsx, .docx) thành một phiên bản kế hoạch."

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp phụ lục")
        parser.add_argument("--area", required=True, help="mã hoặc tên đơn vị là địa bàn của kế hoạch")
        parser.add_argument("--user", required=True, help="tên đăng nhập của điều phối viên nhập kế hoạch")
        parser.add_argument("--plan", type=int, help="số của kế hoạch đã có (nhập phiên bản sửa đổi)")
        parser.add_argument("--confirm", action="store_true", help="cho phiên bản có hiệu lực ngay")

    def handle(self, *args, file, area, user, plan, confirm, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"không tìm thấy tệp {path}")
        actor = get_user_model().objects.filter(username=user).first()
        if actor is None:
            raise CommandError(f"không có người dùng {user!r}")
        unit = OrgUnit.objects.filter(code=area).first() if area else None
        unit = unit or unit_find(area)
        if unit is None:
            raise CommandError(f"không tìm thấy đơn vị {area!r} (mã hoặc tên)")
        existing = None
        if plan is not None:
            existing = Plan.objects.filter(pk=plan, area=unit).first()
            if existing is None:
                raise CommandError(f"không có kế hoạch số {plan} của {unit.name}")
        try:
            with transaction.atomic():
                version = plan_import(
                    actor=actor, data=path.read_bytes(), filename=path.name, area=unit, plan=existing
                )
                if confirm:
                    version = plan_version_confirm(actor=actor, version=version)
        except PermissionDenied as error:
            raise CommandError(f"{user} không có quyền nhập kế hoạch cho {unit.name}") from error
        except PlanImportError as error:
            lines = [f"{path}: {issue.where}: {issue.message}" for issue in error.issues]
            raise CommandError("không đọc được phụ lục kế hoạch\n" + "\n".join(lines)) from error
        state = "có hiệu lực" if confirm else "bản nháp chờ rà soát"
        self.stdout.write(
            f"Kế hoạch {version.plan_id}, phiên bản {version.number} ({state}): "
            f"{version.indicators.count()} chỉ tiêu, {version.issues.count()} ghi chú cần xem"
        )
