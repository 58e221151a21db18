"""Files written during a request stay only if the row that names them was committed.

A file saved to storage is not part of the database transaction: when a save was
refused after a file had been written (the third of three attachments was not a
PDF, a figure was stale), the file stayed in the media folder although the page
said nothing was kept, and it went on into backups.

Every upload a service writes is tracked for the request (``track``). When the
request ends, its transactions are over: a tracked file whose row does not exist
was rolled back, and is deleted (``UploadsKeptIfSavedMiddleware``). What a killed
process left behind is found by ``manage.py media_orphans``.
"""

from __future__ import annotations

import contextvars
from dataclasses import dataclass

from django.core.files.storage import default_storage
from django.db import models


@dataclass(frozen=True)
class Tracked:
    model: type[models.Model]
    field: str
    name: str


_tracked: contextvars.ContextVar[list[Tracked] | None] = contextvars.ContextVar("uploads", default=None)


def track(model: type[models.Model], field: str, name: str) -> None:
    """Delete the stored file ``name`` at the end of the request unless a ``model`` row names it."""
    tracked = _tracked.get()
    if tracked is not None:
        tracked.append(Tracked(model, field, name))


def discard_unsaved(tracked: list[Tracked]) -> list[str]:
    """Delete the tracked files no committed row names; their names."""
    removed = []
    for item in tracked:
        if not item.model._default_manager.filter(**{item.field: item.name}).exists():
            default_storage.delete(item.name)
            removed.append(item.name)
    return removed


class UploadsKeptIfSavedMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tracked: list[Tracked] = []
        token = _tracked.set(tracked)
        try:
            return self.get_response(request)
        finally:
            _tracked.reset(token)
            if tracked:
                discard_unsaved(tracked)
