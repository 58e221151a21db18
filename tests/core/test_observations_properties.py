"""The CSV reader never raises: whatever people paste, they get issues with a place."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitieu.observation_csv import read_observations_csv
from tests.core.test_observations import HEADER

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CELLS = st.sampled_from(
    ["2.1", "2024", "2024-Q3", "", "nữ", "1,5", "1.234,5", "-1", "0", "abc", '"', "\x00", ";"]
)


def _checked(observations, issues):
    assert all(i.where for i in issues)
    assert all(o.source.startswith("line ") for o in observations)


@SETTINGS
@given(st.text(max_size=400) | st.text(alphabet='",;\t\n\r 2.1024Qnữx\ufeff', max_size=80))
def test_any_text_gives_rows_or_issues(text):
    _checked(*read_observations_csv(text))


@pytest.mark.parametrize("text", ["x" * 5000, "a\x00b", "/" * 300, "indicator,period,value"])
def test_one_line_that_is_no_file_name_is_read_as_csv(text):
    observations, issues = read_observations_csv(text)
    assert observations == [] and issues


def test_text_of_only_quotes_is_an_empty_file():
    assert [i.code for i in read_observations_csv('""\n""')[1]] == ["empty_file"]


@SETTINGS
@given(st.lists(st.lists(CELLS, min_size=0, max_size=10), max_size=8), st.sampled_from([",", ";", "\t"]))
def test_any_table_under_the_header_gives_rows_or_issues(rows, delimiter):
    text = HEADER.replace(",", delimiter) + "\n".join(delimiter.join(r) for r in rows)
    observations, issues = read_observations_csv(text)
    _checked(observations, issues)
    # every non-blank data line is either read or reported
    lines = {o.source for o in observations} | {i.where for i in issues}
    assert len(observations) <= len(rows)
    assert lines or not any("".join(r).strip(' "\x00') for r in rows)
