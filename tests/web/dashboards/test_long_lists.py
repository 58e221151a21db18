"""A verdict resting on thousands of communes names a few of them on the page, and says how many more.

At the nation a per-unit indicator (6.3: the share of communes meeting a threshold) rests on
every commune's every quarter: listing them all made the nation's dashboard 1.6 MB and three
seconds of template work for each first view, which took the national locust run down.
"""

from __future__ import annotations

from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import translation

from chitieu.evaluation.results import IndicatorResult, PartResult
from chitieu.evaluation.verdict import Status
from web.dashboards.templatetags.dashboards import LISTED_AT_MOST, first_few

COMMUNES = [f"Xã Số {n} ({n:05d})" for n in range(1, 3001)]


INDICATOR = {"code": "6.3", "unit_label": "%", "per_unit": True}  # what the template reads of it
PAGE = {"i": INDICATOR, "plan": {"pk": 7}, "period": "2024"}


def _result() -> IndicatorResult:
    return IndicatorResult(
        indicator="6.3",
        period="2024",
        status=Status.ACHIEVED,
        actual=Decimal("70"),
        sources=tuple(f"{c}, 2024-Q{q}" for c in COMMUNES for q in (1, 2, 3, 4)),
        units=tuple(PartResult(c, Status.ACHIEVED) for c in COMMUNES),
        units_meeting=tuple(COMMUNES[:2100]),
        units_missing_target=tuple(COMMUNES[2100:2900]),
        units_without_data=tuple(COMMUNES[2900:]),
        units_meeting_share=Decimal("0.7"),
    )


def test_first_few_keeps_the_head_and_counts_the_rest():
    assert first_few(["a", "b", "c"], 2) == {"shown": ["a", "b"], "more": 1}
    assert first_few(("a",), 2) == {"shown": ["a"], "more": 0}
    assert first_few(None) == {"shown": [], "more": 0}


def test_a_nations_explanation_lists_a_few_names_and_how_many_more():
    with translation.override("vi"):
        html = render_to_string("dashboards/_why.html", {"r": _result(), **PAGE})
    assert len(html) < 20_000, len(html)  # 12,000 sources and 3,000 communes listed: over 300 kB
    assert COMMUNES[0] in html and COMMUNES[LISTED_AT_MOST - 1] in html
    assert f"{COMMUNES[LISTED_AT_MOST]}," not in html  # the 51st commune meeting the threshold is not named
    assert "và 12.000 mục khác" not in html
    assert f"và {12_000 - LISTED_AT_MOST:,} mục khác".replace(",", ".") in html  # the sources
    assert f"và {2_100 - LISTED_AT_MOST:,} mục khác".replace(",", ".") in html  # meeting the threshold
    assert f"và {800 - LISTED_AT_MOST:,} mục khác".replace(",", ".") in html  # below it
    assert "và 50 mục khác" in html  # without figures: 100 communes, 50 named
    assert (
        html.count('href="/dashboards/plans/7/indicators/6.3/grid/?period=2024"') == 4
    )  # every list, in full


def test_a_districts_explanation_still_lists_every_name():
    few = IndicatorResult(
        indicator="6.3", period="2024", status=Status.ACHIEVED, sources=("Xã A, 2024-Q1", "Xã B, 2024-Q1")
    )
    with translation.override("vi"):
        html = render_to_string("dashboards/_why.html", {"r": few, **PAGE})
    assert "Xã A, Quý 1/2024" in html and "Xã B, Quý 1/2024" in html and "mục khác" not in html
