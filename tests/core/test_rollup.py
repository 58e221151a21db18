"""Roll-up over communes: ratio of sums, never averaged percentages; missing ≠ zero ≠ not applicable."""

from datetime import date
from decimal import Decimal as D

from chitieu.completeness import completeness, expected_reports
from chitieu.evaluate import Status, evaluate_indicator, evaluate_plan
from chitieu.observations import Observation
from chitieu.plan import Sex
from chitieu.rollup import FigureState, OrgTree, OrgUnitNode, aggregate, rollup, unknown_units
from tests.core.konray import COMMUNES, konray_plan

PLAN = konray_plan()
END = date(2024, 12, 31)


def obs(code, unit, num=None, den=None, value=None, period="2024", sex=None, na=False, line=0):
    def d(x):
        return None if x is None else D(str(x))

    return Observation(
        code, period, unit, sex, d(num), d(den), d(value), source=f"line {line}", not_applicable=na
    )


def kon_ray_tree() -> OrgTree:
    nodes = [OrgUnitNode("KR", "Huyện Kon Rẫy", None, "district")]
    nodes += [OrgUnitNode(f"X{i}", name, "KR", "commune") for i, name in enumerate(COMMUNES)]
    return OrgTree(tuple(nodes))


def test_summing_counts_gives_a_different_and_correct_verdict_than_averaging_percentages():
    # 2.1 (at least 50 %): a small commune with 9 of 10 women in wage work, a big one with 400 of 1.000.
    rows = [obs("2.1", "Đăk Kôi", 9, 10), obs("2.1", "Đăk Rve", 400, 1000)]
    average_of_percentages = (D(90) + D(40)) / 2
    assert average_of_percentages == 65  # would say "exceeded"
    result = evaluate_indicator(PLAN.indicator("2.1"), rows, "2024", as_of=END)
    assert (result.numerator, result.denominator) == (409, 1010)
    assert round(result.actual, 2) == D("40.50") and result.status is Status.NOT_ACHIEVED
    # 4.3 (at most 70 per 1.000): the other way round.
    rows = [obs("4.3", "Tân Lập", 1, 10), obs("4.3", "Đăk Kôi", 60, 1000)]
    assert (D(100) + D(60)) / 2 == 80  # averaging rates would say "not achieved"
    result = evaluate_indicator(PLAN.indicator("4.3"), rows, "2024", as_of=END)
    assert round(result.actual, 2) == D("60.40") and result.status is Status.EXCEEDED  # 61 ÷ 1.010 × 1.000


def test_tree_rollup_sums_children_and_keeps_a_units_own_figure():
    tree = OrgTree(
        (
            OrgUnitNode("P", "Tỉnh", None, "province"),
            OrgUnitNode("D1", "Huyện A", "P", "district"),
            OrgUnitNode("D2", "Huyện B", "P", "district"),
            OrgUnitNode("C1", "Xã Một", "D1", "commune"),
            OrgUnitNode("C2", "Xã Hai", "D1", "commune"),
            OrgUnitNode("C3", "Xã Ba", "D2", "commune"),
        )
    )
    ind = PLAN.indicator("2.1")
    rows = [obs("2.1", "Xã Một", 10, 20), obs("2.1", "xa hai", 30, 40), obs("2.1", "Huyện B", 5, 50)]
    figures = rollup(ind, rows, tree)
    assert (figures["D1"].figure.numerator, figures["D1"].figure.denominator, figures["D1"].own) == (
        40,
        60,
        False,
    )
    assert figures["D2"].own and figures["D2"].figure.value == 10
    assert figures["C3"].figure.state is FigureState.MISSING
    assert (figures["P"].figure.numerator, figures["P"].figure.denominator) == (45, 110)


def test_counts_are_summed():
    rows = [obs("6.4", "A", value=2, period="2024-03"), obs("6.4", "B", value=0, period="2024-03")]
    figure = aggregate(PLAN.indicator("6.4"), rows)
    assert (figure.value, figure.rule) == (2, "sum")


