"""Run the benchmarks: every bench/bench_*.py module's ``main()``, or only those named on the command line."""

from __future__ import annotations

import importlib
import os
import platform
import sys
from pathlib import Path


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    names = sorted(p.stem for p in here.glob("bench_*.py"))
    wanted = [n for n in names if not argv or any(a in n for a in argv)]
    print(f"machine: {machine()}")
    for name in wanted:
        print(f"\n== {name}")
        importlib.import_module(f"bench.{name}").main()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
