"""manage.py load_accounts FILE [--passwords OUT]: a province's accounts from a CSV, all or nothing.

Each new account gets a first password, printed (or written to OUT, readable by its owner only) so
that the administrator can hand it over; its owner changes it at /password/. Accounts already there
are left as they are.
"""

from __future__ import annotations

import csv
import os
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from web.data.loading.accounts import accounts_load
from web.data.management.cli import Failed, actor_for, run


class Command(BaseCommand):
    help = (
        "Tạo tài khoản từ tệp CSV (username,full_name,email,role,unit): tất cả hoặc không tài khoản nào;"
        " tài khoản đã có được giữ nguyên."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="tệp CSV: username,full_name,email,role,unit (mã đơn vị)")
        parser.add_argument(
            "--passwords",
            help="ghi mật khẩu đầu tiên của các tài khoản mới vào tệp CSV mới này"
            " (chỉ người chạy lệnh đọc được) thay vì in ra màn hình",
        )
        parser.add_argument("--user", help="tài khoản ghi vào nhật ký (mặc định: quản trị)")

    def handle(self, *args, **options):
        run(self, lambda: self.load(**options))

    def load(self, *, file, passwords, user, **_):
        out = _passwords_file(Path(passwords)) if passwords else None
        try:
            with transaction.atomic():  # the system account that signs the audit too, or nothing
                result = accounts_load(rows_or_path=file, actor=actor_for(user))
        except BaseException:
            if out is not None:  # nothing was created: the empty file would only mislead
                out.close()
                Path(passwords).unlink()
            raise
        if out is not None:
            with out:
                writer = csv.writer(out)
                writer.writerow(["username", "password"])
                writer.writerows(result.created)
        else:
            for username, password in result.created:
                self.stdout.write(f"{username}\t{password}")
        self.stdout.write(
            f"Đã tạo {len(result.created)} tài khoản mới; {len(result.existing)} tài khoản đã có, giữ nguyên."
            + (f" Mật khẩu đầu tiên trong {passwords}." if out is not None and result.created else "")
        )


def _passwords_file(path: Path):
    """A new file only its owner reads, opened before anything is created: a file that cannot be
    written (or is already there, perhaps with earlier passwords) stops the command first."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise Failed(f"tệp {path} đã có: chọn tên tệp khác để không ghi đè mật khẩu cũ") from None
    except OSError as error:
        raise Failed(f"không tạo được tệp {path}: {error.strerror}") from None
    return os.fdopen(descriptor, "w", encoding="utf-8", newline="")