def test_missing_zero_and_not_applicable_stay_apart():
    ind = PLAN.indicator("3.3")
    assert aggregate(ind, []).state is FigureState.MISSING
    assert aggregate(ind, [obs("3.3", "A", na=True)]).state is FigureState.NOT_APPLICABLE
    zero = aggregate(ind, [obs("3.3", "A", 0, 4)])
    assert (zero.state, zero.value) == (FigureState.VALUE, 0)
    # A commune with no victim does not pull the district's share down or up.
    mixed = aggregate(ind, [obs("3.3", "A", na=True), obs("3.3", "B", 3, 4)])
    assert (mixed.value, mixed.numerator, mixed.denominator) == (75, 3, 4)


def test_shares_without_counts_cannot_be_rolled_up():
    figure = aggregate(PLAN.indicator("6.1"), [obs("6.1", "A", value=70), obs("6.1", "B", value=50)])
    assert (
        figure.state is FigureState.UNDEFINED and figure.value is None and "không cộng gộp" in figure.reason
    )


def test_a_unit_not_in_the_tree_is_reported_and_not_lost():
    tree = kon_ray_tree()
    rows = [obs("2.1", "Đắk Kôi", 5, 10, line=2), obs("2.1", "Xã Mới", 5, 10, line=3)]
    assert [i.where for i in unknown_units(tree, rows)] == ["line 3"]  # Đắk/Đăk spelt either way is known
    assert rollup(PLAN.indicator("2.1"), rows, tree)["KR"].figure.denominator == 20


def test_per_sex_rollup_over_communes():
    rows = [
        obs("5.2a", "Đăk Kôi", 30, 30, sex=Sex.FEMALE),
        obs("5.2a", "Đăk Kôi", 28, 30, sex=Sex.MALE),
        obs("5.2a", "Tân Lập", 50, 50, sex=Sex.FEMALE),
        obs("5.2a", "Tân Lập", 40, 40, sex=Sex.MALE),
    ]
    result = evaluate_indicator(PLAN.indicator("5.2a"), rows, "2024", as_of=END, tree=kon_ray_tree())
    assert [(p.key, p.numerator, p.denominator, p.status) for p in result.by_sex] == [
        ("F", 80, 80, Status.ACHIEVED),
        ("M", 68, 70, Status.NOT_ACHIEVED),
    ]
    assert result.status is Status.NOT_ACHIEVED and (result.numerator, result.denominator) == (148, 150)


def test_a_commune_that_never_reported_misses_the_news_target():
    rows = [obs("6.3", c, value=3, period=f"2024-Q{q}") for c in COMMUNES[:6] for q in (1, 2, 3, 4)]
    result = evaluate_indicator(PLAN.indicator("6.3"), rows, "2024", as_of=END, units=COMMUNES)
    assert result.units_without_data == ("Tân Lập",) and result.units_missing_target == ()
    assert result.status is Status.NO_DATA and not result.complete
    # Without the list of communes only those that reported are known: all of them met it.
    assert evaluate_indicator(PLAN.indicator("6.3"), rows, "2024", as_of=END).status is Status.ACHIEVED


def test_expected_reports_and_completeness_by_unit_and_sex():
    expected = expected_reports(PLAN, "2024", units=COMMUNES)
    by_code = {}
    for e in expected:
        by_code[e.indicator] = by_code.get(e.indicator, 0) + 1
    assert by_code["6.3"] == 7 * 4  # each commune, each quarter
    assert by_code["6.4"] == 12  # each month, from the culture centre (whole district)
    assert by_code["5.2a"] == 2  # girls and boys
    assert by_code["2.1"] == 1
    assert len(expected) == 16 * 1 + 2 * 2 + 28 + 12
    received = [
        obs("5.2a", "", 1, 1, sex=Sex.FEMALE),
        obs("2.1", "", 1, 2),
        *[obs("6.3", "Đăk Kôi", value=3, period=f"2024-Q{q}") for q in (1, 2, 3)],
        obs("3.3", "", na=True),  # answered "not applicable": received
    ]
    c = completeness(expected, received)
    assert (c.total.expected, c.total.received) == (60, 6)
    assert (c.by_sex["F"].expected, c.by_sex["F"].received, c.by_sex["M"].received) == (2, 1, 0)
    assert (c.by_unit["Đăk Kôi"].expected, c.by_unit["Đăk Kôi"].received) == (4, 3)
    assert c.by_unit["Tân Lập"].received == 0
    assert c.by_indicator["3.3"].share == 100
    assert any(m.indicator == "5.2a" and m.sex is Sex.MALE for m in c.missing)


