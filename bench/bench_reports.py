"""The annual report of a 20-indicator district (the Kon Rẫy plan, 7 communes, 2021–2024 figures).

Goal: under 3 s per format, from plan + observations to the file's bytes
(build the model, draw the charts, render). Chart images are not reused
between runs or formats, so every run pays for matplotlib's drawing.
Figures are medians, wall clock, in one warm process (as in the web app).
"""

from __future__ import annotations

import statistics
import time

from chitieu.reports import render
from chitieu.reports.build import build_report
from tests.reports.district import kon_ray_plan, observations

RUNS = 5


def main() -> None:
    plan = kon_ray_plan()
    rows = observations(plan)
    print(f"plan: {len(plan.indicators)} indicators, {len(rows)} observations")
    started = time.perf_counter()
    model = build_report(plan, rows, "2024")
    print(f"{'build the report model':32s} {time.perf_counter() - started:6.2f} s (first run, cold)")
    for fmt in ("docx", "xlsx", "pdf"):
        render(model, fmt)  # warm-up: imports, font caches
        times = []
        size = 0
        for _ in range(RUNS):
            start = time.perf_counter()
            size = len(render(build_report(plan, rows, "2024"), fmt))
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        verdict = "ok" if median < 3 else "SLOWER THAN GOAL"
        print(
            f"{fmt + ' (build + charts + render)':32s} median {median:6.2f} s   max {max(times):6.2f} s"
            f"   {size / 1024:6.0f} KiB   ({RUNS} runs; goal < 3 s: {verdict})"
        )
