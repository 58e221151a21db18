"""manage.py load_country DIR: a synthetic country (units, plan, assignments, figures) in one transaction.

The directory is what ``chitieu synth`` writes: units.csv, plan.txt, assignments.csv,
observations.csv (or .csv.gz). Either everything is stored or nothing; run again, it
finds the plan already loaded and stops without duplicating anything.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from chitieu.importer import read_plan_bytes
from web.data.loading.assignments import assignments_load
from web.data.loading.errors import LOAD_STATES
from web.data.loading.observations import observations_load
from web.data.loading.units import units_load
from web.data.management.cli import Failed, actor_for, run
from web.data.management.commands.load_observations import summary
from web.data.management.progress import ProgressBar
from web.orgs.models import OrgUnit, UnitKind
from web.plans.models import Plan
from web.plans.services import PlanImportError, plan_import, plan_version_confirm

FILES = ("units.csv", "plan.txt", "assignments.csv")


class Command(BaseCommand):
    help = "Nạp bộ dữ liệu quốc gia (đơn vị, kế hoạch, phân công, số liệu) từ thư mục do 'chitieu synth' tạo."

    def add_arguments(self, parser):
        parser.add_argument("dir", help="thư mục dữ liệu")
        parser.add_argument("--plan-name", help="tên kế hoạch (mặc định: tiêu đề của phụ lục)")
        parser.add_argument(
            "--state", choices=LOAD_STATES, default="approved", help="trạng thái báo cáo sau khi nạp"
        )
        parser.add_argument("--user", help="tài khoản nạp (mặc định: quản trị)")

    def handle(self, *args, **options):
        run(self, lambda: self.load(**options))

    def load(self, *, dir, plan_name, state, user, **_):
        folder = Path(dir)
        observations = _observations_file(folder)
        missing = [name for name in FILES if not (folder / name).is_file()]
        if missing or observations is None:
            missing += [] if observations else ["observations.csv (hoặc observations.csv.gz)"]
            raise Failed(f"thư mục {folder} thiếu: {', '.join(missing)}")
        annex = (folder / "plan.txt").read_bytes()
        read = read_plan_bytes(annex, "plan.txt")
        if read.plan is None:
            raise Failed(
                *(
                    f"{folder / 'plan.txt'}, {i.where}: {i.message}"
                    for i in read.issues
                    if i.severity == "error"
                )
            )
        name = (plan_name or read.plan.title or folder.name)[:300]
        actor = actor_for(user)
        nation_code = _nation_code(folder / "units.csv")
        existing = Plan.objects.filter(name=name, area__code=nation_code).first()
        if existing is not None:
            self.stdout.write(
                f"Kế hoạch {name!r} đã được nạp (số {existing.pk}): không nạp lại, không có gì thay đổi."
            )
            return
        with transaction.atomic():
            units = units_load(rows_or_path=folder / "units.csv", actor=actor)
            self.stderr.write(f"Đơn vị: {units.created} mới, {units.existing} đã có.")
            nation = OrgUnit.objects.get(code=nation_code)
            try:
                version = plan_import(actor=actor, data=annex, filename="plan.txt", area=nation)
            except PlanImportError as error:
                raise Failed(
                    *(f"{folder / 'plan.txt'}, {i.where}: {i.message}" for i in error.issues)
                ) from error
            Plan.objects.filter(pk=version.plan_id).update(name=name)
            plan_version_confirm(actor=actor, version=version)
            count = assignments_load(version=version, rows_or_path=folder / "assignments.csv", actor=actor)
            self.stderr.write(f"Kế hoạch {name!r} (số {version.plan_id}): {count} phân công.")
            bar = ProgressBar(self.stderr._out, observations.name)
            result = observations_load(
                plan=version.plan, rows_or_path=observations, actor=actor, state=state, progress=bar
            )
            bar.close()
        self.stdout.write(f"Kế hoạch số {version.plan_id}. " + summary(result))


def _observations_file(folder: Path) -> Path | None:
    for name in ("observations.csv", "observations.csv.gz"):
        if (folder / name).is_file():
            return folder / name
    return None


def _nation_code(units_csv: Path) -> str:
    """The code of the one nation row of units.csv (its first line of kind nation)."""
    import csv

    with units_csv.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            if (row.get("kind") or "").strip() == UnitKind.NATION:
                return (row.get("code") or "").strip()
    raise Failed(f"{units_csv}: không có dòng nào loại nation (cả nước)")
