"""A progress line on stderr for the loading commands: lines, lines per second, time left."""

from __future__ import annotations

import time


def _grouped(n: float) -> str:
    return f"{n:,.0f}".replace(",", ".")  # Vietnamese grouping: 1.234.567


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds))
    return f"{seconds // 3600:d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


class ProgressBar:
    """Called as ``progress(lines, bytes_read, bytes_total)``; redraws at most a few times a second.

    On a terminal the line is redrawn in place; otherwise (a log file, a test) a line is
    written every ``every`` seconds, so the output stays short.
    """

    def __init__(self, stream, label: str, every: float | None = None):
        self.stream, self.label = stream, label
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.every = every if every is not None else (0.25 if self.tty else 5.0)
        self.started = time.monotonic()
        self.last = 0.0
        self.lines = 0

    def __call__(self, lines: int, done: int, total: int) -> None:
        self.lines = lines
        now = time.monotonic()
        if now - self.last < self.every and done < total:
            return
        self.last = now
        elapsed = max(now - self.started, 1e-9)
        rate = lines / elapsed
        text = f"{self.label}: {_grouped(lines)} dòng, {_grouped(rate)} dòng/s"
        if total and done:
            share = min(done / total, 1.0)
            bar = "#" * int(share * 20)
            left = elapsed * (1 - share) / share if share else 0
            text += f" [{bar:<20}] {share:4.0%}, còn {_clock(left)}"
        self.stream.write(("\r" + text) if self.tty else text + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self.stream.write("\n")
            self.stream.flush()
