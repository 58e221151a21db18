"""Who reports what in a synthetic country (assignments.csv), applied through the plan services."""

from __future__ import annotations

from typing import NamedTuple

from django.db import transaction

from chitieu.names import name_key
from web.data.loading.area import AreaUnit, AreaUnits
from web.data.loading.csv_rows import csv_rows
from web.data.loading.errors import LoadError, LoadIssue
from web.orgs.models import OrgUnit, UnitKind
from web.plans.models import Indicator, Reporters
from web.plans.services import assignment_update


class AssignmentLine(NamedTuple):
    """A checked line of assignments.csv: who reports the indicator, how often, by sex or not."""

    indicator: Indicator
    reporters: str  # "communes" or "offices"
    frequency: str
    by_sex: bool
    offices: list[AreaUnit]  # the lead units when the offices report


ASSIGNMENT_COLUMNS = ("indicator", "reporters", "frequency", "by_sex", "office")
_FREQUENCIES = ("year", "half", "quarter", "month")


def assignments_load(*, version, rows_or_path, actor) -> int:
    """Who reports what (assignments.csv): ``communes`` (every commune) or ``offices`` (the office
    named ``office`` in every district, as the lead units). All or nothing; returns the rows applied."""
    rows, name = csv_rows(rows_or_path, ASSIGNMENT_COLUMNS)
    indicators = {i.code: i for i in version.indicators.select_related("assignment")}
    units = AreaUnits(version.plan.area)
    errors: list[LoadIssue] = []
    plans: list[AssignmentLine] = []
    for line, cells in rows:
        code, reporters, frequency, by_sex, office = (c.strip() for c in [*cells, "", "", "", "", ""][:5])
        offices = [u for u in units.by_name.get(name_key(office), []) if u.kind == UnitKind.OFFICE]
        problem = (
            f"mã chỉ tiêu không có trong kế hoạch: {code!r}"
            if code not in indicators
            else f"cột reporters phải là communes hoặc offices, không phải {reporters!r}"
            if reporters not in ("communes", "offices")
            else f"cột frequency phải là một trong {', '.join(_FREQUENCIES)}, không phải {frequency!r}"
            if frequency not in _FREQUENCIES
            else f"cột by_sex phải là 0 hoặc 1, không phải {by_sex!r}"
            if by_sex not in ("0", "1")
            else f"không có đơn vị nào tên {office!r} trong địa bàn"
            if reporters == "offices" and not offices
            else ""
        )
        if problem:
            errors.append(LoadIssue(line, problem, "bad_assignment"))
        else:
            plans.append(AssignmentLine(indicators[code], reporters, frequency, by_sex == "1", offices))
    if errors:
        raise LoadError(errors, source=name)
    with transaction.atomic():
        for plan in plans:
            assignment_update(
                actor=actor,
                assignment=plan.indicator.assignment,
                lead_units=list(OrgUnit.objects.filter(pk__in=[u.id for u in plan.offices])),
                reporters=Reporters.COMMUNES if plan.reporters == "communes" else Reporters.LEAD_UNITS,
                frequency=plan.frequency,
                by_sex=plan.by_sex,
            )
    return len(plans)
