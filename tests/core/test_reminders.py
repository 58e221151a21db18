"""Due and late report items, and the key that keeps a reminder from going out twice."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu.names import fold
from chitieu.reminders import (
    DueItem,
    ReportItem,
    ReportState,
    Stage,
    classify,
    due_item_key,
    due_items,
    not_yet_sent,
)

COMMUNES = ["Đăk Kôi", "Đăk Pne", "Tân Lập"]
Q3_DEADLINE = date(2024, 9, 14)  # quarterly window closes on the 14th of the last month


def _expected():
    return [ReportItem("6.3", "2024-Q3", c, responsible=f"UBND xã {c}") for c in COMMUNES] + [
        ReportItem("5.2a", "2024", "", sex, responsible="Phòng Giáo dục và Đào tạo") for sex in ("F", "M")
    ]


def _deadline(item: ReportItem) -> date | None:
    return {"2024-Q3": Q3_DEADLINE, "2024": date(2024, 12, 14)}.get(item.period)


@pytest.mark.parametrize(
    ("state", "as_of", "expected"),
    [
        (ReportState.MISSING, date(2024, 9, 1), None),  # 13 days left: too early
        (ReportState.MISSING, date(2024, 9, 7), (Stage.DUE, 7)),
        (ReportState.MISSING, date(2024, 9, 14), (Stage.DUE, 0)),  # the deadline day itself is on time
        (ReportState.MISSING, date(2024, 9, 15), (Stage.LATE, 1)),
        (ReportState.DRAFT, date(2024, 10, 14), (Stage.LATE, 30)),
        (ReportState.RETURNED, date(2024, 9, 20), (Stage.LATE, 6)),
        (ReportState.SUBMITTED, date(2024, 10, 14), None),
        (ReportState.APPROVED, date(2024, 10, 14), None),
    ],
)
def test_classify(state, as_of, expected):
    assert classify(state, Q3_DEADLINE, as_of=as_of) == expected


def test_no_deadline_means_no_reminder():
    assert classify(ReportState.MISSING, None, as_of=date(2030, 1, 1)) is None


def test_due_items_lists_only_what_is_owed():
    states = {
        ReportItem("6.3", "2024-Q3", "Đăk Kôi"): ReportState.APPROVED,
        # the same commune written with another spelling and decomposed Unicode
        ReportItem("6.3", "2024-Q3", "Ðắk  Pne"): ReportState.SUBMITTED,
        ReportItem("5.2a", "2024", "", "F"): ReportState.RETURNED,
    }
    due = due_items(_expected(), states, _deadline, as_of=date(2024, 9, 20))
    assert [(d.item.org_unit, d.stage, d.days, d.state) for d in due] == [
        ("Tân Lập", Stage.LATE, 6, ReportState.MISSING)
    ]
    assert due[0].item.responsible == "UBND xã Tân Lập"
    later = due_items(_expected(), states, _deadline, as_of=date(2024, 12, 10))
    assert [(d.item.indicator, d.item.sex, d.stage, d.state) for d in later] == [
        ("6.3", "", Stage.LATE, ReportState.MISSING),
        ("5.2a", "F", Stage.DUE, ReportState.RETURNED),
        ("5.2a", "M", Stage.DUE, ReportState.MISSING),
    ]


def test_keys_are_stable_and_distinguish_items_and_stages():
    item = ReportItem("6.3", "2024-Q3", "Đăk Kôi")
    # Fixed value: the key is stored in the database and must never change between releases.
    assert due_item_key(item, Stage.LATE) == "c646711caea38c1d4f4ac0d3a36823699917bbce"
    assert due_item_key(item, Stage.LATE) == due_item_key(ReportItem("6.3", "2024-Q3", "Đắk Kôi"), Stage.LATE)
    assert len(due_item_key(item, Stage.LATE)) == 40
    others = [
        due_item_key(item, Stage.DUE),
        due_item_key(ReportItem("6.3", "2024-Q2", "Đăk Kôi"), Stage.LATE),
        due_item_key(ReportItem("6.3", "2024-Q3", "Đăk Pne"), Stage.LATE),
        due_item_key(ReportItem("6.3", "2024-Q3", "Đăk Kôi", "F"), Stage.LATE),
        due_item_key(ReportItem("6.4", "2024-Q3", "Đăk Kôi"), Stage.LATE),
    ]
    assert len({due_item_key(item, Stage.LATE), *others}) == 6


def test_a_second_run_sends_nothing_new():
    due = due_items(_expected(), {}, _deadline, as_of=date(2024, 9, 20))
    assert len(due) == 3
    first = not_yet_sent(due + due, [])  # listed twice, still once each
    assert [d.item.org_unit for d in first] == COMMUNES
    sent = [d.key for d in first]
    assert not_yet_sent(due, sent) == []
    # When the deadline passes for the yearly items, they are new items to remind about.
    later = due_items(_expected(), {}, _deadline, as_of=date(2024, 12, 15))
    assert [d.item.indicator for d in not_yet_sent(later, sent)] == ["5.2a", "5.2a"]


def test_fold_matches_spelling_variants():
    assert fold("Đắk  Tơ Lung") == fold("đăk tờ lung") == fold("Ðăk Tơ Lung") == "dak to lung"


@settings(max_examples=80, deadline=None)
@given(
    st.sampled_from(list(ReportState)),
    st.dates(min_value=date(2024, 1, 1), max_value=date(2025, 12, 31)),
    st.integers(min_value=0, max_value=30),
)
def test_received_items_are_never_reminded_and_late_means_past_the_deadline(state, as_of, before):
    result = classify(state, Q3_DEADLINE, as_of=as_of, remind_before=before)
    if state in (ReportState.SUBMITTED, ReportState.APPROVED):
        assert result is None
    elif as_of > Q3_DEADLINE:
        assert result == (Stage.LATE, (as_of - Q3_DEADLINE).days)
    elif (Q3_DEADLINE - as_of).days <= before:
        assert result == (Stage.DUE, (Q3_DEADLINE - as_of).days)
    else:
        assert result is None


def test_due_item_key_property_matches_function():
    item = ReportItem("6.3", "2024-Q3", "Tân Lập")
    due = DueItem(item, Stage.LATE, Q3_DEADLINE, ReportState.MISSING, 3)
    assert due.key == due_item_key(item, Stage.LATE)
