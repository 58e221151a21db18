"""manage.py media_orphans [--delete]: evidence files that no saved report refers to."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from web.data.orphans import orphan_files, orphans_delete


class Command(BaseCommand):
    help = (
        "Tìm (và xoá, với --delete) các tệp minh chứng không thuộc báo cáo nào: tệp của lần lưu "
        "bị huỷ hoặc bị ngắt giữa chừng."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="xoá các tệp tìm thấy")
        parser.add_argument(
            "--older-than-minutes",
            type=int,
            default=60,
            help="chỉ xét tệp không thay đổi trong ít nhất chừng ấy phút (mặc định 60)",
        )

    def handle(self, *args, delete: bool, older_than_minutes: int, **options):
        found = orphan_files(older_than_seconds=older_than_minutes * 60)
        for orphan in found:
            self.stdout.write(f"{orphan.name}\t{orphan.size} byte")
        total = sum(o.size for o in found)
        if delete:
            orphans_delete(found)
            self.stdout.write(f"Đã xoá {len(found)} tệp không thuộc báo cáo nào ({total} byte).")
        else:
            self.stdout.write(
                f"Tìm thấy {len(found)} tệp không thuộc báo cáo nào ({total} byte). "
                "Chạy lại với --delete để xoá."
            )
