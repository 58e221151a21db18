"""The installation's backup key: backups are signed with it, and restore accepts only what it signed.

A checksum proves a file was not damaged, not who made it: anyone can change the
database inside a backup (make a reporter a superuser) and write new checksums.
An HMAC over the manifest, with a key that lives on the server and never in the
archive, proves the backup was made by this installation (or by whoever holds the
key file the administrator gives to ``--key``).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from chitieu.databases import PROJECT_ROOT

DEFAULT_KEY_FILE = PROJECT_ROOT / "var" / "backup.key"
ALGORITHM = "hmac-sha256"


class BackupKeyError(Exception):
    """The key cannot be read or made; the message says why, in Vietnamese."""


def key_file_from(location: str | None, environ: Mapping[str, str] | None = None) -> Path:
    """``--key``, else ``CHITIEU_BACKUP_KEY_FILE``, else var/backup.key."""
    env: Mapping[str, str] = os.environ if environ is None else environ
    return Path(location or env.get("CHITIEU_BACKUP_KEY_FILE") or DEFAULT_KEY_FILE)


def key_read(path: Path) -> bytes:
    try:
        text = path.read_text(encoding="ascii").strip()
        key = bytes.fromhex(text)
    except FileNotFoundError as error:
        raise BackupKeyError(
            f"không có khoá sao lưu {path}: chỉ phục hồi được bản sao lưu do máy này tạo; "
            "nếu bản sao lưu từ máy khác, dùng --key để chỉ tệp khoá của máy đó"
        ) from error
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise BackupKeyError(f"không đọc được khoá sao lưu {path}: {error}") from error
    if len(key) < 16:
        raise BackupKeyError(f"khoá sao lưu {path} quá ngắn (cần ít nhất 16 byte)")
    return key


def key_read_or_create(path: Path) -> tuple[bytes, bool]:
    """The key, made on first use (readable by its owner only); True when it was just made."""
    if path.exists():
        return key_read(path), False
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # made at the same moment by another backup
        return key_read(path), False
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return key_read(path), True


def key_id(key: bytes) -> str:
    """A short name for the key, safe to print and store: which key signed a backup."""
    return hashlib.sha256(b"chitieu-backup-key-id" + key).hexdigest()[:12]


def _canonical(manifest: dict) -> bytes:
    body = {k: v for k, v in manifest.items() if k != "signature"}
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def signed(manifest: dict, key: bytes) -> dict:
    value = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    return {**manifest, "signature": {"algorithm": ALGORITHM, "key_id": key_id(key), "value": value}}


def signature_problem(manifest: dict, key: bytes) -> str | None:
    """Why the manifest's signature does not hold under ``key``, or None when it does."""
    signature = manifest.get("signature")
    if not isinstance(signature, dict) or signature.get("algorithm") != ALGORITHM:
        return "không có chữ ký"
    if signature.get("key_id") != key_id(key):
        theirs = str(signature.get("key_id"))[:12]
        return f"được ký bằng khoá khác (mã khoá {theirs}, khoá của máy này {key_id(key)})"
    expected = hmac.new(key, _canonical(manifest), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, str(signature.get("value", ""))):
        return "chữ ký không khớp nội dung: tệp đã bị sửa sau khi tạo"
    return None
