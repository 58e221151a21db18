"""Observations out of chitieu: the tidy CSV of docs/interfaces.md §3, DHIS2 and SDMX-CSV.

Each writer takes any objects with the attributes of an observation
(``indicator``, ``period``, ``org_unit``, ``sex``, ``numerator``,
``denominator``, ``value``, ``note``) so that the engine's ``Observation``
and rows read from the database export the same way.

A row that a target format cannot express (a multi-year phase period in
DHIS2 or SDMX, a row with no value to compute, a "not applicable" row) is
never dropped silently: it is left out of the document and reported in
``ExportResult.issues``. Values are computed by the engine's own rule
(``chitieu.observations.observation_value``) and rounded to four decimals.

DHIS2 ``dataValueSets`` mapping (import with
``?dataElementIdScheme=CODE&orgUnitIdScheme=CODE&categoryOptionComboIdScheme=CODE``,
or pass the UIDs of your instance in the ``*_ids`` mappings):

==========================  =====================================================
DHIS2 field                 chitieu
==========================  =====================================================
``dataElement``             indicator code (``2.1``); the numerator and
                            denominator go to ``2.1.NUM`` and ``2.1.DEN`` so that
                            DHIS2 can sum them up its own hierarchy
``period``                  ``2024``, ``2024S1``, ``2024Q3``, ``202403``
``orgUnit``                 unit code (``unit_code``: ASCII, upper case); blank
                            org unit = the plan's area, ``area``
``categoryOptionCombo``     sex: ``F``, ``M``; left out for totals (DHIS2 then
                            uses its ``default`` combination)
``value``                   the value as a string, dot decimal; computed as
                            numerator ÷ denominator × the measure's factor when
                            only those were reported
``comment``                 the note (at most 5,000 characters; provisional
                            rows say so here and carry ``followup: true``)
==========================  =====================================================

Text cells that a spreadsheet could run as a formula (``=…``, ``@…``, ``-x…``) are written
with a leading apostrophe (``chitieu.formulas``); the tidy CSV reader takes it off again.

SDMX-CSV (version 2.0) columns: ``STRUCTURE, STRUCTURE_ID, ACTION, FREQ,
REF_AREA, INDICATOR, SEX, TIME_PERIOD, OBS_VALUE, UNIT_MEASURE, UNIT_MULT,
OBS_STATUS, COMMENT_OBS``; OBS_STATUS is ``A`` (normal) or ``P`` (provisional:
not yet approved). SDMX identifiers allow only ``[A-Za-z0-9_@$-]``, so ``2.1``
becomes ``2_1``; TIME_PERIOD uses ``2024``, ``2024-S1``, ``2024-Q3``,
``2024-03``; SEX is ``F``, ``M`` or ``_T`` (total).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any, Protocol

from chitieu.formulas import csv_cell
from chitieu.issues import Issue, Severity
from chitieu.names import fold
from chitieu.observations import observation_value
from chitieu.periods import PeriodKeyError, PeriodKind, parse_period
from chitieu.plan import Indicator, Measure, Plan

TIDY_COLUMNS = ("indicator", "period", "org_unit", "sex", "numerator", "denominator", "value", "note")
SDMX_COLUMNS = (
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "FREQ",
    "REF_AREA",
    "INDICATOR",
    "SEX",
    "TIME_PERIOD",
    "OBS_VALUE",
    "UNIT_MEASURE",
    "UNIT_MULT",
    "OBS_STATUS",
    "COMMENT_OBS",
)
DEFAULT_STRUCTURE_ID = "VN_CHITIEU:DF_GENDER_EQUALITY(1.0)"
DEFAULT_AREA = "AREA"
NOT_APPLICABLE = "không áp dụng"  # what the tidy CSV reader takes for "not applicable"
# Computed values keep four decimals: finer than any target in a plan annex,
# and stable when exported twice.
VALUE_PLACES = Decimal("0.0001")


class ObservationLike(Protocol):
    """What every exporter reads; ``chitieu.observations.Observation`` has it all."""

    indicator: str
    period: str
    org_unit: str
    sex: Any  # None / "" for the total, "F" / "M" (plain text or chitieu.plan.Sex)
    numerator: Decimal | None
    denominator: Decimal | None
    value: Decimal | None
    note: str
    not_applicable: bool


DHIS2_COMMENT_LIMIT = 5000  # DHIS2 refuses a data value whose comment is longer
PROVISIONAL_NOTE = "Số liệu tạm thời, chưa được phê duyệt"
OBS_STATUS_PROVISIONAL, OBS_STATUS_NORMAL = "P", "A"  # SDMX CL_OBS_STATUS


class Provisional:
    """An observation marked provisional (not yet approved): DHIS2 ``followup``, SDMX ``OBS_STATUS`` P."""

    provisional = True

    def __init__(self, observation: Any) -> None:
        self._observation = observation

    def __getattr__(self, name: str) -> Any:
        return getattr(self._observation, name)


def _comment(obs: Any) -> str:
    note = obs.note or ""
    if getattr(obs, "provisional", False):
        note = f"{PROVISIONAL_NOTE}. {note}".strip().rstrip(".") + "." if note else PROVISIONAL_NOTE
    return note


@dataclass(frozen=True)
class ExportResult:
    text: str  # the document, ready to write or serve
    count: int  # observations written
    issues: tuple[Issue, ...] = ()  # rows left out, and why


# ---------------------------------------------------------------- small helpers


def plain_number(value: Decimal | None) -> str:
    """A Decimal as plain text with a dot: no exponent, no grouping; blank for None."""
    if value is None:
        return ""
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def sex_code(sex: Any) -> str:
    """``F``, ``M`` or ``""`` (total) from whatever the observation carries."""
    if sex is None:
        return ""
    text = str(getattr(sex, "value", sex)).strip().upper()
    return {"NỮ": "F", "NAM": "M", "_T": "", "T": ""}.get(text, text)


def unit_code(name: str) -> str:
    """A stable ASCII code for a unit name: ``Đăk Kôi`` → ``DAK_KOI``.

    Spelling variants (Đắk/Đăk, NFC/NFD) give the same code, so the same unit
    keeps its code however its name was typed.
    """
    return re.sub(r"[^A-Za-z0-9]+", "_", fold(name)).strip("_").upper()


def sdmx_id(code: str) -> str:
    """An indicator code as an SDMX identifier: ``2.1`` → ``2_1``, ``3.2a`` → ``3_2a``."""
    return re.sub(r"[^A-Za-z0-9_@$-]", "_", code)


def export_value(obs: ObservationLike, indicator: Indicator | None) -> Decimal | None:
    """The figure in the indicator's unit, as the engine computes it, rounded for exchange.

    With the plan, ``chitieu.observations.observation_value`` decides (the same rule
    as the evaluation); without it only a reported value can be exported.
    """
    if getattr(obs, "not_applicable", False):
        return None
    if indicator is None:
        return obs.value
    value = observation_value(indicator, obs)  # type: ignore[arg-type]
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(Decimal(1))
    return value.quantize(VALUE_PLACES, rounding=ROUND_HALF_EVEN)


def dhis2_period(key: str) -> str:
    """``2024`` → ``2024``, ``2024-H1`` → ``2024S1``, ``2024-Q3`` → ``2024Q3``, ``2024-03`` → ``202403``.

    Raises ``PeriodKeyError`` for a phase: DHIS2 has no multi-year period type.
    """
    period = parse_period(key)
    year = period.start.year
    if period.kind is PeriodKind.YEAR:
        return str(year)
    if period.kind is PeriodKind.HALF:
        return f"{year}S{1 if period.start.month == 1 else 2}"
    if period.kind is PeriodKind.QUARTER:
        return f"{year}Q{(period.start.month + 2) // 3}"
    if period.kind is PeriodKind.MONTH:
        return f"{year}{period.start.month:02d}"
    raise PeriodKeyError(f"DHIS2 không có loại kỳ nhiều năm: {key}")


def sdmx_period(key: str) -> tuple[str, str]:
    """(FREQ, TIME_PERIOD): ``2024-H1`` → ``("S", "2024-S1")``; a phase raises ``PeriodKeyError``."""
    period = parse_period(key)
    year = period.start.year
    if period.kind is PeriodKind.YEAR:
        return "A", str(year)
    if period.kind is PeriodKind.HALF:
        return "S", f"{year}-S{1 if period.start.month == 1 else 2}"
    if period.kind is PeriodKind.QUARTER:
        return "Q", f"{year}-Q{(period.start.month + 2) // 3}"
    if period.kind is PeriodKind.MONTH:
        return "M", f"{year}-{period.start.month:02d}"
    raise PeriodKeyError(f"SDMX-CSV: không xuất kỳ nhiều năm {key}")


def sdmx_unit(indicator: Indicator | None) -> tuple[str, str]:
    """(UNIT_MEASURE, UNIT_MULT) for an indicator's measure."""
    if indicator is None:
        return "", ""
    if indicator.measure is Measure.PERCENT:
        return "PT", "0"
    if indicator.measure in (Measure.RATE, Measure.RATIO):
        return f"PER_{indicator.per or 1}", "0"
    if indicator.measure is Measure.TIMES:
        return "RATIO", "0"
    return "NUMBER", "0"


