"""`chitieu backup` / `chitieu restore`: round trips of the demo data with evidence, on SQLite and
PostgreSQL, every table and every evidence file compared; refusals of bad files with nothing changed."""

from __future__ import annotations

import hashlib
import io
import json
import resource
import sqlite3
import subprocess
import tarfile
import tempfile
import threading
import time
from pathlib import Path

import pytest

from tests.web.faults.conftest import postgres_pass, sqlite_pass
from tests.web.faults.support import (
    BIN,
    chitieu,
    differences,
    media_state,
    pg_sequences,
    snapshot,
)

pytestmark = pytest.mark.faults


def _backup(site, output, *extra, env=None):
    return chitieu(
        "backup", "--database", site.url, "--media", str(site.media), "-o", str(output), *extra, env=env
    )


def _restore(site, file, *extra):
    return chitieu("restore", str(file), "--yes", "--database", site.url, "--media", str(site.media), *extra)


def _execute(site, *statements):
    """Changes made after the backup, straight in the database (as a careless hand would)."""
    if site.url.startswith("sqlite:///"):
        connection = sqlite3.connect(site.sqlite_path)
        with connection:
            for statement in statements:
                connection.execute(statement)
        connection.close()
        return
    import psycopg

    with psycopg.connect(site.url) as connection:
        for statement in statements:
            connection.execute(statement)


CHANGES = (
    "DELETE FROM data_observation WHERE id IN (SELECT id FROM data_observation ORDER BY id LIMIT 40)",
    "UPDATE data_submission SET state = 'draft', reason = 'sửa tay' "
    "WHERE id IN (SELECT id FROM data_submission ORDER BY id LIMIT 5)",
    "UPDATE plans_target SET value = 0",
    "DELETE FROM data_evidence",
    "DELETE FROM api_apitoken",
    "INSERT INTO core_auditentry (at, action, subject_type, subject_id, field, old, new, reason) "
    "VALUES ('2026-01-01 00:00:00', 'x', 'y', 1, '', '', '', '')",
)


def _change_files(site):
    evidence = sorted(p for p in site.media.rglob("*") if p.is_file())
    evidence[0].unlink()
    evidence[1].write_bytes(b"%PDF-1.4 changed")
    (site.media / "evidence" / "uploaded-later.pdf").write_bytes(b"%PDF-1.4 later")


def _round_trip(site, tmp_path, *, backup_env=None):
    before, files = snapshot(site.url), media_state(site.media)
    assert files and sum(len(rows) for rows in before.values()) > 1000  # demo figures and evidence are there
    output = tmp_path / "sao-luu.tar.gz"
    made = _backup(site, output, env=backup_env)
    assert made.returncode == 0, made.stderr
    assert "2 tệp minh chứng" in made.stdout

    _execute(site, *CHANGES)
    _change_files(site)
    changed = snapshot(site.url)
    assert len(differences(before, changed)) >= 6 and media_state(site.media) != files

    done = _restore(site, output)
    assert done.returncode == 0, done.stderr
    assert "Đã phục hồi" in done.stdout
    assert differences(before, snapshot(site.url)) == []
    assert media_state(site.media) == files
    return output


@sqlite_pass
def test_sqlite_round_trip_restores_every_row_and_evidence_file(sqlite_demo, tmp_path):
    output = _round_trip(sqlite_demo, tmp_path)
    with tarfile.open(output) as archive:
        names = archive.getnames()
        manifest = json.load(archive.extractfile("manifest.json"))
    assert names[0] == "chitieu-backup.json" and names[-1] == "manifest.json"
    assert "database.sqlite3" in names and sum(n.startswith("media/evidence/") for n in names) == 2
    assert manifest["engine"] == "sqlite" and manifest["chitieu_version"]
    assert len(manifest["database"]["sha256"]) == 64 and manifest["tables"]["data_observation"] > 300


@sqlite_pass
def test_sqlite_backup_reads_the_environment_like_the_web_app(sqlite_demo, tmp_path):
    env = {"DATABASE_URL": sqlite_demo.url, "CHITIEU_MEDIA_ROOT": str(sqlite_demo.media)}
    made = chitieu("backup", "-o", str(tmp_path / "b.tar.gz"), env=env)
    assert made.returncode == 0, made.stderr
    assert str(sqlite_demo.sqlite_path) in made.stdout


