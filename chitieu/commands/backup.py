"""`chitieu backup`: copy the web app's database and uploaded evidence into one checked file."""

from __future__ import annotations

import sys
import tempfile
from argparse import Namespace
from datetime import UTC, datetime
from pathlib import Path

from chitieu import __version__
from chitieu.backup_keys import BackupKeyError, key_file_from, key_id, key_read_or_create
from chitieu.backups import FORMAT, FORMAT_VERSION, BackupError, write_backup
from chitieu.databases import (
    ENGINE_NAMES,
    SQLITE,
    DatabaseError,
    database_from,
    media_from,
    pg_dump,
    sqlite_backup,
    sqlite_counts,
)

EXIT_OK, EXIT_BAD_INPUT = 0, 1


def run(args: Namespace) -> int:
    try:
        return _run(args)
    except (DatabaseError, BackupError, BackupKeyError) as error:
        print(f"chitieu backup: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as error:  # disk full, no permission: say where
        print(f"chitieu backup: lỗi ghi/đọc tệp: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _run(args: Namespace) -> int:
    database = database_from(args.database)
    media = None if args.no_media else media_from(args.media)
    now = datetime.now(UTC)  # the edge of the program: the backup says when it was taken
    output = Path(args.output or f"chitieu-{database.engine}-{now.astimezone():%Y%m%d-%H%M%S}.tar.gz")
    if output.exists():
        print(
            f"chitieu backup: đã có tệp {output}: chọn tên khác (không ghi đè bản sao lưu cũ)",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    if not output.parent.is_dir():
        print(f"chitieu backup: không có thư mục {output.parent}", file=sys.stderr)
        return EXIT_BAD_INPUT
    key_file = key_file_from(args.key)
    key, made = key_read_or_create(key_file)
    if made:
        print(
            f"Đã tạo khoá sao lưu {key_file} (mã khoá {key_id(key)}): các bản sao lưu được ký bằng khoá này "
            "và chỉ phục hồi được khi có nó. Hãy giữ một bản sao của tệp khoá ở nơi an toàn, tách khỏi "
            "các bản sao lưu."
        )
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "engine": database.engine,
        "created_at": now.isoformat(timespec="seconds"),
        "chitieu_version": __version__,
    }
    # The copy is made next to the output, where the space for the backup is.
    with tempfile.TemporaryDirectory(prefix=".chitieu-backup-", dir=output.parent) as scratch:
        copy = Path(scratch) / "database"
        extra: dict = {"source": database.label}
        if database.engine == SQLITE:
            sqlite_backup(database.sqlite_file, copy)
            extra["tables"] = sqlite_counts(copy)
        else:
            pg_dump(database, copy)
        manifest = write_backup(
            output,
            header=header,
            database_file=copy,
            media_root=media,
            key=key,
            extra=extra,
            mtime=now.timestamp(),
        )
    _summary(output, database, media, manifest)
    return EXIT_OK


def _summary(output: Path, database, media: Path | None, manifest: dict) -> None:
    size = output.stat().st_size
    print(f"Đã sao lưu cơ sở dữ liệu {ENGINE_NAMES[database.engine]} {database.label}")
    megabytes = f"{size / 1024 / 1024:.1f}".replace(".", ",")  # Vietnamese decimal comma
    print(f"  vào: {output} ({megabytes} MB)")
    tables = manifest.get("tables")
    if tables:
        print(f"  {len(tables)} bảng, {sum(tables.values())} dòng")
    if media is None:
        print("  không kèm tệp minh chứng (--no-media)")
    elif not media.is_dir():
        print(f"  không có thư mục tệp minh chứng {media}: không có tệp nào để sao lưu")
    else:
        print(f"  {manifest['media']['count']} tệp minh chứng từ {media}")