def _where(index: int, obs: ObservationLike) -> str:
    source = getattr(obs, "source", "") or ""
    return source or f"observation {index} ({obs.indicator}, {obs.period})"


def _left_out(index: int, obs: ObservationLike, message: str, code: str) -> Issue:
    return Issue(Severity.WARNING, _where(index, obs), message, code)


def _not_applicable(index: int, obs: ObservationLike) -> Issue:
    return Issue(Severity.INFO, _where(index, obs), "không áp dụng: không có giá trị", "not_applicable")


# ---------------------------------------------------------------- tidy CSV


def to_tidy_csv(
    observations: Iterable[ObservationLike], *, delimiter: str = ",", decimal_comma: bool = False
) -> ExportResult:
    """The tidy CSV of docs/interfaces.md §3, one observation per row, as stored (nothing computed).

    ``delimiter=";", decimal_comma=True`` gives what a Vietnamese spreadsheet expects.
    """
    if decimal_comma and delimiter == ",":
        raise ValueError("decimal commas need another delimiter (';' or tab)")
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(TIDY_COLUMNS)
    count = 0

    def number(value: Decimal | None) -> str:
        text = plain_number(value)
        return text.replace(".", ",") if decimal_comma else text

    for obs in observations:
        writer.writerow(
            [
                csv_cell(obs.indicator),
                csv_cell(obs.period),
                csv_cell(obs.org_unit or ""),
                sex_code(obs.sex),
                number(obs.numerator),
                number(obs.denominator),
                NOT_APPLICABLE if getattr(obs, "not_applicable", False) else number(obs.value),
                csv_cell(obs.note or ""),
            ]
        )
        count += 1
    return ExportResult(out.getvalue(), count)


