"""Who reports what in a synthetic country (assignments.csv), applied through the plan services."""

from __future__ import annotations

from django.db import transaction

from chitieu.names import name_key
from web.data.loading.area import AreaUnits
from web.data.loading.csv_rows import csv_rows
from web.data.loading.errors import LoadError, LoadIssue
from web.orgs.models import OrgUnit, UnitKind
from web.plans.models import Reporters
from web.plans.services import assignment_update

ASSIGNMENT_COLUMNS = ("indicator", "reporters", "frequency", "by_sex", "office")
_FREQUENCIES = ("year", "half", "quarter", "month")


def assignments_load(*, version, rows_or_path, actor) -> int:
    """Who reports what (assignments.csv): ``communes`` (every commune) or ``offices`` (the office
    named ``office`` in every district, as the lead units). All or nothing; returns the rows applied."""
    rows, name = csv_rows(rows_or_path, ASSIGNMENT_COLUMNS)
    indicators = {i.code: i for i in version.indicators.select_related("assignment")}
    units = AreaUnits(version.plan.area)
    errors, plans = [], []
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
            plans.append((indicators[code], reporters, frequency, by_sex == "1", offices))
    if errors:
        raise LoadError(errors, source=name)
    with transaction.atomic():
        for indicator, reporters, frequency, by_sex, offices in plans:
            assignment_update(
                actor=actor,
                assignment=indicator.assignment,
                lead_units=list(OrgUnit.objects.filter(pk__in=[u.id for u in offices])),
                reporters=Reporters.COMMUNES if reporters == "communes" else Reporters.LEAD_UNITS,
                frequency=frequency,
                by_sex=by_sex,
            )
    return len(plans)
