"""manage.py load_units FILE: a country's or a province's units from a CSV (code,name,kind,parent_code).

Parents first; units already there (same code) are kept, so the file can be loaded again after
adding lines. All or nothing: every bad line is named with its number.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from web.data.loading.units import units_load
from web.data.management.cli import actor_for, run


class Command(BaseCommand):
    help = (
        "Nạp danh sách đơn vị từ tệp CSV (code,name,kind,parent_code; cấp trên đứng trước):"
        " tất cả hoặc không đơn vị nào; đơn vị đã có được giữ nguyên."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp CSV: code,name,kind,parent_code")
        parser.add_argument("--user", help="tài khoản ghi vào nhật ký (mặc định: quản trị)")

    def handle(self, *args, **options):
        run(self, lambda: self.load(**options))

    def load(self, *, file, user, **_):
        result = units_load(rows_or_path=file, actor=actor_for(user))
        self.stdout.write(f"Đã tạo {result.created} đơn vị mới; {result.existing} đơn vị đã có, giữ nguyên.")
