"""Read a plan annex from the file people really have: text, .xlsx or .docx.

Public interface (used by the CLI, the web app and the reports):

    read_plan(path) -> ReadResult
    read_plan_bytes(data, filename) -> ReadResult

``ReadResult.plan`` is None when the input is not a usable plan; the reasons
are in ``ReadResult.issues`` (severity ``error``) with where they were found.
Readers never raise on bad input.

The pipeline is a chain of small pure steps:
bytes → reader (one per format) → ``Grid`` of cells with locations →
``find_layout`` (header rows, period columns) → ``classify`` (objective,
indicator, skipped rows) → ``build_plan`` (codes, lead units, meanings) →
``check_plan`` (consistency). Every step returns issues instead of raising.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from chitieu.figures import check_target
from chitieu.importer.build import build_plan
from chitieu.importer.formats import read_grid
from chitieu.importer.grid import Cell, Grid, one_line
from chitieu.importer.layout import find_layout
from chitieu.importer.rows import classify
from chitieu.issues import Issue, Severity, has_errors
from chitieu.plan import Plan, check_plan

__all__ = ["ReadResult", "read_plan", "read_plan_bytes"]


@dataclass(frozen=True)
class ReadResult:
    plan: Plan | None
    issues: tuple[Issue, ...] = ()

    @property
    def errors(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.severity is Severity.ERROR)


def read_plan(path: str | Path) -> ReadResult:
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return ReadResult(
            None, (Issue(Severity.ERROR, "file", f"không mở được tệp: {reason}", "unreadable"),)
        )
    return read_plan_bytes(data, path.name)


def read_plan_bytes(data: bytes, filename: str) -> ReadResult:
    try:
        return _read(data, filename)
    except Exception as exc:  # a reader bug must still reach the user as an issue, not a traceback
        message = f"lỗi không mong đợi khi đọc tệp ({type(exc).__name__}: {exc})"
        return ReadResult(None, (Issue(Severity.ERROR, "file", message, "internal"),))


def _grid(data: bytes, filename: str) -> Grid | list[Issue]:
    return read_grid(data, filename)


def _located(issues: list[Issue], plan: Plan) -> list[Issue]:
    """check_plan names rows by code; a duplicated code also needs the lines it sits on."""
    sources: dict[str, list[str]] = {}
    for indicator in plan.indicators:
        sources.setdefault(indicator.code, []).append(indicator.source)
    located = []
    for issue in issues:
        if issue.code == "duplicate_code":
            places = ", ".join(sources.get(issue.where.removeprefix("row "), []))
            issue = replace(issue, message=f"{issue.message} ({places})")
        located.append(issue)
    return located


def _row_text(row: tuple[Cell, ...]) -> str:
    # A title merged across the table repeats in every cell: keep it once.
    return " ".join(dict.fromkeys(one_line(c.text) for c in row if c.text))


def _target_limits(plan: Plan) -> list[Issue]:
    """The figure rule's limits for targets (``chitieu.figures``): what the database can hold."""
    issues = []
    for indicator in plan.indicators:
        for target in indicator.targets:
            problem = check_target(target.value)
            if problem is not None:
                where = indicator.source or f"row {indicator.code}"
                issues.append(
                    Issue(
                        Severity.ERROR,
                        where,
                        f"chỉ tiêu {indicator.code}, kỳ {target.period}"
                        f" ({target.text!r}): {problem.message()}",
                        problem.code.value,
                    )
                )
    return issues


def _read(data: bytes, filename: str) -> ReadResult:
    grid = _grid(data, filename)
    if not isinstance(grid, Grid):
        return ReadResult(None, tuple(grid))
    issues = list(grid.issues)
    layout = find_layout(grid)
    if isinstance(layout, list):
        return ReadResult(None, tuple(issues + layout))
    issues += layout.issues
    rows, found = classify(grid, layout)
    issues += found
    titles = list(grid.titles) or [_row_text(row) for row in grid.rows[: layout.header_top]]
    plan, found = build_plan(rows, layout, titles, filename)
    issues += found
    if not plan.indicators:
        issues.append(Issue(Severity.ERROR, "table", "bảng không có chỉ tiêu nào", "no_indicators"))
    issues += _located(check_plan(plan), plan)
    issues += _target_limits(plan)
    if has_errors(issues):
        return ReadResult(None, tuple(issues))
    return ReadResult(Plan(**{**plan.__dict__, "issues": tuple(issues)}), tuple(issues))
