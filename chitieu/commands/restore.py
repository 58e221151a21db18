"""`chitieu restore FILE --yes`: put a backup back, all or nothing.

The whole file is extracted and every checksum verified before the database is
touched; the database is then replaced in one transaction (SQLite's backup API
into the live file, ``pg_restore --single-transaction`` on PostgreSQL), and the
evidence directory last.
"""

from __future__ import annotations

import sys
from argparse import Namespace
from pathlib import Path

from chitieu import __version__
from chitieu.backup_keys import BackupKeyError, key_file_from, key_read
from chitieu.backups import BackupError, OpenedBackup, Trust, read_backup, replace_directory
from chitieu.databases import (
    ENGINE_NAMES,
    SQLITE,
    Database,
    DatabaseError,
    database_from,
    media_from,
    pg_check,
    pg_restore,
    sqlite_check,
    sqlite_restore,
)

EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2


def run(args: Namespace) -> int:
    if not (args.yes or args.check):
        print(
            "chitieu restore: phục hồi sẽ thay toàn bộ dữ liệu hiện có bằng dữ liệu trong bản sao lưu; "
            "thêm --yes để xác nhận, hoặc --check để chỉ kiểm tra tệp",
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        return _run(args)
    except (DatabaseError, BackupError, BackupKeyError) as error:
        print(f"chitieu restore: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:
        print(f"chitieu restore: lỗi ghi/đọc tệp: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _run(args: Namespace) -> int:
    database = database_from(args.database)
    media = None if args.no_media else media_from(args.media)
    trust = Trust(key_read(key_file_from(args.key)), allow_unsigned=args.allow_unsigned)
    opened = read_backup(
        Path(args.file),
        trust=trust,
        workdir_parent=media.parent if media is not None else None,  # same file system: renamed in place
        expect_engine=None if args.check else database.engine,
        with_media=media is not None,
    )
    try:
        _check_database_copy(opened)
        if args.check:
            _describe(Path(args.file), opened)
            return EXIT_OK
        _restore(opened, database, media)
    finally:
        opened.cleanup()
    return EXIT_OK


def _check_database_copy(opened: OpenedBackup) -> None:
    if opened.manifest["engine"] == SQLITE:
        sqlite_check(opened.database_file)
    else:
        pg_check(opened.database_file)


def _describe(path: Path, opened: OpenedBackup) -> None:
    manifest = opened.manifest
    signature = manifest.get("signature") or {}
    signer = f"chữ ký đúng, mã khoá {signature['key_id']}" if signature else "không có chữ ký, được chấp nhận"
    print(f"{path}: bản sao lưu hợp lệ (mọi mã kiểm tra SHA-256 đều đúng; {signer})")
    print(f"  cơ sở dữ liệu {ENGINE_NAMES[manifest['engine']]}, tạo lúc {manifest['created_at']}")
    print(f"  bởi chitieu {manifest['chitieu_version']}, từ {manifest.get('source', '?')}")
    media = manifest.get("media") or {}
    if media.get("included"):
        print(f"  {media.get('count', 0)} tệp minh chứng")
    else:
        print("  không kèm tệp minh chứng")


def _restore(opened: OpenedBackup, database: Database, media: Path | None) -> None:
    manifest = opened.manifest
    if database.engine == SQLITE:
        sqlite_restore(opened.database_file, database.sqlite_file)
    else:
        pg_restore(opened.database_file, database)
    print(f"Đã phục hồi cơ sở dữ liệu {ENGINE_NAMES[database.engine]} {database.label}")
    print(f"  từ bản sao lưu tạo lúc {manifest['created_at']}")
    if media is None:
        print("  giữ nguyên tệp minh chứng (--no-media)")
    elif opened.media_dir is None:
        print(f"  bản sao lưu không kèm tệp minh chứng: giữ nguyên {media}")
    else:
        replace_directory(opened.media_dir, media)
        print(f"  {opened.media_count} tệp minh chứng vào {media}")
    if manifest["chitieu_version"] != __version__:
        print(
            f"  bản sao lưu do chitieu {manifest['chitieu_version']} tạo, đang dùng {__version__}: "
            "chạy `manage.py migrate` trước khi mở lại ứng dụng"
        )
