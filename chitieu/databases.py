"""Where the web app's database is, and copying it out and back in, for ``chitieu backup`` / ``restore``.

The core never imports Django, so the database is named the way the web app's
settings name it: ``DATABASE_URL`` (``sqlite:////abs/path.sqlite3`` or
``postgres://user:password@host:port/name``), else the SQLite file in ``var/``.
SQLite is copied with SQLite's own online backup API; PostgreSQL with
``pg_dump -Fc`` and ``pg_restore`` found on PATH or in /usr/lib/postgresql.
Errors are :class:`DatabaseError` with a Vietnamese sentence for the user.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

# The same defaults as web/config/settings/base.py (the repository's var/ directory).
PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SQLITE = PROJECT_ROOT / "var" / "chitieu.sqlite3"
DEFAULT_MEDIA = PROJECT_ROOT / "var" / "media"

SQLITE, POSTGRESQL = "sqlite", "postgresql"
ENGINE_NAMES = {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}
_POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")
# A restore hands PostgreSQL a whole database at once: give it time, but not forever.
_PG_TIMEOUT_SECONDS = 3600


class DatabaseError(Exception):
    """Something the user must fix; the message says what, in Vietnamese."""


@dataclass(frozen=True)
class Database:
    engine: str  # SQLITE or POSTGRESQL
    path: Path | None = None  # SQLite file
    url: str = ""  # PostgreSQL URL, as given (may hold a password)

    @property
    def sqlite_file(self) -> Path:
        """The SQLite file; ``database_from`` always gives a SQLite database one."""
        if self.path is None:
            raise DatabaseError("cơ sở dữ liệu SQLite không có đường dẫn tệp")
        return self.path

    @property
    def label(self) -> str:
        """For messages and the manifest: never shows a password."""
        if self.engine == SQLITE:
            return str(self.path)
        parts = urlsplit(self.url)
        netloc = parts.netloc.rsplit("@", 1)
        if len(netloc) == 2 and ":" in netloc[0]:
            netloc[0] = netloc[0].split(":", 1)[0] + ":***"
        return urlunsplit(parts._replace(netloc="@".join(netloc)))


def database_from(location: str | None, environ: Mapping[str, str] | None = None) -> Database:
    """``--database`` (a URL or a file path), else ``DATABASE_URL``, else the web app's SQLite file."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    text = (location or env.get("DATABASE_URL") or "").strip()
    if not text:
        return Database(SQLITE, path=DEFAULT_SQLITE)
    scheme = text.split("://", 1)[0].lower() if "://" in text else ""
    if scheme in _POSTGRES_SCHEMES:
        if not urlsplit(text).path.strip("/"):
            raise DatabaseError(f"địa chỉ cơ sở dữ liệu {text!r} không ghi tên cơ sở dữ liệu")
        return Database(POSTGRESQL, url=text)
    if scheme == "sqlite":
        rest = text[len("sqlite://") :]
        if rest in ("", ":memory:", "/:memory:"):
            raise DatabaseError("cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được: hãy chỉ một tệp")
        # As django-environ reads it: sqlite:////abs/path is absolute, sqlite:///rel/path relative.
        return Database(SQLITE, path=Path(unquote(rest[1:] if rest.startswith("/") else rest)))
    if scheme:
        raise DatabaseError(
            f"không hỗ trợ cơ sở dữ liệu {scheme!r}: chỉ SQLite (đường dẫn tệp hoặc sqlite:////…) "
            "và PostgreSQL (postgres://người_dùng@máy:cổng/tên)"
        )
    return Database(SQLITE, path=Path(text))


def media_from(location: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--media``, else ``CHITIEU_MEDIA_ROOT`` (as the web app's settings), else var/media."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    return Path(location or env.get("CHITIEU_MEDIA_ROOT") or DEFAULT_MEDIA)


# ------------------------------------------------------------------ SQLite


def _sqlite_open_existing(path: Path, timeout: float = 30.0) -> sqlite3.Connection:
    if not path.is_file():
        raise DatabaseError(f"không tìm thấy cơ sở dữ liệu SQLite: {path}")
    # mode=rw: never create an empty database by mistake; a hot journal left by a
    # crashed writer is rolled back by this connection before it reads.
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=timeout)
    except sqlite3.Error as error:
        raise DatabaseError(f"không mở được cơ sở dữ liệu SQLite {path}: {error}") from error


def sqlite_check(path: Path) -> None:
    """A whole, readable SQLite database made by chitieu, or DatabaseError."""
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            verdict = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"tệp cơ sở dữ liệu trong bản sao lưu bị hỏng: {error}") from error
    if verdict != "ok":
        raise DatabaseError(f"tệp cơ sở dữ liệu trong bản sao lưu bị hỏng: {verdict}")
    if "django_migrations" not in tables:
        raise DatabaseError("tệp cơ sở dữ liệu trong bản sao lưu không phải của chitieu")


