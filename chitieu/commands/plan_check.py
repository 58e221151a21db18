"""`chitieu plan check FILE [--json]`: read an annex, say what was understood and what is doubtful."""

from __future__ import annotations

import json
import sys
from argparse import Namespace
from pathlib import Path

from chitieu.importer import read_plan
from chitieu.issues import Issue, Severity
from chitieu.plan import Comparator, Indicator, Plan, plan_as_dict
from chitieu.quantity import format_number

EXIT_OK, EXIT_BAD_INPUT = 0, 1

_SEVERITY = {
    Severity.ERROR: "LỖI",
    Severity.WARNING: "cảnh báo",
    Severity.REVIEW: "cần xem lại",
    Severity.INFO: "ghi chú",
}
_COMPARATOR = {Comparator.GE: "≥", Comparator.LE: "≤", Comparator.EQ: "="}
_DIRECTION = {"increase": "càng cao càng tốt", "decrease": "càng thấp càng tốt", "maintain": "duy trì"}


def run(args: Namespace) -> int:
    name = str(args.file)
    try:
        return _run(Path(args.file), bool(args.json))
    except BrokenPipeError:  # "| head": the reader left, nothing to report
        raise
    except Exception as exc:  # never a traceback for users: say which file and what went wrong
        print(f"{name}: lỗi không mong đợi: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT


def _run(path: Path, as_json: bool) -> int:
    result = read_plan(path)
    if result.plan is None:
        errors = [i for i in result.issues if i.severity is Severity.ERROR] or list(result.issues)
        print(f"{path}: không đọc được phụ lục kế hoạch", file=sys.stderr)
        for issue in errors:
            print(f"{path}: {issue.where}: {issue.message}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if as_json:
        document = plan_as_dict(result.plan, result.issues)
        json.dump(document, sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(summary(result.plan, result.issues, str(path)))
    return EXIT_OK


def _target_line(indicator: Indicator) -> str:
    parts = [
        f"{t.period}: {_COMPARATOR[t.comparator]} {format_number(t.value)} ({t.text})"
        for t in indicator.targets
    ]
    return "; ".join(parts) or "không có chỉ tiêu theo kỳ"


def _flags(indicator: Indicator) -> str:
    flags = [_DIRECTION[indicator.direction.value]]
    if indicator.by_sex:
        flags.append("theo dõi riêng nam, nữ")
    if indicator.per_unit and indicator.unit_share is not None:
        flags.append(f"áp dụng cho {format_number(indicator.unit_share)}% đơn vị")
    if indicator.needs_review:
        flags.append("CẦN XEM LẠI")
    return ", ".join(flags)


def summary(plan: Plan, issues: tuple[Issue, ...], name: str) -> str:
    lines = [f"Tệp: {name}", f"Tiêu đề: {plan.title}"]
    if plan.subtitle:
        lines.append(f"         {plan.subtitle}")
    lines.append("Kỳ chỉ tiêu: " + ", ".join(p.key for p in plan.periods))
    lines.append(f"{len(plan.objectives)} mục tiêu, {len(plan.indicators)} chỉ tiêu")
    for objective in plan.objectives:
        lines.append("")
        lines.append(f"{objective.code}. {objective.title}")
        for indicator in objective.indicators:
            lines.append(f"  {indicator.code}  {indicator.name}")
            lines.append(f"        chỉ tiêu: {_target_line(indicator)} [{_flags(indicator)}]")
            lines.append("        chủ trì: " + ("; ".join(indicator.lead_units) or "(chưa có)"))
    lines.append("")
    if issues:
        lines.append(f"Các điểm cần lưu ý ({len(issues)}):")
        lines += [f"  [{_SEVERITY[i.severity]}] {i.where}: {i.message}" for i in issues]
    else:
        lines.append("Không có vấn đề nào.")
    return "\n".join(lines) + "\n"
