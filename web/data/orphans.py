"""Evidence files no row refers to: uploads of saves that never committed, left by a killed
worker (a finished request removes its own, web.core.staging) or by older versions."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from web.data.models import Evidence

EVIDENCE = "evidence"


@dataclass(frozen=True)
class Orphan:
    name: str  # relative to the media root
    size: int


def orphan_files(*, older_than_seconds: float = 3600) -> list[Orphan]:
    """Evidence files that no Evidence row names, untouched for at least the given time.

    The age keeps a save that is committing right now (its file written, its row not yet
    visible) from being taken for an orphan.
    """
    root = Path(settings.MEDIA_ROOT)
    known = set(Evidence.objects.values_list("file", flat=True))
    cutoff = time.time() - older_than_seconds
    found = []
    for folder in (root / EVIDENCE,):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if not path.is_file() or path.is_symlink():
                continue
            name = path.relative_to(root).as_posix()
            stat = path.stat()
            if name not in known and stat.st_mtime < cutoff:
                found.append(Orphan(name, stat.st_size))
    return found


def orphans_delete(orphans: list[Orphan]) -> int:
    root = Path(settings.MEDIA_ROOT)
    for orphan in orphans:
        (root / orphan.name).unlink(missing_ok=True)
    return len(orphans)
