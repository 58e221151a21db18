"""Roll-ups across the 1 July 2025 reorganisation: each period on the tree valid in it.

A merge, a split, a rename, a transfer and a dissolved district, applied from
a decision's list; figures reported before (on the old units), across and
after (on the new ones). For every area and period: the communes counted are
the ones written down by hand below, and the roll-up equals the pure engine.
"""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

from chitieu.evaluate import evaluate_plan
from chitieu.periods import parse_period
from tests.web.rollups.conftest import build_tree, plan_for, random_figures
from tests.web.rollups.test_equal_to_engine import comparable
from web.dashboards.selectors import core_plan, plan_version_active
from web.data.models import Observation, Submission
from web.orgs.models import OrgUnit, UnitKind
from web.reorg.services import reorganisation_apply
from web.rollups.selectors import (
    APPROVED_STATES,
    STORED_KINDS,
    commune_labels,
    communes_in,
    evaluation_all_units,
    raw_area_observations,
    store_inputs,
    unit_evaluation,
)
from web.rollups.services import rollup_rebuild, unit_closure_refresh
from web.rollups.verdicts import stored_periods

# build_tree([[2, 3], [1]]): province 01 > district 101 (communes 10101, 10102), district 102 (10201,
# 10202, 10203); province 02 > district 201 (20101). From 1 July 2025:
DECISION = (
    "loai,ma_moi,ten_moi,ma_cu,ma_cap_tren,ngay_hieu_luc\n"
    "sáp nhập,19001,Xã Hợp Nhất,10101;10102,,01/07/2025\n"  # merge (under 101, moved up to 01)
    "chia tách,19011,Xã Tách A,10201,,01/07/2025\n"  # split, parent 102
    "chia tách,19012,Xã Tách B,10201,,01/07/2025\n"
    "đổi tên,,Xã Đổi Tên,10202,,01/07/2025\n"  # rename: same unit
    "điều chuyển,,,10203,201,01/07/2025\n"  # transfer to another province's district
    "giải thể,01,,101,01,01/07/2025\n"  # district 101 dissolved, its office's duties to the province
)
AS_OF = date(2026, 2, 10)


def _figure(submission_unit, period_key: str, code: str, numerator: int, denominator: int | None):
    period = parse_period(period_key)
    submission, _ = Submission.objects.get_or_create(
        plan=_figure.plan,
        org_unit=submission_unit,
        period_key=period_key,
        defaults={"period_start": period.start, "period_end": period.end, "state": "approved"},
    )
    Observation.objects.create(
        submission=submission,
        indicator_code=code,
        sex="",
        numerator=Decimal(numerator) if denominator is not None else None,
        denominator=Decimal(denominator) if denominator is not None else None,
        value=None if denominator is not None else Decimal(numerator),
    )