def test_evaluate_plan_with_a_tree_uses_the_commune_roll_up():
    rows = [obs("2.1", c, 10, 20) for c in COMMUNES]
    evaluation = evaluate_plan(PLAN, rows, "2024", as_of=END, tree=kon_ray_tree())
    r = evaluation.result("2.1")
    assert (r.numerator, r.denominator, r.status) == (70, 140, Status.ACHIEVED)
    assert evaluation.issues == ()
    stray = evaluate_plan(
        PLAN, [*rows, obs("2.1", "Xã Mới", 1, 2, line=9)], "2024", as_of=END, tree=kon_ray_tree()
    )
    assert [(i.where, i.code) for i in stray.issues] == [("line 9", "unknown_unit")]


def test_spelling_variants_name_one_commune():
    rows = [obs("6.3", "Đắk Kôi", value=3, period=f"2024-Q{q}") for q in (1, 2)]
    rows += [obs("6.3", "xã Đăk Kôi", value=3, period=f"2024-Q{q}") for q in (3, 4)]
    result = evaluate_indicator(PLAN.indicator("6.3"), rows, "2024", as_of=END)
    assert result.units_meeting == ("Đắk Kôi",) and result.status is Status.ACHIEVED


def test_a_total_that_misses_proves_a_sex_misses():
    # Only the total was reported: 90 % < 100 %, so at least one group is below 100 %.
    result = evaluate_indicator(PLAN.indicator("5.2a"), [obs("5.2a", "", 90, 100)], "2024", as_of=END)
    assert result.status is Status.NOT_ACHIEVED
    # A total that meets proves nothing about each sex.
    result = evaluate_indicator(PLAN.indicator("5.2a"), [obs("5.2a", "", 100, 100)], "2024", as_of=END)
    assert result.status is Status.NO_DATA and not result.complete


def test_a_commune_reporting_by_sex_counts_in_the_total_next_to_one_reporting_a_total():
    # 6.1 (people reached) is about everyone: a unit's girls and boys make its total.
    # (2.1 used to be the example; it is a share of women, where an F row is the total: below.)
    rows = [
        obs("6.1", "Đăk Kôi", 10, 20),
        obs("6.1", "Tân Lập", 5, 10, sex=Sex.FEMALE),
        obs("6.1", "Tân Lập", 6, 10, sex=Sex.MALE),
        obs("6.1", "Đăk Pne", 7, 10, sex=Sex.FEMALE),  # boys missing: cannot be in the total
    ]
    result = evaluate_indicator(PLAN.indicator("6.1"), rows, "2024", as_of=END)
    assert (result.numerator, result.denominator) == (21, 40)
    assert "Đăk Pne" in result.rule and "Đăk Pne" in result.explanation
    assert [i.code for i in result.row_issues] == ["one_sex_only"]  # Đăk Pne's row, not silently


def test_sums_standing_for_units_below_are_never_named_as_a_unit():
    # web.rollups gives an area's units below as sums: a total per shape and, named apart, the
    # girls' and boys' sums (their units' totals are in the total already). Apart, each is "one
    # sex only"; no person reported it, so no note and no reason names it. A real unit still is.
    rows = [
        obs("6.1", "~T|2024", 30, 60),
        obs("6.1", "~F|2024", 14, 30, sex=Sex.FEMALE),
        obs("6.1", "~M|2024", 16, 30, sex=Sex.MALE),
        obs("6.1", "Đăk Pne", 7, 10, sex=Sex.FEMALE),  # boys missing
    ]
    result = evaluate_indicator(PLAN.indicator("6.1"), rows, "2024", as_of=END)
    assert (result.numerator, result.denominator) == (30, 60)
    assert "~" not in result.explanation and "~" not in result.rule and "Đăk Pne" in result.explanation
    assert [i.message for i in result.row_issues if "~" in i.message] == []
    assert [i.code for i in result.row_issues] == ["one_sex_only"]  # Đăk Pne's