# ---------------------------------------------------------------- DHIS2


def dhis2_data_value_set(
    observations: Iterable[ObservationLike],
    *,
    plan: Plan | None = None,
    area: str = DEFAULT_AREA,
    components: bool = True,
    data_element_ids: Mapping[str, str] | None = None,
    org_unit_ids: Mapping[str, str] | None = None,
    sex_combo_ids: Mapping[str, str] | None = None,
    data_set: str = "",
    id_scheme: str = "",
) -> tuple[dict[str, Any], list[Issue]]:
    """A DHIS2 ``dataValueSets`` document (as a dict) and the rows it could not carry.

    ``sex_combo_ids`` maps ``F``, ``M`` and, for totals, ``""`` to the instance's
    category option combinations (without ``""`` totals carry none: DHIS2's default).
    ``id_scheme`` (``UID``, ``CODE``) is written into the document. Comments are cut
    at DHIS2's 5,000 characters (reported); provisional rows get ``followup`` and say so.
    """
    data_elements = data_element_ids or {}
    org_units = org_unit_ids or {}
    combos = {"F": "F", "M": "M", **(sex_combo_ids or {})}
    values: list[dict[str, str]] = []
    issues: list[Issue] = []
    for index, obs in enumerate(observations, start=1):
        try:
            period = dhis2_period(obs.period)
        except PeriodKeyError as error:
            issues.append(_left_out(index, obs, str(error), "dhis2_period"))
            continue
        if getattr(obs, "not_applicable", False):
            issues.append(_not_applicable(index, obs))
            continue
        indicator = plan.indicator(obs.indicator) if plan else None
        value = export_value(obs, indicator)
        parts = [("", value)]
        if components:
            parts += [(".NUM", obs.numerator), (".DEN", obs.denominator)]
        parts = [(suffix, v) for suffix, v in parts if v is not None]
        if not parts:
            issues.append(_left_out(index, obs, "không có giá trị để xuất", "no_value"))
            continue
        unit = obs.org_unit or ""
        base: dict[str, str] = {
            "period": period,
            "orgUnit": org_units.get(unit, unit_code(unit) if unit else area),
        }
        sex = sex_code(obs.sex)
        if sex or combos.get(""):
            base["categoryOptionCombo"] = combos.get(sex, sex)
        comment = _comment(obs)
        if len(comment) > DHIS2_COMMENT_LIMIT:
            issues.append(
                Issue(
                    Severity.INFO,
                    _where(index, obs),
                    f"ghi chú dài {len(comment)} ký tự: DHIS2 nhận tối đa {DHIS2_COMMENT_LIMIT}, đã cắt bớt",
                    "dhis2_comment_cut",
                )
            )
            comment = comment[: DHIS2_COMMENT_LIMIT - 1] + "…"
        for suffix, number in parts:
            code = obs.indicator + suffix
            row: dict[str, Any] = {
                "dataElement": data_elements.get(code, code),
                **base,
                "value": plain_number(number),
            }
            if comment:
                row["comment"] = comment
            if getattr(obs, "provisional", False):
                row["followup"] = True
            values.append(row)
    document: dict[str, Any] = {}
    if data_set:
        document["dataSet"] = data_set
    if id_scheme:
        document["idScheme"] = id_scheme
    document["dataValues"] = values
    return document, issues


