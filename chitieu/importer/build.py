"""Rows → Plan: codes for unnumbered rows, inherited lead units, meanings, targets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from decimal import Decimal
from string import ascii_lowercase

from chitieu.importer.grid import Cell
from chitieu.importer.infer import comparator_for, infer_meaning
from chitieu.importer.layout import Layout
from chitieu.importer.rows import Row, RowKind
from chitieu.importer.units import doubtful_split, split_units
from chitieu.issues import Issue, Severity
from chitieu.periods import Period
from chitieu.plan import Indicator, Objective, Plan, Target
from chitieu.quantity import Quantity, parse_quantity


@dataclass
class _Group:
    """A numbered indicator row and the unnumbered rows continuing it."""

    rows: list[Row] = field(default_factory=list)


_ROMAN = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def _arabic(code: str) -> str:
    """ "IV" → "4", so that objective IV and its rows 4.1, 4.2 agree; other codes unchanged."""
    if not code or any(ch not in _ROMAN for ch in code.upper()):
        return code
    values = [_ROMAN[ch] for ch in code.upper()]
    total = sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
    return str(total)


def _objective_code(row: Row, position: int) -> str:
    return _arabic(row.number or row.code) or str(position)


def split_objectives(rows: list[Row]) -> tuple[list[tuple[Row | None, list[Row]]], list[Issue]]:
    sections: list[tuple[Row | None, list[Row]]] = []
    issues: list[Issue] = []
    for row in rows:
        if row.kind is RowKind.OBJECTIVE:
            sections.append((row, []))
            continue
        if not sections:
            issues.append(
                Issue(Severity.WARNING, row.where, "chỉ tiêu đứng trước mọi mục tiêu", "no_objective")
            )
            sections.append((None, []))
        sections[-1][1].append(row)
    return sections, issues


def _groups(rows: list[Row], objective_code: str) -> list[_Group]:
    groups: list[_Group] = []
    for row in rows:
        if not row.code and row.number:  # "- Chỉ tiêu 3: …" without a TT cell: numbered by its wording
            row = replace(row, code=f"{objective_code}.{row.number}")
        if row.code or not groups:
            groups.append(_Group([row]))
        else:
            groups[-1].rows.append(row)
    return groups


def _codes(group: _Group, objective_code: str) -> list[str]:
    first = group.rows[0].code
    if not first:
        # Unnumbered rows opening an objective: "<objective>.1", "<objective>.2", …
        prefix = f"{objective_code}." if objective_code else ""
        return [f"{prefix}{i}" for i in range(1, len(group.rows) + 1)]
    if len(group.rows) == 1:
        return [first]
    # A numbered row continued by unnumbered ones: "3.2a", "3.2b", …
    return [f"{first}{ascii_lowercase[i]}" if i < 26 else f"{first}-{i + 1}" for i in range(len(group.rows))]


def _quantity(cell: Cell, unit: str) -> Quantity:
    quantity = parse_quantity(cell.text, cell.where)
    unit = unit.strip(" ()")
    if unit and quantity.value is not None and quantity.measure is None:
        # A bare number in a table with a "Đơn vị tính" column: that column names the unit.
        joined = f"{cell.text}{unit}" if unit == "%" else f"{cell.text} {unit}"
        with_unit = parse_quantity(joined, cell.where)
        if with_unit.value is not None:
            quantity = replace(with_unit, text=cell.text)
    if cell.number is None or quantity.value is None:
        return quantity
    # A number stored as a number is exact: no reading, no doubt.
    kept = tuple(i for i in quantity.issues if i.code != "ambiguous_number")
    return replace(quantity, value=cell.number, issues=kept)


def build_indicator(row: Row, code: str, lead: tuple[str, ...]) -> tuple[Indicator, list[Issue]]:
    where = f"row {code}"
    quantities: list[tuple[Period, Quantity]] = [(p, _quantity(cell, row.unit)) for p, cell in row.targets]
    issues = [i for _, q in quantities for i in q.issues]
    good = [(p, q) for p, q in quantities if q.value is not None]
    meaning = infer_meaning(row.name, [q for _, q in good], where)
    issues += meaning.issues
    if not row.targets:
        issues.append(
            Issue(Severity.WARNING, row.where, f"chỉ tiêu {code} không có giá trị cho kỳ nào", "no_targets")
        )
    if row.lead and doubtful_split(row.lead):
        issues.append(
            Issue(
                Severity.REVIEW,
                where,
                f"đơn vị chủ trì «{' '.join(row.lead.split())}» có thể gồm nhiều đơn vị nối bằng «và»: "
                "cần xác nhận",
                "ambiguous_lead_units",
            )
        )
    targets = tuple(
        Target(p.key, comparator_for(meaning.direction, q), q.value or Decimal(0), q.text) for p, q in good
    )
    indicator = Indicator(
        code=code,
        name=row.name,
        measure=meaning.measure,
        direction=meaning.direction,
        targets=targets,
        lead_units=lead,
        per=meaning.per,
        per_period=meaning.per_period,
        unit_label=meaning.unit_label,
        by_sex=meaning.by_sex,
        per_unit=meaning.per_unit,
        unit_share=meaning.unit_share,
        needs_review=any(i.severity is Severity.REVIEW for i in issues),
        source=row.where,
    )
    return indicator, issues


def build_objective(header: Row | None, rows: list[Row], position: int) -> tuple[Objective, list[Issue]]:
    code = _objective_code(header, position) if header else ""
    issues: list[Issue] = []
    indicators: list[Indicator] = []
    for group in _groups(rows, code):
        lead: tuple[str, ...] = ()
        for row, indicator_code in zip(group.rows, _codes(group, code), strict=True):
            # An empty lead-unit cell continues the unit(s) of the row above in the group.
            lead = split_units(row.lead) if row.lead else lead
            indicator, found = build_indicator(row, indicator_code, lead)
            indicators.append(indicator)
            issues += found
    title = header.name if header else ""
    return Objective(code, title, tuple(indicators)), issues


_ANNEX_LABEL = re.compile(r"phụ lục(\s+(số\s+)?[\w.]+)?:?", re.IGNORECASE)


def title_lines(lines: list[str]) -> tuple[str, str]:
    """(title, subtitle) from the lines above the table."""
    title_parts: list[str] = []
    subtitle = ""
    lines = [" ".join(line.split()) for line in lines if line.strip()]
    # Only the block heading the table: after its "Phụ lục" label, else the last few lines
    # (a Word document may hold the whole plan's text above its annex).
    labels = [i for i, line in enumerate(lines) if _ANNEX_LABEL.fullmatch(line)]
    lines = lines[labels[-1] + 1 :] if labels else lines[-4:]
    for line in lines:
        if line.startswith("(") and not subtitle:
            subtitle = line
        elif not subtitle and (not title_parts or line.isupper() == title_parts[-1].isupper()):
            title_parts.append(line)
    return " ".join(title_parts), subtitle


def build_plan(
    rows: list[Row], layout: Layout, titles: list[str], source_name: str
) -> tuple[Plan, list[Issue]]:
    sections, issues = split_objectives(rows)
    objectives: list[Objective] = []
    for position, (header, section_rows) in enumerate(sections, 1):
        objective, found = build_objective(header, section_rows, position)
        objectives.append(objective)
        issues += found
    title, subtitle = title_lines(titles)
    periods = tuple(dict.fromkeys(p for _, p in layout.periods))
    plan = Plan(title, periods, tuple(objectives), subtitle=subtitle, source_name=source_name)
    return plan, issues
