"""Reading the Kon Rẫy annex: text file, and the Word and Excel versions the tests build.

Goal: well under 100 ms per read. Figures are medians over many runs.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

from chitieu.importer import read_plan, read_plan_bytes
from tests.core import annex_files, kon_ray


def _median_ms(work: Callable[[], object], runs: int) -> tuple[float, float]:
    work()  # warm-up: imports and caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times)


def main() -> None:
    annex = annex_files.real_annex()
    docx = annex_files.build_docx(annex)
    xlsx = annex_files.build_xlsx(annex)
    cases = [
        ("text annex (real file, read_plan)", lambda: read_plan(kon_ray.ANNEX), 200),
        ("docx annex (read_plan_bytes)", lambda: read_plan_bytes(docx, "a.docx"), 50),
        ("xlsx annex (read_plan_bytes)", lambda: read_plan_bytes(xlsx, "a.xlsx"), 50),
    ]
    for label, work, runs in cases:
        median, worst = _median_ms(work, runs)
        print(f"{label:40s} median {median:7.2f} ms   max {worst:7.2f} ms   ({runs} runs)")
