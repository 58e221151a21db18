"""Two people writing at the same moment to the SQLite file of a laptop install.

gunicorn runs two workers (two processes, two connections to one SQLite file). With
SQLite's default deferred transactions, the second writer's first write found the file
locked by the first and failed at once with "database is locked": the page said the
database could not be reached, and what was typed was lost. Each round here sends two
writes at one instant (a barrier); both must be stored, one after the other.
"""

from __future__ import annotations

import json
import threading

from tests.web.faults import support
from tests.web.faults.conftest import sqlite_pass

ROUNDS = 6


def _rows(site, unit_id: int, numerator: int) -> list[dict]:
    rows = []
    for cell in site.facts["cells"]:
        if cell["unit_id"] != unit_id:
            continue
        for sex in ("F", "M") if cell["by_sex"] else ("",):
            count = cell["measure"] == "count"
            figure = {"value": numerator} if count else {"numerator": numerator, "denominator": 100}
            rows.append(
                {
                    "indicator": cell["indicator"],
                    "period": cell["period"],
                    "org_unit_id": unit_id,
                    "sex": sex,
                    **figure,
                }
            )
    return rows


def _together(*calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i, call):
        function, *arguments = call
        barrier.wait()
        results[i] = function(*arguments)

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return results


@sqlite_pass
def test_two_units_saving_at_once_on_sqlite_are_both_stored(sqlite_demo, tmp_path):
    site = sqlite_demo
    units = sorted({c["unit_id"] for c in site.facts["cells"]})[:2]
    server = support.Gunicorn(site, tmp_path / "gunicorn.log", workers=2).start()
    path = f"/plans/{site.facts['plan_id']}/observations"
    try:
        for n in range(ROUNDS):
            answers = _together(
                *((server.api, "POST", path, {"rows": _rows(site, unit, 10 + n)}) for unit in units)
            )
            for (status, body), unit in zip(answers, units, strict=True):
                assert status == 200, f"round {n}, unit {unit}: {status} {body[:300]!r}"
                assert json.loads(body)["errors"] == [], body[:300]
        for unit in units:
            status, body = server.api("GET", f"{path}?period=2025&org_unit_id={unit}")
            assert status == 200
    finally:
        server.stop()
    log = (tmp_path / "gunicorn.log").read_text(errors="replace")
    assert "database is locked" not in log
