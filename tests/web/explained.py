"""The plans PostgreSQL chose for the statements a block runs, read through auto_explain."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction


@contextmanager
def explained_plans() -> Iterator[list[str]]:
    """Every statement's plan (with its query text) run inside the block, as auto_explain logs it
    to the client; skips the test where auto_explain cannot be loaded."""
    plans: list[str] = []
    with connection.cursor() as cursor:
        try:
            with transaction.atomic():
                cursor.execute("LOAD 'auto_explain'")
        except DatabaseError:  # a server without it, or a user who may not load it
            pytest.skip("auto_explain cannot be loaded here")
        for name, value in (
            ("log_level", "notice"),
            ("log_nested_statements", "on"),
            ("log_min_duration", "0"),
        ):
            cursor.execute(f"SET auto_explain.{name} = {value}")

    def seen(diagnostic) -> None:
        plans.append(diagnostic.message_primary or "")

    connection.connection.add_notice_handler(seen)
    try:
        yield plans
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SET auto_explain.log_min_duration = -1")
        connection.connection.remove_notice_handler(seen)
