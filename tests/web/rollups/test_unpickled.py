"""Stored verdicts are unpickled with the garbage collector paused, and it is left as it was found."""

from __future__ import annotations

import gc
import pickle
from decimal import Decimal

from chitieu.evaluation.results import IndicatorResult, PartResult
from chitieu.evaluation.verdict import Status
from web.rollups.selectors import _unpickled

RESULT = IndicatorResult(
    indicator="6.3",
    period="2024",
    status=Status.ACHIEVED,
    units=tuple(PartResult(f"Xã {n}", Status.EXCEEDED, Decimal(n)) for n in range(200)),
)


def test_the_result_comes_back_whole_and_the_collector_runs_again():
    assert gc.isenabled()
    assert _unpickled(pickle.dumps(RESULT)) == RESULT
    assert gc.isenabled()


def test_a_blob_from_another_version_is_none_and_the_collector_runs_again():
    assert _unpickled(b"not a pickle") is None
    assert gc.isenabled()


def test_a_collector_paused_by_the_caller_stays_paused():
    gc.disable()
    try:
        assert _unpickled(pickle.dumps(RESULT)) == RESULT
        assert not gc.isenabled()
    finally:
        gc.enable()