def test_an_f_row_of_a_share_of_women_is_the_indicator_itself():
    # Issue 19.5: 2.1 is female wage workers ÷ employed women. A row tagged F is the figure;
    # a row tagged M has no meaning there and comes back as an issue.
    rows = [
        obs("2.1", "Đăk Kôi", 10, 20),
        obs("2.1", "Tân Lập", 5, 10, sex=Sex.FEMALE),
        obs("2.1", "Tân Lập", 6, 10, sex=Sex.MALE),
        obs("2.1", "Đăk Pne", 7, 10, sex=Sex.FEMALE),
    ]
    result = evaluate_indicator(PLAN.indicator("2.1"), rows, "2024", as_of=END)
    # (10 + 5 + 7) ÷ (20 + 10 + 10) = 22 ÷ 40 = 55 %
    assert (result.numerator, result.denominator, result.actual) == (22, 40, 55)
    assert [i.code for i in result.row_issues] == ["wrong_sex"]


def test_share_of_units_meeting_a_threshold_in_every_quarter_per_sex():
    from chitieu.periods import PeriodKind, sub_periods
    from chitieu.rollup import share_meeting, unit_series

    quarters = sub_periods("2024", PeriodKind.QUARTER)
    ind = PLAN.indicator("6.3")
    rows = [obs("6.3", "A", value=3, period=f"2024-Q{q}", sex=Sex.FEMALE) for q in (1, 2, 3, 4)]
    rows += [
        obs("6.3", "B", value=3 if q != 2 else 1, period=f"2024-Q{q}", sex=Sex.FEMALE) for q in (1, 2, 3, 4)
    ]
    rows += [obs("6.3", "C", value=5, period=f"2024-Q{q}", sex=Sex.FEMALE) for q in (1, 2, 3)]
    rows += [obs("6.3", "D", value=4, period="2024-Q1", sex=Sex.FEMALE)]
    rows += [obs("6.3", "D", na=True, period=f"2024-Q{q}", sex=Sex.FEMALE) for q in (2, 3, 4)]
    series = unit_series(ind, rows, ["A", "B", "C", "D"], quarters, sex=Sex.FEMALE)
    result = share_meeting(series, lambda v: v >= 3)
    assert (result.meeting, result.below, result.without_data) == (("A", "D"), ("B",), ("C",))
    assert result.share == 50
    # The same rows, for men: nobody reported.
    men = share_meeting(unit_series(ind, rows, ["A", "B"], quarters, sex=Sex.MALE), lambda v: v >= 3)
    assert men.without_data == ("A", "B") and men.share == 0


def test_not_applicable_quarters_neither_meet_nor_fail():
    rows = [obs("6.3", "Tân Lập", value=3, period="2024-Q1")]
    rows += [obs("6.3", "Tân Lập", na=True, period=f"2024-Q{q}") for q in (2, 3, 4)]
    result = evaluate_indicator(PLAN.indicator("6.3"), rows, "2024", as_of=END)
    assert result.status is Status.ACHIEVED and result.units_meeting == ("Tân Lập",)


def test_timeliness_against_the_deadline_of_each_level():
    from chitieu.observation_csv import read_observations_csv
    from chitieu.periods import DEFAULT_CALENDAR

    text = (
        "indicator,period,org_unit,value,submitted\n"
        "6.3,2024-Q3,Đăk Kôi,3,15/09/2024\n"  # commune, quarterly: due 15/09 → on time
        "6.3,2024-Q3,Tân Lập,3,16/09/2024\n"  # a day late
        "6.3,2024-Q3,Đăk Pne,3,\n"  # no date: received, timeliness unknown
        "2.1,2024,,52,2024-12-05\n"  # district, annual: due 05/12 → on time
    )
    rows, issues = read_observations_csv(text)
    assert issues == [] and rows[0].submitted == date(2024, 9, 15)
    expected = expected_reports(PLAN, "2024", units=COMMUNES)
    c = completeness(expected, rows, calendar=DEFAULT_CALENDAR)
    assert (c.on_time.expected, c.on_time.received) == (3, 2)
    assert [(x.report.org_unit, x.submitted, x.deadline) for x in c.late] == [
        ("Tân Lập", date(2024, 9, 16), date(2024, 9, 15))
    ]
    assert c.as_dict()["late"][0]["deadline"] == "2024-09-15"
    _, bad = read_observations_csv("indicator,period,value,ngày gửi\n2.1,2024,5,31/02/2024\n")
    assert [(i.where, i.code) for i in bad] == [("line 2", "bad_date")]
