"""One deadline rule: data entry and the completeness page agree on what is late.

Both sides are read as a person sees them: the data-entry overview's cells (the rows
the home page draws) and its entry page's "hạn nộp", and the completeness page's
overdue table. The dates are chosen where the old rule (period end + 15 days) and
Decree 09's calendar disagree, so a second rule creeping back in fails here.
"""

from __future__ import annotations

import re
from datetime import date

import pytest

from chitieu.periods import period_label
from web.data.overview import overview_rows
from web.data.selectors import RECEIVED, reporting_units
from web.plans.models import VersionStatus

OVERDUE_ROW = re.compile(
    r'<tr data-unit="(?P<unit>[^"]+)"><td[^>]*>[^<]*</td>\s*<td[^>]*>[^<]*</td>'
    r"<td[^>]*>(?P<period>[^<]+)</td>"
)


def _completeness_overdue(client, plan, as_of: date) -> set[tuple[str, str]]:
    html = client.get(
        f"/dashboards/plans/{plan.pk}/completeness/", {"period": "2024", "as_of": as_of.isoformat()}
    ).content.decode()
    table = html[html.index('id="overdue"') : html.index('id="completeness"')]
    return {(m["unit"], m["period"]) for m in OVERDUE_ROW.finditer(table)}


def _entry_cells(plan, as_of: date) -> list:
    version = plan.versions.get(status=VersionStatus.ACTIVE)
    units = reporting_units(version, date(2024, 1, 1), date(2024, 12, 31))
    return [
        (row.unit, cell)
        for row in overview_rows(version, units, year=2024, today=as_of)
        for cell in row.cells
    ]


# 10/12/2024: the district offices' annual reports are due (05/12), the communes'
# fourth quarter not yet (15/12). 05/01/2025: both are, though the old rule's
# 15/01/2025 had not come for either.
@pytest.mark.parametrize(
    ("as_of", "late_quarter_4"),
    [(date(2024, 12, 10), False), (date(2025, 1, 5), True)],
)
def test_data_entry_and_completeness_agree_on_late_reports(
    client, figures, coordinator, as_of, late_quarter_4
):
    client.force_login(coordinator)
    overdue = _completeness_overdue(client, figures, as_of)
    outstanding = [(unit, cell) for unit, cell in _entry_cells(figures, as_of) if cell.state not in RECEIVED]
    assert outstanding, "the fixture has reports not received"
    # A report not received is late on data entry exactly when completeness lists it overdue.
    # The completeness page names periods as people do ("Quý 4/2024"), through the one formatter.
    late_on_entry = {(unit.name, period_label(cell.period.key)) for unit, cell in outstanding if cell.late}
    not_late_on_entry = {
        (unit.name, period_label(cell.period.key)) for unit, cell in outstanding if not cell.late
    }
    assert late_on_entry <= overdue
    assert not (not_late_on_entry & overdue)
    assert ("Phòng Nội vụ", "Năm 2024") in late_on_entry  # 1.1 never reported; due 05/12/2024
    assert (("Xã Tân Lập", "Quý 4/2024") in late_on_entry) is late_quarter_4  # due 15/12/2024
    assert (("Xã Đăk Kôi", "Quý 4/2024") in late_on_entry) is late_quarter_4  # a draft, never sent


def test_entry_page_shows_the_deadline_the_completeness_page_uses(client, figures, coordinator):
    from web.orgs.selectors import unit_find

    client.force_login(coordinator)
    html = client.get(
        f"/dashboards/plans/{figures.pk}/completeness/", {"period": "2024", "as_of": "2025-01-05"}
    ).content.decode()
    for name, period, due in (
        ("Xã Tân Lập", "2024-Q4", "15/12/2024"),
        ("Phòng Nội vụ", "2024", "05/12/2024"),
    ):
        assert re.search(rf"<td[^>]*>{name}</td><td>{period_label(period)}</td><td>{due}</td>", html), (
            name,
            period,
        )
        entry = client.get(f"/entry/{unit_find(name).pk}/{period}/").content.decode()
        header = entry[: entry.index("</p>", entry.index(due))]  # the "hạn nộp" line
        assert due in header and 'class="badge late"' in header  # long past on the real clock
