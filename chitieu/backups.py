"""The backup file: a gzip'd tar holding the database copy, the uploaded evidence and what they are.

Members, in this order:
- ``chitieu-backup.json`` — what the file is (format, engine, date, chitieu version),
  read first so that a foreign file or the wrong engine is refused before anything else;
- ``database.sqlite3`` or ``database.pgdump`` — the SQLite copy or the ``pg_dump -Fc`` archive;
- ``media/…`` — the uploaded evidence files, unless left out;
- ``manifest.json`` — the header again plus the size and SHA-256 of every member above,
  written last because the checksums are taken from the very bytes written, and signed
  with the installation's backup key (chitieu.backup_keys), which is never in the archive.

Reading extracts into a scratch directory, never more than the file can honestly hold
(a bounded unpacking ratio, and the free space), and checks every checksum and the
signature before the caller touches the database: a corrupt, truncated, altered or
foreign file is refused whole.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, BinaryIO

from chitieu.backup_keys import signature_problem, signed
from chitieu.databases import ENGINE_NAMES, POSTGRESQL, SQLITE

FORMAT = "chitieu-backup"
FORMAT_VERSION = 2  # 2: the manifest is signed
# A database copy and evidence compress a few times at most; a file that claims to unpack to
# hundreds of times its size is a bomb. Measured: the demo's backup unpacks 4.6 times.
MAX_UNPACK_RATIO = 100
MIN_FREE_BYTES = 64 * 1024 * 1024  # what restoring must leave free on the disk
HEADER, MANIFEST, MEDIA = "chitieu-backup.json", "manifest.json", "media"
DATABASE_MEMBERS = {SQLITE: "database.sqlite3", POSTGRESQL: "database.pgdump"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """The file cannot be used as a backup; the message says why, in Vietnamese."""


class _Hashing:
    """A file object that hashes what tarfile reads from it."""

    def __init__(self, handle: BinaryIO):
        self.handle, self.sha256, self.size = handle, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.handle.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add_json(archive: tarfile.TarFile, name: str, document: dict, mtime: float) -> None:
    data = json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(mtime), 0o644
    archive.addfile(info, io.BytesIO(data))


def _add_file(archive: tarfile.TarFile, name: str, path: Path) -> dict:
    info = archive.gettarinfo(str(path), arcname=name)
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    with path.open("rb") as handle:
        hashing = _Hashing(handle)
        archive.addfile(info, hashing)
    return {"size": hashing.size, "sha256": hashing.sha256.hexdigest()}


def media_files(root: Path) -> list[Path]:
    """Regular files under the media root, in a stable order; links are not followed."""
    if not root.is_dir():
        return []
    found = []
    for directory, subdirs, files in os.walk(root):
        subdirs.sort()
        for name in sorted(files):
            path = Path(directory) / name
            if path.is_file() and not path.is_symlink():
                found.append(path)
    return found


def write_backup(
    output: Path,
    *,
    header: dict,
    database_file: Path,
    media_root: Path | None,
    key: bytes,
    extra: dict | None = None,
    mtime: float = 0,
) -> dict:
    """Write the backup to ``output`` (via a temporary name, so a half-written file never has it)."""
    partial = output.with_name(output.name + ".partial")
    manifest = {**header, **(extra or {})}
    try:
        with tarfile.open(partial, "w:gz", format=tarfile.PAX_FORMAT) as archive:
            _add_json(archive, HEADER, header, mtime)
            member = DATABASE_MEMBERS[header["engine"]]
            manifest["database"] = {"file": member, **_add_file(archive, member, database_file)}
            files = []
            if media_root is not None:
                for path in media_files(media_root):
                    relative = path.relative_to(media_root).as_posix()
                    files.append({"path": relative, **_add_file(archive, f"{MEDIA}/{relative}", path)})
            manifest["media"] = {
                "included": media_root is not None,
                "files": files,
                "count": len(files),
                "bytes": sum(f["size"] for f in files),
            }
            manifest = signed(manifest, key)
            _add_json(archive, MANIFEST, manifest, mtime)
        os.replace(partial, output)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


# ------------------------------------------------------------------ reading


@dataclass
class OpenedBackup:
    """A backup extracted and verified in ``workdir``; remove it with :meth:`cleanup`."""

    workdir: Path
    manifest: dict
    database_file: Path
    media_dir: Path | None
    media_count: int = 0
    warnings: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        shutil.rmtree(self.workdir, ignore_errors=True)


def _safe_media_path(name: str) -> str | None:
    """The path under media/ of a member, or None when it could escape the directory."""
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or len(path.parts) < 2 or path.parts[0] != MEDIA:
        return None
    return PurePosixPath(*path.parts[1:]).as_posix()


def _member_file(archive: tarfile.TarFile, member: tarfile.TarInfo) -> IO[bytes]:
    """A member's bytes; a member that is not a regular file (a link, a folder) is not ours."""
    source = archive.extractfile(member)
    if source is None:
        raise BackupError(f"{member.name}: không phải tệp trong bản sao lưu")
    return source


