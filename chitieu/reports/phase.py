"""The final review of a phase (báo cáo tổng kết giai đoạn 2021–2025), built on the annual report.

The phase report is the annual report's builder run for the phase (the same
verdicts, sections, header, signature and annex rules), with what a final review
adds: every indicator's figure year by year against the phase target, by sex
where the target is, and what changed in the structure of units during the
phase. The renderers lay the year-by-year table out next to the results table.
Pure: the structure changes are sentences the caller writes (from the units'
history or a reorganisation file).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from chitieu.evaluate import IndicatorResult, PlanEvaluation, evaluate_plan
from chitieu.observations import Observation
from chitieu.periods import PeriodKind, parse_period, period_words
from chitieu.plan import Plan
from chitieu.quantity import unit_words
from chitieu.reorganisation import read_reorganisation, table_from_bytes
from chitieu.reports.build import Evaluate, ReportOptions, _sentence, _sex_label, build_report
from chitieu.reports.model import Assessment, Report, RowKind, Section, YearlyRow, YearlyTable


class NotAPhase(ValueError):
    """The period asked for is not one of the plan's phases."""


def _line(
    indicator, target, kind: RowKind, stt: str, text: str, values, actual, status, places: int
) -> YearlyRow:
    return YearlyRow(
        kind,
        stt,
        text,
        unit_words(indicator.unit_label),
        tuple(values),
        places,
        target.value if target else None,
        target.text if target else "",
        target.comparator.value if target else "",
        actual,
        Assessment(status.value),
    )


def _rows(plan: Plan, phase_key: str, years: dict, phase_eval) -> list[YearlyRow]:
    rows: list[YearlyRow] = []
    for objective in plan.objectives:
        rows.append(YearlyRow(RowKind.OBJECTIVE, objective.code, objective.title))
        for indicator in objective.indicators:
            result: IndicatorResult | None = phase_eval.result(indicator.code)
            if result is None:
                continue
            target = indicator.target_for(phase_key)
            yearly = [e.result(indicator.code) for e in years.values()]

            places = max(2, result.places)
            values = [r.actual if r else None for r in yearly]
            rows.append(
                _line(
                    indicator,
                    target,
                    RowKind.INDICATOR,
                    indicator.code,
                    _sentence(indicator.name),
                    values,
                    result.actual,
                    result.status,
                    places,
                )
            )
            for part in result.by_sex:  # the target is judged for each sex: each gets its line
                parts = [
                    next((p for p in r.by_sex if p.key == part.key), None) if r else None for r in yearly
                ]
                values = [p.actual if p else None for p in parts]
                rows.append(
                    _line(
                        indicator,
                        target,
                        RowKind.BREAKDOWN,
                        "",
                        _sex_label(indicator, part.key),
                        values,
                        part.actual,
                        part.status,
                        places,
                    )
                )
    return rows


def build_phase_report(
    plan: Plan,
    observations: Sequence[Observation],
    phase_key: str | None = None,
    *,
    as_of: date | None = None,
    options: ReportOptions | None = None,
    units: Sequence[str] = (),
    structure_changes: Sequence[str] = (),
    evaluate: Evaluate | None = None,
) -> Report:
    """The final review of ``phase_key`` (default: the plan's phase) with the figures known on ``as_of``.

    ``evaluate``: where the verdicts come from when not from the engine over ``observations``
    (as ``build_report`` takes it: the web app's stored verdicts, the engine's own)."""
    phase_key = phase_key or (plan.phase.key if plan.phase else "")
    try:
        phase = parse_period(phase_key)
    except ValueError as error:
        raise NotAPhase(phase_key) from error
    if phase.kind is not PeriodKind.PHASE:
        raise NotAPhase(phase_key)
    as_of = as_of or phase.end
    if evaluate is None:

        def evaluate(key: str) -> PlanEvaluation:
            return evaluate_plan(plan, observations, key, as_of=as_of, units=units)

    base = build_report(
        plan, observations, phase.key, as_of=as_of, options=options, units=units, evaluate=evaluate
    )
    keys = [str(y) for y in range(phase.start.year, phase.end.year + 1)]
    years = {k: evaluate(k) for k in keys}
    phase_eval = evaluate(phase.key)
    words = period_words(phase.key)
    structure = Section(
        "III. NHỮNG THAY ĐỔI VỀ TỔ CHỨC, ĐƠN VỊ HÀNH CHÍNH TRONG GIAI ĐOẠN",
        tuple(structure_changes) or ("Trong giai đoạn không có thay đổi về đơn vị hành chính trên địa bàn.",),
        closing=(
            "Số liệu của mỗi năm được tổng hợp theo các đơn vị tồn tại trong năm đó; số liệu đã báo cáo"
            " được giữ nguyên với đơn vị đã báo cáo.",
        )
        if structure_changes
        else (),
    )
    first, second, *rest = base.sections
    rest = [replace(s, heading=_renumber(s.heading, n)) for n, s in enumerate(rest, start=4)]
    table = YearlyTable(
        f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU QUA TỪNG NĂM {words.upper()}",
        tuple(keys),
        tuple(_rows(plan, phase.key, years, phase_eval)),
    )
    subject = base.subject.replace("Kết quả thực hiện", "Tổng kết thực hiện", 1)
    return replace(
        base,
        subject=subject,
        intro=tuple(
            i.replace("báo cáo kết quả thực hiện", "báo cáo tổng kết việc thực hiện", 1) for i in base.intro
        ),
        sections=(first, second, structure, *rest),
        table_title=base.table_title.replace("KẾT QUẢ THỰC HIỆN", "TỔNG KẾT THỰC HIỆN", 1),
        yearly=table,
    )


_ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


def _renumber(heading: str, number: int) -> str:
    """ "III. ĐỀ XUẤT" → "IV. ĐỀ XUẤT": the sections after the added one move down."""
    _old, dot, rest = heading.partition(". ")
    return f"{_ROMAN[number - 1]}. {rest}" if dot else heading


__all__ = ["NotAPhase", "build_phase_report"]


_CHANGE_WORDS = {
    "merge": "sáp nhập {old} thành {new}",
    "merger": "sáp nhập {old} thành {new}",
    "split": "chia tách {old} thành {new}",
    "rename": "đổi tên {old} thành {new}",
    "transfer": "{old} chuyển sang {new}",
    "dissolve": "giải thể {old}; nhiệm vụ chuyển cho {new}",
    "duties": "{old}: nhiệm vụ chuyển cho {new}",
}


def change_sentence(kind: str, on: date, old: Sequence[str], new: Sequence[str]) -> str:
    """One line of the structure section: "Ngày 01/07/2025: sáp nhập Xã A, Xã B thành Xã C."."""
    words = _CHANGE_WORDS.get(kind, "{old} → {new}")
    text = words.format(old=", ".join(old), new=", ".join(new) or "—")
    return f"Ngày {on:%d/%m/%Y}: {text}."


def changes_from_file(data: bytes) -> list[str]:
    """The sentences for a reorganisation decision's list (the CLI's ``--reorganisation``), by code."""
    table, issues = table_from_bytes(data)
    rows, more = read_reorganisation(table) if not issues else ([], [])
    if issues or [i for i in more if i.severity.value == "error"]:
        raise ValueError("; ".join(f"{i.where}: {i.message}" for i in issues + more))
    sentences = []
    for row in rows:
        new = [f"{row.new_name} ({row.new_code})" if row.new_name else row.new_code or row.parent_code]
        sentences.append(change_sentence(row.kind.value, row.effective, row.old_codes, [n for n in new if n]))
    return sentences


__all__ += ["change_sentence", "changes_from_file"]
