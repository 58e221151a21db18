"""The national benchmark harness, run end to end at a tiny scale on SQLite so that it cannot rot.

The figures themselves mean nothing at this scale; what is checked is that every
measurement ran, against a real gunicorn, a real locust and a real database, and
that the table compares them with the targets.
"""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from bench.bench_national import Row, Target, parse_options, report_days, table

ROOT = Path(__file__).resolve().parents[2]


def test_verdicts_compare_the_median_with_the_target():
    load = Row("load", "load", "sqlite", "obs/s", [90_000, 120_000, 150_000])
    assert load.target == Target(">=", 100_000)
    assert load.verdict() == "PASS ×1.20 of >= 100,000"
    slow = Row("evaluation", "evaluation", "postgresql", "s", [3.0, 2.5, 4.0])
    assert slow.verdict().startswith("MISS ×1.50")
    errors = Row("locust_errors", "errors", "sqlite", "errors", [2])
    assert errors.verdict() == "MISS (2 vs 0)"
    assert Row("api", "api", "sqlite", "rows/s", [1.0]).verdict() == ""
    assert "| evaluation | postgresql | 3 | 2.50–4 | 3 | s | MISS" in table([slow])[-1]
    # The roll-up and the verdicts of a load share one budget: neither part passes it alone.
    together = Row("rollup_and_verdicts", "both", "postgresql", "s", [20.7 + 41.0])
    assert together.verdict().startswith("MISS ×1.03")
    assert Row("rebuild", "rebuild", "postgresql", "s", [20.7]).target is None
    assert Row("verdicts_refresh", "verdicts", "postgresql", "s", [41.0]).target is None


def test_every_report_download_names_its_own_day():
    """The first download names its day: left to the server's today (UTC+7), it was the first
    timed build's day from 17:00 UTC, and that build came from the cache."""
    first, timed = report_days("http://x/reports/2/2024/pdf", 3, date(2026, 12, 5))
    assert first == "http://x/reports/2/2024/pdf?as_of=2026-12-05"
    assert timed == [f"http://x/reports/2/2024/pdf?as_of=2026-12-0{day}" for day in (6, 7, 8)]
    assert first not in timed


def test_options_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHITIEU_BENCH_SCALE", "0.01")
    monkeypatch.setenv("CHITIEU_BENCH_BACKENDS", "sqlite")
    options = parse_options([])
    assert options.scale == 0.01 and options.backends == ("sqlite",)
    with pytest.raises(SystemExit):
        parse_options(["--backends", "oracle"])


def test_the_harness_runs_every_measurement_at_a_tiny_scale(tmp_path):
    results = tmp_path / "RESULTS.md"
    tiny = "--scale 0.0005 --runs 1 --backends sqlite --locust-seconds 6 --locust-users 3"
    quick = "--api-seconds 2 --reports docx"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "bench.bench_national",
            *tiny.split(),
            *quick.split(),
            *("--results", str(results), "--work", str(tmp_path / "work")),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    text = results.read_text(encoding="utf-8")
    for label in (
        "load_country",
        "loading the figures, to the commit",
        "evaluation of",
        "every area's verdicts, together",
        "dashboard, nation",
        "dashboard, province",
        "dashboard, district",
        "annual report of one district, docx",
        "API bulk upsert",
        "API page of 1,000 observations",
        "locust dashboards p95",
        "locust errors",
        "gunicorn worker RSS",
    ):
        line = next((x for x in text.splitlines() if label in x), None)
        assert line is not None, label
        median = [cell.strip() for cell in line.split("|")][3]
        # Latencies need one finished request: on a machine too busy to finish any in the
        # short run, the row must say so (0 requests) rather than show a number.
        assert median != "—" or (label == "locust dashboards p95" and ", 0 requests" in line), line
    assert " 0 refused" in text and "HTTP" not in text and "Failures" not in text
    # The readers went through two app servers sharing a Redis, as the cluster runs them.
    assert "over 2 app servers" in text and "2 app servers × 2 workers" in text
    # The same figures for machines: every row, with its target and whether it passed.
    figures = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert len(figures) == len([x for x in text.splitlines() if x.startswith("| ") and "---" not in x]) - 1
    keys = {"measurement", "backend", "scale", "median", "unit", "target", "pass"}
    assert all(keys <= set(f) and f["scale"] == 0.0005 for f in figures)
    docx = next(f for f in figures if f["key"] == "report_docx")
    assert docx["target"] == "<= 1" and docx["pass"] is (docx["median"] <= 1)
    assert next(f for f in figures if f["key"] == "synth")["pass"] is None


def test_a_postgresql_that_failed_to_set_up_is_stopped(tmp_path, monkeypatch):
    """A failed migration of the template (a missing vendored script, session 12) left the bench's
    PostgreSQL running: the caller never got the object whose ``close`` stops it."""
    import psutil

    from bench import bench_national

    def refused(*args, **kwargs):
        raise RuntimeError("migrate exited 1")

    monkeypatch.setattr(bench_national, "manage", refused)
    before = {p.pid for p in psutil.process_iter(["name"]) if p.info["name"] == "postgres"}
    with pytest.raises(RuntimeError, match="migrate"):
        bench_national.PostgresDatabases(tmp_path, tmp_path / "pg.log")
    left = [
        p
        for p in psutil.process_iter(["name", "cmdline"])
        if p.info["name"] == "postgres"
        and p.pid not in before
        and "chitieu-bench-pg-" in " ".join(p.info["cmdline"] or [])
    ]
    for server in left:  # stopped here if the harness did not: a failing run leaves nothing behind
        server.terminate()
    assert not left, [p.info["cmdline"] for p in left]