@sqlite_pass
def test_sqlite_backup_while_the_app_writes_is_consistent(sqlite_demo, tmp_path):
    """The online backup API: a writer keeps committing during the backup; the copy is whole
    and holds exactly a prefix of the writer's rows (one snapshot, nothing torn)."""
    stop, written = threading.Event(), []

    def writer():
        connection = sqlite3.connect(sqlite_demo.sqlite_path, timeout=30)
        n = 0
        while not stop.is_set():
            with connection:
                connection.execute(
                    "INSERT INTO core_auditentry (at, action, subject_type, subject_id, field, old, new, "
                    "reason) VALUES ('2026-01-01 00:00:00', 'load', 'test', ?, '', '', '', '')",
                    (n,),
                )
            written.append(n)
            n += 1
        connection.close()

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        time.sleep(0.2)
        made = _backup(sqlite_demo, tmp_path / "b.tar.gz")
        time.sleep(0.2)
    finally:
        stop.set()
        thread.join()
    assert made.returncode == 0, made.stderr
    copy = tmp_path / "copy.sqlite3"
    done = chitieu("restore", str(tmp_path / "b.tar.gz"), "--yes", "--database", str(copy), "--no-media")
    assert done.returncode == 0, done.stderr
    connection = sqlite3.connect(copy)
    assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    ids = [r[0] for r in connection.execute("SELECT subject_id FROM core_auditentry WHERE action = 'load'")]
    connection.close()
    assert ids == list(range(len(ids)))  # a prefix: no gap, nothing half-written
    assert 0 < len(ids) < len(written)  # taken while the writer was running


@sqlite_pass
def test_no_media_leaves_the_evidence_directory_alone(sqlite_demo, tmp_path):
    output = tmp_path / "b.tar.gz"
    assert _backup(sqlite_demo, output, "--no-media").returncode == 0
    with tarfile.open(output) as archive:
        assert not [n for n in archive.getnames() if n.startswith("media/")]
    (sqlite_demo.media / "kept.pdf").write_bytes(b"%PDF-1.4 kept")
    done = _restore(sqlite_demo, output)
    assert done.returncode == 0, done.stderr
    assert "không kèm tệp minh chứng" in done.stdout
    assert (sqlite_demo.media / "kept.pdf").exists()


# ------------------------------------------------------------------ refusals


def _tamper(source, target, edit):
    """Rewrite a backup with one member changed (a bit flipped, a member dropped…)."""
    with tarfile.open(source) as old, tarfile.open(target, "w:gz") as new:
        for member in old.getmembers():
            data = old.extractfile(member).read()
            member, data = edit(member, data)
            if member is not None:
                new.addfile(member, io.BytesIO(data))


def _flip_database_byte(member, data):
    if member.name.startswith("database."):
        data = data[:5000] + bytes([data[5000] ^ 1]) + data[5001:]
    return member, data


def _drop_manifest(member, data):
    return (None, data) if member.name == "manifest.json" else (member, data)


def _escape(member, data):
    if member.name.startswith("media/"):
        member.name = "media/../../etc/evil.pdf"
    return member, data