def _extract(archive: tarfile.TarFile, member: tarfile.TarInfo, destination: Path) -> dict:
    destination.parent.mkdir(parents=True, exist_ok=True)
    source = _member_file(archive, member)
    digest, size = hashlib.sha256(), 0
    with destination.open("wb") as out:
        while chunk := source.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def _header(archive: tarfile.TarFile, member: tarfile.TarInfo | None, name: str) -> dict:
    not_ours = f"{name} không phải tệp sao lưu của chitieu"
    if member is None or member.name != HEADER or not member.isfile() or member.size > 100_000:
        raise BackupError(not_ours)
    try:
        header = json.loads(_member_file(archive, member).read().decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(not_ours) from error
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError(not_ours)
    if not isinstance(header.get("format_version"), int) or header["format_version"] > FORMAT_VERSION:
        raise BackupError(
            f"{name} được tạo bởi phiên bản chitieu mới hơn (dạng sao lưu {header.get('format_version')}); "
            "hãy cập nhật chitieu rồi phục hồi"
        )
    if header.get("engine") not in DATABASE_MEMBERS:
        raise BackupError(f"{name}: loại cơ sở dữ liệu không rõ: {header.get('engine')!r}")
    return header


@dataclass(frozen=True)
class Trust:
    """What a backup must prove: signed with ``key`` (unsigned ones only when allowed)."""

    key: bytes
    allow_unsigned: bool = False


def read_backup(
    path: Path,
    *,
    trust: Trust,
    workdir_parent: Path | None = None,
    expect_engine: str | None = None,
    with_media: bool = True,
) -> OpenedBackup:
    """Extract and verify the whole backup, or raise BackupError; nothing outside ``workdir`` is written."""
    name = str(path)
    if not path.is_file():
        raise BackupError(f"không tìm thấy tệp sao lưu: {name}")
    with path.open("rb") as handle:
        if handle.read(2) != b"\x1f\x8b":
            raise BackupError(f"{name} không phải tệp sao lưu của chitieu (không phải tệp .tar.gz)")
    if workdir_parent is not None:
        workdir_parent.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix=".chitieu-restore-", dir=workdir_parent))
    try:
        budget = _Budget(name, _unpack_limit(path, workdir))
        manifest, header, found = _read_into(path, name, workdir, expect_engine, with_media, budget)
        _check_signature(manifest, header, name, trust)
        return _verified(manifest, header, found, name, workdir, with_media)
    except BaseException:
        shutil.rmtree(workdir, ignore_errors=True)
        raise


class _Budget:
    """Bytes the members may still unpack to; refused from the tar headers, before writing."""

    def __init__(self, name: str, limit: int):
        self.name, self.left = name, limit

    def take(self, member: tarfile.TarInfo) -> None:
        self.left -= member.size
        if self.left < 0:
            raise BackupError(
                f"{self.name} giải nén ra quá lớn so với kích thước tệp (vượt {MAX_UNPACK_RATIO} lần, "
                "hoặc vượt chỗ trống trên đĩa): không phải bản sao lưu bình thường, đã dừng trước khi ghi"
            )


def _unpack_limit(path: Path, workdir: Path) -> int:
    ratio_limit = path.stat().st_size * MAX_UNPACK_RATIO
    return min(ratio_limit, shutil.disk_usage(workdir).free - MIN_FREE_BYTES)


def _check_signature(manifest: dict, header: dict, name: str, trust: Trust) -> None:
    if header["format_version"] < 2 and trust.allow_unsigned:
        return  # made before backups were signed, and the administrator vouches for it
    if header["format_version"] < 2:
        raise BackupError(
            f"{name} không có chữ ký (tạo bởi phiên bản chitieu cũ): chỉ phục hồi nếu chắc chắn tệp "
            "do máy này tạo, bằng --allow-unsigned"
        )
    problem = signature_problem(manifest, trust.key) if isinstance(manifest, dict) else "không có chữ ký"
    if problem is not None:
        raise BackupError(f"{name}: không phải bản sao lưu do máy này tạo ({problem})")