def test_roll_ups_before_across_and_after_the_reorganisation_use_each_period_s_tree(admin):
    nation = build_tree([[2, 3], [1]])
    plan = plan_for(nation, admin)
    _figure.plan = plan
    random_figures(plan, nation, random.Random(2025), density=0.7)  # 2020–2024, old tree
    old = {u.code: u for u in OrgUnit.objects.exclude(code="")}
    # 2025-Q1 and Q2 on the old communes (3.2a, a share of a flow: numerator n of 10).
    for n, code in enumerate(("10101", "10102", "10201", "10202", "10203", "20101"), start=1):
        _figure(old[code], "2025-Q1", "3.2a", n, 10)
        _figure(old[code], "2025-Q2", "3.2a", n + 1, 10)
    reorganisation_apply(actor=admin, data=DECISION.encode(), source_name="nq-2025.csv")
    new = {u.code: u for u in OrgUnit.objects.exclude(code="").filter(valid_to__isnull=True)}
    # 2025-Q3 on the new tree (n of 20); 2.2 (a share of a stock) for 2025 by the communes open at its end.
    for n, code in enumerate(("19001", "19011", "19012", "10202", "10203", "20101"), start=1):
        _figure(new[code], "2025-Q3", "3.2a", n, 20)
        _figure(new[code], "2025", "2.2", n, 10 * n)
    Submission.objects.filter(plan=plan).update(state="approved")
    rollup_rebuild(plan=plan)

    def members(area_code: str, period_key: str) -> set[str]:
        area = OrgUnit.objects.get(code=area_code) if area_code in new else old[area_code]
        return {f"{u.name}/{u.valid_from or '-'}" for u in communes_in(area, period_key)}

    # Written down by hand: who is below each area in each period.
    before_01 = {f"{old[c].name}/-" for c in ("10101", "10102", "10201", "10203")} | {
        "Xã Đổi Tên/-"
    }  # the renamed unit is the same unit: today's name, no new start
    after_01 = {"Xã Hợp Nhất/2025-07-01", "Xã Tách A/2025-07-01", "Xã Tách B/2025-07-01", "Xã Đổi Tên/-"}
    assert members("01", "2024") == before_01
    assert members("01", "2025-Q1") == before_01
    assert members("01", "2025-Q3") == after_01
    assert members("01", "2025") == before_01 | after_01  # across: each unit for the part it existed
    moved = f"{old['10203'].name}/2025-07-01"
    assert members("201", "2024") == {f"{old['20101'].name}/-"}
    assert members("201", "2025-Q3") == {f"{old['20101'].name}/-", moved}
    assert members("02", "2025") == {f"{old['20101'].name}/-", moved}
    assert members("101", "2024") == {f"{old['10101'].name}/-", f"{old['10102'].name}/-"}
    assert members("101", "2025-Q3") == set()  # dissolved: nothing after the date...
    assert members("101", "2021-2025") == {
        f"{old['10101'].name}/-",
        f"{old['10102'].name}/-",
    }  # ...but 2021–2025

    # Hand-computed ratios of sums of 3.2a. Province 01, 2025-Q1: the old communes 10101..10203,
    # (1+2+3+4+5) / (5 × 10) = 15/50 = 30 %. 2025-Q3: 19001, 19011, 19012, 10202 (10203 now counts in
    # province 02): (1+2+3+4) / (4 × 20) = 10/80 = 12,5 %;
    # province 02: 10203 (5) + 20101 (6) = 11/40 = 27,5 %.
    core = core_plan(plan_version_active(plan))
    province = new["01"]

    def actual(area, period_key, code="3.2a"):
        evaluation = unit_evaluation(plan, core, area, period_key, as_of=AS_OF).evaluation
        return evaluation.result(code).actual

    assert actual(province, "2025-Q1") == Decimal(30)
    assert actual(province, "2025-Q3") == Decimal("12.5")
    assert actual(new["02"], "2025-Q3") == Decimal("27.5")
    # Across: 2025 as a whole for province 01, every quarter's figures where they were reported:
    # Q1 15/50, Q2 (2+3+4+5+6)/50 = 20/50, Q3 10/80 → (15+20+10) / (50+50+80) = 45/180 = 25 %.
    assert actual(province, "2025") == Decimal(25)
    # 2.2 for 2025 in province 01, ratio of sums: (1+2+3+4) / (10+20+30+40) = 10/100 = 10 %.
    assert actual(province, "2025", "2.2") == Decimal(10)
    # And every area that existed in the period: the roll-up equals the pure engine on the area's
    # figures, before (2024, 2025-Q1), after (2025-Q3) and across (2025, 2021–2025) the date.
    for period_key in ("2024", "2025-Q1", "2025-Q3", "2025", "2021-2025"):
        assert _same_as_engine(plan, core, period_key) > 0


def _same_as_engine(plan, core, period_key: str) -> int:
    period = parse_period(period_key)
    checked = 0
    everywhere = evaluation_all_units(
        plan=plan, period_key=period_key, as_of=AS_OF, full=True, include_communes=True
    )
    for area in OrgUnit.objects.exclude(kind=UnitKind.OFFICE).order_by("pk"):
        raw = raw_area_observations(plan, area, states=APPROVED_STATES)
        if not area.overlaps(period.start, period.end):
            # A unit that did not exist then has no roll-up to compare (the dissolved district after the
            # date); a commune that did not exist is not expected to have reported (no missing report).
            if area.kind == UnitKind.COMMUNE:
                pure = evaluate_plan(core, raw, period_key, as_of=AS_OF, units=[])
                for expected in pure.results:
                    got = everywhere[area.pk].result(expected.indicator)
                    assert comparable(got) == comparable(expected), (
                        area.name,
                        period_key,
                        expected.indicator,
                    )
            continue
        pure = evaluate_plan(core, raw, period_key, as_of=AS_OF, units=commune_labels(area, period_key))
        mine = unit_evaluation(plan, core, area, period_key, as_of=AS_OF).evaluation
        for expected in pure.results:
            got = mine.result(expected.indicator)
            where = (area.name, area.code, period_key, expected.indicator)
            assert comparable(got) == comparable(expected), where
            # The dashboards' all-areas evaluation too: a commune opened on 1 July 2025 is not
            # expected to have reported for 2024.
            assert comparable(everywhere[area.pk].result(expected.indicator)) == comparable(expected), where
            checked += 1
    return checked


