"""``chitieu evaluate PLAN DATA --period KEY [--as-of DATE] [--json]`` (docs/interfaces.md §3)."""

from __future__ import annotations

import csv
import io
import json
import sys
from argparse import Namespace
from datetime import date
from pathlib import Path

from chitieu.completeness import completeness, expected_reports
from chitieu.evaluate import (
    BAND_LABELS,
    STATUS_LABELS,
    PlanEvaluation,
    distinct_units,
    evaluate_plan,
)
from chitieu.explain import explain, vi_number
from chitieu.issues import Issue, Severity, has_errors
from chitieu.observation_csv import read_observations_for_plan
from chitieu.periods import DEFAULT_CALENDAR, PeriodKeyError, parse_period
from chitieu.plan import Plan
from chitieu.planfile import read_plan_file

EXIT_OK, EXIT_BAD_INPUT = 0, 1


def _print_issues(name: str, issues: list[Issue] | tuple[Issue, ...], *, errors_only: bool = False) -> None:
    for issue in issues:
        if errors_only and issue.severity is not Severity.ERROR:
            continue
        where = issue.where.replace("line ", "dòng ")
        print(f"{name}: {where}: {issue.severity.value}: {issue.message}", file=sys.stderr)


def run(args: Namespace) -> int:
    try:
        period = parse_period(args.period)
    except PeriodKeyError as exc:
        print(f"--period: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    as_of = period.end
    if getattr(args, "as_of", None):
        try:
            as_of = date.fromisoformat(args.as_of)
        except ValueError:
            print(f"--as-of: ngày không hợp lệ: {args.as_of!r} (dùng YYYY-MM-DD)", file=sys.stderr)
            return EXIT_BAD_INPUT

    plan, plan_issues = read_plan_file(args.plan)
    if plan is None or has_errors(plan_issues):
        _print_issues(args.plan, plan_issues, errors_only=plan is not None)
        if plan is None and not plan_issues:
            print(f"{args.plan}: không đọc được kế hoạch", file=sys.stderr)
        return EXIT_BAD_INPUT

    data = Path(args.data)
    if not data.is_file():
        print(f"{args.data}: không tìm thấy tệp số liệu", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        observations, issues = read_observations_for_plan(plan, data)
    except OSError as exc:
        print(f"{args.data}: không đọc được tệp: {exc.strerror}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if has_errors(issues):
        _print_issues(args.data, issues, errors_only=True)
        count = sum(i.severity is Severity.ERROR for i in issues)
        print(f"{args.data}: {count} dòng lỗi; chưa đánh giá. Hãy sửa rồi chạy lại.", file=sys.stderr)
        return EXIT_BAD_INPUT
    located = tuple(Issue(i.severity, f"{data.name}, {i.where}", i.message, i.code) for i in issues)
    units = [u.strip() for u in (getattr(args, "units", None) or "").split(",") if u.strip()]
    if getattr(args, "units_file", None):
        try:
            units += read_units_file(Path(args.units_file))
        except OSError as exc:
            print(f"{args.units_file}: không đọc được tệp: {exc.strerror}", file=sys.stderr)
            return EXIT_BAD_INPUT
    evaluation = evaluate_plan(plan, observations, period.key, as_of=as_of, units=units)
    evaluation = PlanEvaluation(evaluation.period, evaluation.results, located + evaluation.issues, as_of)
    if args.json:
        document = evaluation.as_dict()
        reporters = units or distinct_units(observations)
        expected = expected_reports(plan, period.key, units=reporters)
        document["completeness"] = completeness(expected, observations, calendar=DEFAULT_CALENDAR).as_dict()
        print(json.dumps(document, ensure_ascii=False, indent=2))
    else:
        _print_table(evaluation, plan if getattr(args, "all_units", False) else None)
        _print_issues(args.data, issues)
    return EXIT_OK


def read_units_file(path: Path) -> list[str]:
    """The area's units: one name a line, or a CSV with a ``name`` column (``chitieu synth``'s
    units.csv; with a ``kind`` column only the communes, wards and towns)."""
    text = path.read_text(encoding="utf-8-sig")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    first = [c.strip().lower() for c in lines[0].split(",")]
    if "name" not in first:
        return [line.strip() for line in lines]
    rows = list(csv.DictReader(io.StringIO(text)))
    keep = [r for r in rows if (r.get("kind") or "commune").strip().lower() in _COMMUNE_KINDS]
    return [r["name"].strip() for r in keep if (r.get("name") or "").strip()]


_COMMUNE_KINDS = ("commune", "ward", "town", "xa", "xã", "phường", "thị trấn", "")

_SYMBOL = {">=": "≥", "<=": "≤", "==": "="}


def _print_table(evaluation: PlanEvaluation, every_unit_of: Plan | None = None) -> None:
    """The verdicts as a table, then one explanation a line (naming every unit with ``every_unit_of``)."""
    print(f"Kết quả thực hiện kỳ {evaluation.period} (tính đến {evaluation.as_of:%d/%m/%Y})")
    header = f"{'Mã':<6} {'Thực hiện':>10} {'Chỉ tiêu':>10} {'% KH':>8}  {'Đánh giá':<16} Tiến độ giai đoạn"
    print(header)
    print("-" * len(header))
    for r in evaluation.results:
        target = (
            f"{_SYMBOL[r.comparator.value]} {vi_number(r.target.value)}" if r.target and r.comparator else "—"
        )
        band = BAND_LABELS[r.trajectory.band] if r.trajectory and r.trajectory.band else ""
        share = vi_number(r.achievement, 1) if r.achievement is not None else "—"
        status = STATUS_LABELS[r.status]
        print(f"{r.indicator:<6} {vi_number(r.actual):>10} {target:>10} {share:>8}  {status:<16} {band}")
    print()
    summary = evaluation.summary()
    print(
        "Tổng hợp: "
        + ", ".join(f"{label}: {summary[status.value]}" for status, label in STATUS_LABELS.items())
    )
    print()
    for r in evaluation.results:
        text = r.explanation
        indicator = every_unit_of.indicator(r.indicator) if every_unit_of is not None else None
        if indicator is not None and text:
            text = explain(indicator, r, units_shown=None)
        print(f"{r.indicator}: {text}")
