"""Open a plan for the commands: an annex through the importer, or the JSON of ``plan check --json``.

Reading the JSON back lets a user fix a plan once (``plan check --json > plan.json``,
edit, evaluate against ``plan.json``) and lets tests build plans without a Word file.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from chitieu.importer import read_plan
from chitieu.issues import Issue, Severity
from chitieu.periods import PeriodKeyError, parse_period
from chitieu.plan import (
    Aggregation,
    Comparator,
    CountPeriod,
    Direction,
    Indicator,
    Measure,
    Objective,
    Plan,
    Target,
)


class PlanFormatError(ValueError):
    """The JSON is not a plan; the message says where."""


def _decimal(value: Any, where: str) -> Decimal:
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise PlanFormatError(f"{where}: không phải là số: {value!r}") from exc


def _indicator(data: dict[str, Any], where: str) -> Indicator:
    try:
        targets = tuple(
            Target(
                str(t["period"]),
                Comparator(t["comparator"]),
                _decimal(t["value"], f"{where}, chỉ tiêu kỳ {t.get('period')}"),
                str(t.get("text", "")),
            )
            for t in data.get("targets", [])
        )
        share = data.get("unit_share")
        return Indicator(
            code=str(data["code"]),
            name=str(data.get("name", "")),
            measure=Measure(data["measure"]),
            direction=Direction(data["direction"]),
            targets=targets,
            lead_units=tuple(data.get("lead_units", ())),
            per=data.get("per"),
            per_period=CountPeriod(data["per_period"]) if data.get("per_period") else None,
            unit_label=str(data.get("unit", "")),
            by_sex=bool(data.get("by_sex", False)),
            per_unit=bool(data.get("per_unit", False)),
            unit_share=_decimal(share, where) if share is not None else None,
            needs_review=bool(data.get("needs_review", False)),
            source=where,
            aggregation=Aggregation(data["aggregation"]) if data.get("aggregation") else None,
        )
    except (KeyError, ValueError, TypeError, AttributeError) as exc:
        if isinstance(exc, PlanFormatError):
            raise
        raise PlanFormatError(f"{where}: chỉ tiêu không hợp lệ ({exc})") from exc


def plan_from_dict(data: dict[str, Any]) -> Plan:
    """The inverse of ``plan_as_dict`` (docs/interfaces.md §2)."""
    if not isinstance(data, dict):
        raise PlanFormatError("không phải là kế hoạch dạng JSON (cần một đối tượng có khóa 'objectives')")
    try:
        periods = tuple(parse_period(p["key"]) for p in data.get("periods", []))
        objectives = tuple(
            Objective(
                str(o["code"]),
                str(o.get("title", "")),
                tuple(
                    _indicator(i, f"objectives[{n}].indicators[{k}]")
                    for k, i in enumerate(o.get("indicators", []))
                ),
            )
            for n, o in enumerate(data["objectives"])
        )
    except (KeyError, TypeError, AttributeError, PeriodKeyError) as exc:
        if isinstance(exc, PlanFormatError):
            raise
        raise PlanFormatError(f"không phải là kế hoạch dạng JSON ({exc})") from exc
    return Plan(
        title=str(data.get("title", "")),
        periods=periods,
        objectives=objectives,
        subtitle=str(data.get("subtitle", "")),
    )


def read_plan_file(path: str | Path) -> tuple[Plan | None, tuple[Issue, ...]]:
    """A plan from a JSON file or, for any other file, from the annex importer."""
    path = Path(path)
    if not path.is_file():
        return None, (Issue(Severity.ERROR, str(path), "không tìm thấy tệp kế hoạch", "no_file"),)
    if path.suffix.lower() == ".json":
        try:
            return plan_from_dict(json.loads(path.read_text(encoding="utf-8-sig"))), ()
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            return None, (Issue(Severity.ERROR, str(path), f"JSON không hợp lệ: {exc}", "bad_json"),)
        except PlanFormatError as exc:
            return None, (Issue(Severity.ERROR, str(path), str(exc), "bad_plan_json"),)
    result = read_plan(path)
    return result.plan, tuple(result.issues)
