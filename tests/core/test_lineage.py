"""A unit's series across the reorganisation: predecessors combined by ratio of sums; a split labelled."""

from datetime import date
from decimal import Decimal as D

from chitieu.lineage import Link, lineage_trend, sources_in
from chitieu.observations import Observation
from tests.core.konray import konray_plan

PLAN = konray_plan()
JULY = date(2025, 7, 1)
# A and B merged into M on 1 July 2025; S split into S1 and S2; T renamed (same unit); R transferred to R2.
LINKS = [
    Link("A", "M", "merger", JULY),
    Link("B", "M", "merger", JULY),
    Link("S", "S1", "split", JULY),
    Link("S", "S2", "split", JULY),
    Link("R", "R2", "transfer", JULY),
]


def obs(unit, period, num, den):
    return Observation("2.1", period, unit, None, D(num), D(den))


def test_before_the_date_the_predecessors_stand_for_the_new_unit():
    assert sources_in("M", LINKS, date(2024, 1, 1), date(2024, 12, 31)).units == ("A", "B")
    assert sources_in("R2", LINKS, date(2024, 1, 1), date(2024, 12, 31)).units == ("R",)


def test_after_the_date_the_unit_alone_and_across_it_both():
    assert sources_in("M", LINKS, date(2026, 1, 1), date(2026, 12, 31)).units == ("M",)
    assert not sources_in("M", LINKS, date(2026, 1, 1), date(2026, 12, 31)).crosses
    assert sources_in("M", LINKS, date(2025, 1, 1), date(2025, 12, 31)).units == ("M", "A", "B")


def test_a_split_shows_the_predecessor_s_whole_series_labelled():
    sources = sources_in("S1", LINKS, date(2024, 1, 1), date(2024, 12, 31))
    assert sources.units == ("S",) and sources.split_from == ("S",) and sources.crosses


def test_the_trend_of_a_merged_commune_is_a_ratio_of_sums_never_an_average():
    rows = {
        "A": [obs("A", "2024", 9, 10)],  # 90 %
        "B": [obs("B", "2024", 400, 1000)],  # 40 %
        "M": [obs("M", "2026", 30, 60)],
    }
    points = lineage_trend(PLAN.indicator("2.1"), "M", LINKS, rows, ["2024", "2026"])
    # 2024: (9 + 400) / (10 + 1000) = 409/1010 = 40,50 % (the average of 90 % and 40 % would be 65 %).
    assert (points[0].figure.numerator, points[0].figure.denominator) == (409, 1010)
    assert round(points[0].figure.value, 2) == D("40.50") and points[0].sources.units == ("A", "B")
    # 2026: M's own 30/60 = 50 %.
    assert points[1].figure.value == 50 and points[1].sources.units == ("M",)


def test_a_split_divides_nothing():
    rows = {"S": [obs("S", "2024", 30, 100)]}
    (point,) = lineage_trend(PLAN.indicator("2.1"), "S2", LINKS, rows, ["2024"])
    # S's whole 30/100 = 30 %, not half of its numbers: S2 shows its predecessor's series, labelled.
    assert (point.figure.numerator, point.figure.denominator, point.figure.value) == (30, 100, 30)
    assert point.sources.split_from == ("S",)