@sqlite_pass
def test_restore_refuses_bad_files_and_changes_nothing(sqlite_demo, tmp_path):
    good = tmp_path / "good.tar.gz"
    assert _backup(sqlite_demo, good).returncode == 0
    _execute(sqlite_demo, *CHANGES[:2])
    before, files = snapshot(sqlite_demo.url), media_state(sqlite_demo.media)

    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    foreign = tmp_path / "other.tar.gz"
    with tarfile.open(foreign, "w:gz") as archive:
        info = tarfile.TarInfo("readme.txt")
        archive.addfile(info, io.BytesIO(b""))
    text = tmp_path / "notes.txt"
    text.write_text("không phải bản sao lưu", encoding="utf-8")
    cases = {
        tmp_path / "missing.tar.gz": "không tìm thấy tệp sao lưu",
        truncated: "bị hỏng hoặc bị cắt cụt",
        foreign: "không phải tệp sao lưu của chitieu",
        text: "không phải tệp sao lưu của chitieu",
        sqlite_demo.sqlite_path: "không phải tệp sao lưu của chitieu",
    }
    for name, edit in (("flip", _flip_database_byte), ("nomanifest", _drop_manifest), ("escape", _escape)):
        _tamper(good, tmp_path / f"{name}.tar.gz", edit)
    cases[tmp_path / "flip.tar.gz"] = "database.sqlite3 có mã kiểm tra (SHA-256) sai"
    cases[tmp_path / "nomanifest.tar.gz"] = "không đọc được tới manifest.json"
    cases[tmp_path / "escape.tar.gz"] = "mục lạ trong tệp sao lưu"
    for file, message in cases.items():
        done = _restore(sqlite_demo, file)
        assert done.returncode == 1, (file, done.stderr)
        assert message in done.stderr, (file, done.stderr)
        assert "Traceback" not in done.stderr
    assert differences(before, snapshot(sqlite_demo.url)) == []
    assert media_state(sqlite_demo.media) == files
    assert not list(tmp_path.glob("**/.chitieu-restore-*"))  # scratch space removed
    assert not (tmp_path.parent / "etc").exists()


@sqlite_pass
def test_usage_and_environment_errors_are_clear(sqlite_demo, tmp_path):
    output = tmp_path / "b.tar.gz"
    assert _backup(sqlite_demo, output).returncode == 0
    unconfirmed = chitieu("restore", str(output), "--database", sqlite_demo.url)
    assert unconfirmed.returncode == 2 and "--yes" in unconfirmed.stderr
    again = _backup(sqlite_demo, output)
    assert again.returncode == 1 and "đã có tệp" in again.stderr
    nothing = chitieu(
        "backup", "--database", str(tmp_path / "none.sqlite3"), "-o", str(tmp_path / "x.tar.gz")
    )
    assert nothing.returncode == 1 and "không tìm thấy cơ sở dữ liệu SQLite" in nothing.stderr
    assert not (tmp_path / "none.sqlite3").exists()  # not created by looking
    cross = chitieu("restore", str(output), "--yes", "--database", "postgres://u@127.0.0.1:9/chitieu")
    assert (
        cross.returncode == 1
        and "là bản sao lưu SQLite, còn cơ sở dữ liệu đích là PostgreSQL" in cross.stderr
    )
    no_tools = chitieu(
        "backup",
        "--database",
        "postgres://u@127.0.0.1:9/chitieu",
        "-o",
        str(tmp_path / "pg.tar.gz"),
        env={"PG_BIN": str(tmp_path), "PATH": "/nonexistent"},
    )
    assert no_tools.returncode == 1 and "không tìm thấy chương trình pg_dump" in no_tools.stderr
    other = chitieu("backup", "--database", "mysql://u@h/db", "-o", str(tmp_path / "m.tar.gz"))
    assert other.returncode == 1 and "không hỗ trợ cơ sở dữ liệu 'mysql'" in other.stderr
    checked = chitieu("restore", str(output), "--check")
    assert checked.returncode == 0 and "bản sao lưu hợp lệ" in checked.stdout
    for result in (unconfirmed, again, nothing, cross, no_tools, other):
        assert "Traceback" not in result.stderr


# ------------------------------------------------------------------ PostgreSQL


@postgres_pass
@pytest.mark.postgres
def test_postgres_round_trip_restores_every_row_sequence_and_evidence_file(postgres_demo, tmp_path):
    sequences = pg_sequences(postgres_demo.url)
    output = _round_trip(postgres_demo, tmp_path)
    assert pg_sequences(postgres_demo.url) == sequences  # new rows will not collide with restored ones
    with tarfile.open(output) as archive:
        assert "database.pgdump" in archive.getnames()
        assert json.load(archive.extractfile("manifest.json"))["engine"] == "postgresql"