def to_dhis2_json(observations: Iterable[ObservationLike], **options: Any) -> ExportResult:
    """``dhis2_data_value_set`` as JSON text; ``count`` is observations, not data values."""
    listed = list(observations)
    document, issues = dhis2_data_value_set(listed, **options)
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    left_out = sum(issue.code != "dhis2_comment_cut" for issue in issues)
    return ExportResult(text, len(listed) - left_out, tuple(issues))


# ---------------------------------------------------------------- SDMX-CSV


def to_sdmx_csv(
    observations: Iterable[ObservationLike],
    *,
    plan: Plan | None = None,
    area: str = DEFAULT_AREA,
    structure_id: str = DEFAULT_STRUCTURE_ID,
    action: str = "I",
    ref_area_ids: Mapping[str, str] | None = None,
    version: str = "2.0",
) -> ExportResult:
    """SDMX-CSV for a dataflow: ``version`` ``2.0`` (``STRUCTURE``, ``STRUCTURE_ID``,
    ``ACTION`` columns; ``action`` ``I`` information, ``A`` append, ``R`` replace,
    ``M`` merge, ``D`` delete) or ``1.0`` (a ``DATAFLOW`` column, no action)."""
    if version not in ("1.0", "2.0"):
        raise ValueError(f"SDMX-CSV version 1.0 or 2.0, not {version!r}")
    ref_areas = ref_area_ids or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SDMX_COLUMNS if version == "2.0" else ("DATAFLOW", *SDMX_COLUMNS[3:]))
    issues: list[Issue] = []
    count = 0
    for index, obs in enumerate(observations, start=1):
        try:
            freq, time_period = sdmx_period(obs.period)
        except PeriodKeyError as error:
            issues.append(_left_out(index, obs, str(error), "sdmx_period"))
            continue
        if getattr(obs, "not_applicable", False):
            issues.append(_not_applicable(index, obs))
            continue
        indicator = plan.indicator(obs.indicator) if plan else None
        value = export_value(obs, indicator)
        if value is None:
            issues.append(_left_out(index, obs, "không có giá trị để xuất", "no_value"))
            continue
        unit = obs.org_unit or ""
        unit_measure, unit_mult = sdmx_unit(indicator)
        lead = ["dataflow", structure_id, action] if version == "2.0" else [structure_id]
        writer.writerow(
            [
                *lead,
                freq,
                csv_cell(ref_areas.get(unit, unit_code(unit) if unit else area)),
                csv_cell(sdmx_id(obs.indicator)),
                sex_code(obs.sex) or "_T",
                time_period,
                plain_number(value),
                unit_measure,
                unit_mult,
                OBS_STATUS_PROVISIONAL if getattr(obs, "provisional", False) else OBS_STATUS_NORMAL,
                csv_cell(obs.note or ""),
            ]
        )
        count += 1
    return ExportResult(out.getvalue(), count, tuple(issues))