def sqlite_backup(source: Path, destination: Path) -> None:
    """Copy a live database: SQLite's backup API reads one consistent snapshot,
    even while the web app keeps writing (writers wait for the copy, they are not refused)."""
    src = _sqlite_open_existing(source)
    try:
        dst = sqlite3.connect(destination)
        try:
            src.backup(dst)  # all pages in one step: one consistent snapshot
        finally:
            dst.close()
    except sqlite3.Error as error:
        raise DatabaseError(f"không sao lưu được {source}: {error}") from error
    finally:
        src.close()


def sqlite_restore(copy: Path, target: Path) -> None:
    """Write ``copy`` over ``target`` in one SQLite transaction.

    The backup API writes into the target through SQLite's own journal: a restore
    killed midway is rolled back on the next open, and a server that has the
    database open sees the restored data instead of a file replaced under it.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target, timeout=30.0)
        try:
            src.backup(dst)
        finally:
            dst.close()
    except sqlite3.Error as error:
        raise DatabaseError(f"không phục hồi được vào {target}: {error}") from error
    finally:
        src.close()


def sqlite_counts(path: Path) -> dict[str, int]:
    """Rows per table, for the manifest and the summary printed to the user."""
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {n: connection.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        connection.close()


# ------------------------------------------------------------------ PostgreSQL


def pg_program(name: str, environ: Mapping[str, str] | None = None) -> str:
    """pg_dump / pg_restore: PG_BIN, then PATH, then the newest /usr/lib/postgresql/N/bin."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    if env.get("PG_BIN"):  # the user said where: look nowhere else
        candidates = [Path(env["PG_BIN"]) / name]
    else:
        found = shutil.which(name, path=env.get("PATH"))
        versions = sorted(
            Path("/usr/lib/postgresql").glob("*/bin"),
            key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
            reverse=True,
        )
        candidates = ([Path(found)] if found else []) + [v / name for v in versions]
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise DatabaseError(
        f"không tìm thấy chương trình {name} của PostgreSQL: cài gói postgresql-client "
        "(Debian) hoặc đặt biến PG_BIN là thư mục chứa nó"
    )


def _libpq(database: Database) -> tuple[str, dict[str, str]]:
    """The URL without its password (visible to `ps`), and the password in PGPASSWORD."""
    parts = urlsplit(database.url)
    env = dict(os.environ)
    netloc = parts.netloc
    if "@" in netloc:
        credentials, host = netloc.rsplit("@", 1)
        if ":" in credentials:
            user, password = credentials.split(":", 1)
            env["PGPASSWORD"] = unquote(password)
            netloc = f"{user}@{host}"
    return urlunsplit(parts._replace(scheme="postgresql", netloc=netloc)), env


def _run_pg(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=_PG_TIMEOUT_SECONDS, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise DatabaseError(f"{what}: quá {_PG_TIMEOUT_SECONDS} giây, đã dừng") from error
    if done.returncode != 0:
        detail = "\n".join(done.stderr.strip().splitlines()[-6:])
        raise DatabaseError(f"{what}:\n{detail}")


def pg_dump(database: Database, destination: Path) -> None:
    url, env = _libpq(database)
    program = pg_program("pg_dump")
    _run_pg(
        [program, "--format=custom", "--no-owner", f"--file={destination}", f"--dbname={url}"],
        env,
        f"pg_dump không sao lưu được {database.label}",
    )


def pg_check(dump: Path) -> None:
    """The dump is a PostgreSQL custom-format archive of a chitieu database."""
    listing = subprocess.run(
        [pg_program("pg_restore"), "--list", str(dump)], capture_output=True, text=True, check=False
    )
    if listing.returncode != 0:
        raise DatabaseError("tệp cơ sở dữ liệu trong bản sao lưu bị hỏng (pg_restore không đọc được)")
    if " django_migrations " not in listing.stdout:
        raise DatabaseError("tệp cơ sở dữ liệu trong bản sao lưu không phải của chitieu")


def pg_restore(dump: Path, database: Database) -> None:
    """Replace the database's tables with the dump's, in one transaction: all or nothing."""
    url, env = _libpq(database)
    _run_pg(
        [
            pg_program("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",  # implies --exit-on-error: any error rolls everything back
            "--no-owner",
            f"--dbname={url}",
            str(dump),
        ],
        env,
        f"pg_restore không phục hồi được vào {database.label}; cơ sở dữ liệu giữ nguyên như trước",
    )