@postgres_pass
@pytest.mark.postgres
def test_postgres_failed_restore_leaves_the_database_as_it_was(postgres_demo, tmp_path):
    """pg_restore in one transaction: when it cannot finish, nothing of it stays."""
    output = tmp_path / "b.tar.gz"
    assert _backup(postgres_demo, output).returncode == 0
    _execute(postgres_demo, *CHANGES[:3])
    # Something the restore cannot drop: a view a user made over a table of the backup.
    _execute(postgres_demo, "CREATE VIEW my_report AS SELECT id, value FROM data_observation")
    before, files = snapshot(postgres_demo.url), media_state(postgres_demo.media)
    done = _restore(postgres_demo, output)
    assert done.returncode == 1
    assert "cơ sở dữ liệu giữ nguyên như trước" in done.stderr and "Traceback" not in done.stderr
    assert differences(before, snapshot(postgres_demo.url)) == []
    assert media_state(postgres_demo.media) == files  # evidence is replaced only after the database


@postgres_pass
@pytest.mark.postgres
def test_postgres_backup_refused_for_a_sqlite_target(postgres_demo, tmp_path):
    output = tmp_path / "b.tar.gz"
    assert _backup(postgres_demo, output).returncode == 0
    done = chitieu("restore", str(output), "--yes", "--database", str(tmp_path / "x.sqlite3"))
    assert (
        done.returncode == 1 and "là bản sao lưu PostgreSQL, còn cơ sở dữ liệu đích là SQLite" in done.stderr
    )
    unreachable = chitieu(
        "backup", "--database", "postgres://postgres@127.0.0.1:9/none", "-o", str(tmp_path / "u.tar.gz")
    )
    assert unreachable.returncode == 1 and "pg_dump không sao lưu được" in unreachable.stderr