def _read_into(
    path: Path, name: str, workdir: Path, expect_engine: str | None, with_media: bool, budget: _Budget
) -> tuple[dict, dict, dict[str, dict]]:
    found: dict[str, dict] = {}
    manifest = None
    try:
        with tarfile.open(path, "r|gz") as archive:
            header = _header(archive, archive.next(), name)
            engine = header["engine"]
            if expect_engine is not None and engine != expect_engine:
                raise BackupError(_wrong_engine(name, engine, expect_engine))
            database_member = DATABASE_MEMBERS[engine]
            # next(), not iteration: iterating would start again from the header.
            while (member := archive.next()) is not None:
                manifest = _read_member(
                    archive, member, name, workdir, database_member, with_media, found, budget
                )
                if manifest is not None:
                    break
    except (tarfile.TarError, EOFError, zlib.error, gzip.BadGzipFile, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise
        raise BackupError(f"{name} bị hỏng hoặc bị cắt cụt ({type(error).__name__}: {error})") from error
    if manifest is None:
        raise BackupError(f"{name} bị hỏng hoặc bị cắt cụt: không đọc được tới manifest.json ở cuối tệp")
    return manifest, header, found


def _read_member(archive, member, name, workdir, database_member, with_media, found, budget) -> dict | None:
    """Extract one member into ``workdir`` and note its checksum; the manifest is returned when reached."""
    if not member.isfile():
        raise BackupError(f"{name}: mục lạ trong tệp sao lưu: {member.name!r}")
    if member.name == MANIFEST:
        try:
            return json.loads(archive.extractfile(member).read().decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise BackupError(f"{name}: manifest.json bị hỏng") from error
    if member.name == database_member:
        budget.take(member)
        found[member.name] = _extract(archive, member, workdir / database_member)
        return None
    relative = _safe_media_path(member.name)
    if relative is None:
        raise BackupError(f"{name}: mục lạ trong tệp sao lưu: {member.name!r}")
    if with_media:
        budget.take(member)
        found[member.name] = _extract(archive, member, workdir / MEDIA / relative)
    return None


def _verified(manifest, header, found, name, workdir, with_media) -> OpenedBackup:
    if not isinstance(manifest, dict) or any(manifest.get(k) != v for k, v in header.items()):
        raise BackupError(f"{name}: manifest.json không khớp với phần đầu tệp")
    expected = {manifest["database"]["file"]: manifest["database"]}
    media = manifest.get("media") or {}
    if with_media:
        expected.update({f"{MEDIA}/{f['path']}": f for f in media.get("files", [])})
    for member, facts in expected.items():
        got = found.get(member)
        if got is None:
            raise BackupError(f"{name} bị hỏng: thiếu {member}")
        if got["sha256"] != facts["sha256"] or got["size"] != facts["size"]:
            raise BackupError(f"{name} bị hỏng: {member} có mã kiểm tra (SHA-256) sai")
    extra = sorted(set(found) - set(expected))
    if extra:
        raise BackupError(f"{name}: có tệp không ghi trong manifest: {extra[0]}")
    media_dir = workdir / MEDIA if with_media and media.get("included") else None
    if media_dir is not None:
        media_dir.mkdir(exist_ok=True)
    return OpenedBackup(
        workdir=workdir,
        manifest=manifest,
        database_file=workdir / manifest["database"]["file"],
        media_dir=media_dir,
        media_count=len(media.get("files", [])) if media_dir else 0,
    )


def _wrong_engine(name: str, engine: str, target: str) -> str:
    return (
        f"{name} là bản sao lưu {ENGINE_NAMES[engine]}, còn cơ sở dữ liệu đích là {ENGINE_NAMES[target]}: "
        "không phục hồi chéo giữa hai loại được; dùng --database để chỉ cơ sở dữ liệu "
        f"{ENGINE_NAMES[engine]} cần phục hồi"
    )


def replace_directory(new: Path, target: Path) -> None:
    """Put the restored evidence directory in place of the current one.

    Two renames on one file system: the old directory is set aside, the new one
    takes its name, then the old one is removed. Where the directory cannot be
    renamed (a mount point), its contents are replaced file by file instead.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        os.replace(new, target)
        return
    aside = target.with_name(f".{target.name}.before-restore-{os.getpid()}")
    try:
        os.replace(target, aside)
    except OSError:
        _replace_contents(new, target)
        return
    os.replace(new, target)
    shutil.rmtree(aside, ignore_errors=True)


def _replace_contents(new: Path, target: Path) -> None:
    for child in list(target.iterdir()):
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    for child in list(new.iterdir()):
        shutil.move(str(child), target / child.name)
    shutil.rmtree(new, ignore_errors=True)