def test_stored_verdicts_across_the_reorganisation_count_each_period_s_communes(admin, settings):
    """Judging reads the communes' per-unit figures (6.3) once for every listed period: each year
    and the phase must still count only the communes that existed in it and their figures of it,
    as the engine fed period by period does (old communes before the date, new ones after)."""
    from tests.web.rollups.test_stored_verdicts import assert_stored_equal_engine
    from web.rollups.verdicts import store_verdicts

    settings.CHITIEU_STORED_VERDICTS = True
    nation = build_tree([[2, 3], [1]])
    plan = plan_for(nation, admin)
    _figure.plan = plan
    random_figures(plan, nation, random.Random(7), density=0.6)  # 2020–2024, old tree
    old = {u.code: u for u in OrgUnit.objects.exclude(code="")}
    for n, code in enumerate(("10101", "10102", "10201", "10202", "10203", "20101"), start=1):
        _figure(old[code], "2025-Q1", "6.3", n % 4, None)
        _figure(old[code], "2025-Q2", "6.3", (n + 1) % 4, None)
    reorganisation_apply(actor=admin, data=DECISION.encode(), source_name="nq-2025.csv")
    new = {u.code: u for u in OrgUnit.objects.exclude(code="").filter(valid_to__isnull=True)}
    for n, code in enumerate(("19001", "19011", "19012", "10202", "10203", "20101"), start=1):
        _figure(new[code], "2025-Q3", "6.3", n % 3 + 2, None)
        _figure(new[code], "2025-Q4", "6.3", n % 2 + 3, None)
    # A commune with no code opened with the name of one closed before (which gave its code to its
    # successor): one name for the engine, two communes in 2025 and the phase.
    closed = OrgUnit.objects.get(pk=old["10203"].pk)
    assert closed.code == "" and closed.valid_to == date(2025, 6, 30)
    twin = OrgUnit.objects.create(
        name=closed.name, name_key=closed.name_key, kind=UnitKind.COMMUNE, parent=new["201"], code=""
    )
    twin.valid_from = date(2025, 7, 1)
    twin.save()
    unit_closure_refresh()
    _figure(twin, "2025-Q3", "6.3", 1, None)
    _figure(twin, "2025-Q4", "6.3", 5, None)
    Submission.objects.filter(plan=plan).update(state="approved")
    rollup_rebuild(plan=plan)
    store_verdicts(plan.pk)
    assert assert_stored_equal_engine(plan, random.Random(1)) > 0
    # Their per-unit series are not shared in 2025 and the phase (nor with other periods).
    core = core_plan(plan_version_active(plan))
    areas = list(OrgUnit.objects.filter(kind__in=STORED_KINDS))
    memos = store_inputs(plan, core, stored_periods(core), areas, states=APPROVED_STATES).series_memos
    assert memos["2025"] is None and memos["2021-2025"] is None
    years = [memos[y] for y in ("2021", "2022", "2023", "2024")]
    assert all(m is not None for m in years) and len({id(m) for m in years}) == 4


def test_periods_share_the_communes_per_unit_series_inside_one_where_a_name_is_one_commune():
    """``store_inputs``' memos of the communes' per-unit series: one for every period inside the
    widest period where no two communes have one name (their figure in a quarter is the same from
    every period), none where two have."""
    from types import SimpleNamespace

    from web.rollups.selectors import _Communes, _series_memos

    def communes(*labels):
        return _Communes({}, {1: list(labels), 2: list(labels[:1])})

    plan = SimpleNamespace(area_id=1)
    twins = communes("Xã A (1)", "Xã B (2)", "xa a (1)")  # one name for the engine
    memos = _series_memos(
        plan,
        {
            "2021-2025": twins,
            "2022-2023": communes("Xã A (1)", "Xã B (2)"),
            "2022": communes("Xã A (1)", "Xã B (2)"),
            "2023-Q2": communes("Xã B (2)"),
            "2023-2024": twins,
            "2024": communes("Xã A (1)"),
            "2024-Q3": communes("Xã A (1)"),
        },
    )
    assert memos["2021-2025"] is None and memos["2023-2024"] is None
    assert memos["2022"] is memos["2022-2023"] is memos["2023-Q2"] == {}
    assert memos["2024"] is memos["2024-Q3"] == {} and memos["2024"] is not memos["2022"]
