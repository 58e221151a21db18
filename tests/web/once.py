"""Data built once per module for the tests that only read it (and roll back what they change)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import transaction


@contextmanager
def rolled_back(django_db_blocker) -> Iterator[None]:
    """An outer transaction for a module-scoped fixture, rolled back after the module: each test's
    ``db`` fixture nests a savepoint in it, so a test's own changes are undone after the test and
    what the fixture built is undone after the module. On-commit callbacks never run inside it, as
    inside any ``db`` test."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