@postgres_pass
@pytest.mark.postgres
def test_postgres_restore_killed_midway_changes_nothing(postgres_demo, tmp_path):
    """SIGKILL to `chitieu restore` and its pg_restore while they replace the tables: the
    single transaction dies with them, and the database is exactly as before the restore."""
    import os
    import signal
    import subprocess

    import psycopg

    from tests.web.faults.support import BIN

    output = tmp_path / "b.tar.gz"
    assert _backup(postgres_demo, output).returncode == 0
    _execute(postgres_demo, *CHANGES[:3])
    before = snapshot(postgres_demo.url)
    process = subprocess.Popen(
        [
            str(BIN / "chitieu"),
            "restore",
            str(output),
            "--yes",
            "--database",
            postgres_demo.url,
            "--no-media",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: pg_restore dies with it
    )
    # Midway: pg_restore has dropped or recreated a table of the backup and not committed.
    dropped = (
        "SELECT count(*) FROM pg_locks WHERE mode = 'AccessExclusiveLock' AND locktype = 'relation' "
        "AND pid <> pg_backend_pid() "
        "AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    midway = False
    with psycopg.connect(postgres_demo.url, autocommit=True) as connection:
        deadline = time.monotonic() + 60
        while process.poll() is None and time.monotonic() < deadline:
            if connection.execute(dropped).fetchone()[0]:
                midway = True
                break
            time.sleep(0.001)
    assert midway, process.communicate()
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)
    assert differences(before, snapshot(postgres_demo.url)) == []


# ------------------------------------------------------------------ authenticity and bounds


def _resigned(source, target, edit_database):
    """The attack: change the database inside a backup, then write checksums that match again."""
    with tarfile.open(source) as old:
        members = [(m, old.extractfile(m).read()) for m in old.getmembers()]
    out = []
    for member, data in members:
        if member.name.startswith("database."):
            data = edit_database(data)
        out.append((member, data))
    manifest_at = next(i for i, (m, _) in enumerate(out) if m.name == "manifest.json")
    manifest = json.loads(out[manifest_at][1])
    database = next(data for m, data in out if m.name.startswith("database."))
    manifest["database"]["size"] = len(database)
    manifest["database"]["sha256"] = hashlib.sha256(database).hexdigest()
    out[manifest_at] = (out[manifest_at][0], json.dumps(manifest, ensure_ascii=False).encode())
    with tarfile.open(target, "w:gz") as new:
        for member, data in out:
            member.size = len(data)
            new.addfile(member, io.BytesIO(data))


def _make_everyone_superuser(data: bytes) -> bytes:
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "db.sqlite3"
        path.write_bytes(data)
        connection = sqlite3.connect(path)
        with connection:
            connection.execute("UPDATE accounts_user SET is_superuser = 1, is_staff = 1")
        connection.close()
        return path.read_bytes()


@sqlite_pass
def test_a_backup_altered_with_fresh_checksums_is_refused(sqlite_demo, tmp_path):
    # was: "bản sao lưu hợp lệ" for a copy in which every reporter had been made a superuser
    good = tmp_path / "good.tar.gz"
    assert _backup(sqlite_demo, good).returncode == 0
    forged = tmp_path / "forged.tar.gz"
    _resigned(good, forged, _make_everyone_superuser)
    before = snapshot(sqlite_demo.url)
    for extra in (("--check",), ()):
        done = chitieu("restore", str(forged), *extra, "--yes", "--database", sqlite_demo.url)
        assert done.returncode == 1, done.stdout
        assert "không phải bản sao lưu do máy này tạo" in done.stderr
        assert "chữ ký không khớp" in done.stderr
    assert differences(before, snapshot(sqlite_demo.url)) == []
    checked = chitieu("restore", str(good), "--check")
    assert checked.returncode == 0 and "chữ ký đúng" in checked.stdout


@sqlite_pass
def test_a_backup_from_another_installation_needs_its_key(sqlite_demo, tmp_path):
    theirs = tmp_path / "their.key"
    made = _backup(sqlite_demo, tmp_path / "b.tar.gz", "--key", str(theirs))
    assert made.returncode == 0 and "Đã tạo khoá sao lưu" in made.stdout
    assert theirs.stat().st_mode & 0o077 == 0  # readable by its owner only
    refused = chitieu("restore", str(tmp_path / "b.tar.gz"), "--check")
    assert refused.returncode == 1 and "được ký bằng khoá khác" in refused.stderr
    accepted = chitieu("restore", str(tmp_path / "b.tar.gz"), "--check", "--key", str(theirs))
    assert accepted.returncode == 0, accepted.stderr


@sqlite_pass
def test_an_unsigned_backup_of_an_older_version_needs_to_be_allowed(sqlite_demo, tmp_path):
    good = tmp_path / "good.tar.gz"
    assert _backup(sqlite_demo, good).returncode == 0

    def version_one(member, data):
        if member.name in ("chitieu-backup.json", "manifest.json"):
            document = json.loads(data)
            document["format_version"] = 1
            document.pop("signature", None)
            data = json.dumps(document).encode()
            member.size = len(data)
        return member, data

    old = tmp_path / "old.tar.gz"
    _tamper(good, old, version_one)
    refused = chitieu("restore", str(old), "--check")
    assert refused.returncode == 1 and "--allow-unsigned" in refused.stderr
    allowed = chitieu("restore", str(old), "--check", "--allow-unsigned")
    assert allowed.returncode == 0 and "không có chữ ký, được chấp nhận" in allowed.stdout


def _limit_file_size(megabytes: int):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (megabytes << 20, megabytes << 20))

    return limit


@sqlite_pass
def test_a_small_file_that_unpacks_to_a_huge_one_is_refused_before_writing(sqlite_demo, tmp_path):
    # was: a 1.2 MB file wrote 983 MB into var/.chitieu-restore-* before being refused, even with --check
    good = tmp_path / "good.tar.gz"
    assert _backup(sqlite_demo, good).returncode == 0
    huge = 300 << 20  # zeros: compress about a thousand times

    def inflate(member, data):
        if member.name.startswith("database."):
            member.size = huge
            return member, bytes(huge)
        return member, data

    bomb = tmp_path / "bomb.tar.gz"
    _tamper(good, bomb, inflate)
    assert bomb.stat().st_size < huge // 200
    # The restore may write at most 50 MB: past that the kernel stops it (SIGXFSZ), as a full disk would.
    done = subprocess.run(
        [str(BIN / "chitieu"), "restore", str(bomb), "--check", "--media", str(tmp_path / "media")],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=_limit_file_size(50),
        check=False,
    )
    assert done.returncode == 1, (done.returncode, done.stderr)
    assert "giải nén ra quá lớn so với kích thước tệp" in done.stderr
    assert not list(tmp_path.glob("**/.chitieu-restore-*"))
