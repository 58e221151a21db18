"""SQLite: the per-line checks of a big load spread over worker processes.

The quick path of ``_Load.read_lines`` asks two kinds of questions of a line. Most need
nothing but the line and the plan: is the code known, the period readable, the unit found
and assigned, the sex as the indicator wants it, are the numbers plain, and what does the
figure rule (``FigureRule.accept_plain``) make of them. Those run here, in workers, on chunks
of lines. The rest depend on the lines before (a report created by an earlier line, a repeated
line, an error already found) and on the database: they stay in the loading process, which
takes the workers' answers in line order and writes in its one transaction.

Each worker receives the plan's rules and the area's units once, when it starts; a chunk
goes out as (line number, cells) and comes back as one answer per line: ``BLANK``, ``None``
(the line is for the general reader, in the loading process, which words its messages), or
what the quick path would store. So a file with bad lines is reported exactly as without
workers, with the same line numbers.
"""

from __future__ import annotations

import multiprocessing
import os
import unicodedata
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice

from chitieu.figures import FigureRule
from web.data.loading.plain_numbers import quick_value

BLANK = 0  # the answer for a blank line (not counted, as in read_lines)
CHUNK = 5_000  # lines a worker checks at a time
MIN_BYTES = 4 << 20  # smaller files are read in one process: starting workers would cost more


@dataclass(frozen=True)
class LineRule:
    """What a worker needs of one indicator (no Django object: it is pickled once per worker)."""

    index: int
    by_sex: bool
    communes: bool
    lead_ids: frozenset[int]
    figure: FigureRule


@dataclass(frozen=True)
class LinePlan:
    rules: dict[str, LineRule]
    units: object  # web.data.loading.area.AreaUnits: plain dicts of AreaUnit, no Django object
    area_id: int
    commune: str
    width: int
    indexes: tuple[int, ...]
    sexes: dict[str, str]
    decimal_comma: bool


_plan: LinePlan | None = None


def _start(plan: LinePlan) -> None:
    global _plan
    _plan = plan


def check_lines(chunk: list[tuple[int, list[str]]]) -> list[object]:
    """One answer per line (see the module's docstring); runs in a worker."""
    plan = _plan
    assert plan is not None
    rules, find, sexes = plan.rules, plan.units.find, plan.sexes  # type: ignore[attr-defined]
    width, area_id, commune, decimal_comma = plan.width, plan.area_id, plan.commune, plan.decimal_comma
    ci, cp, cu, cs, cn, cd, cv, cnote = plan.indexes
    padding = [""] * (width + 1)
    answers: list[object] = []
    for _line, cells in chunk:
        n = len(cells)
        if n < width:
            cells = cells + padding[n:]
        elif n == width:
            cells = [*cells, ""]
        code = cells[ci].strip()
        if not code and not any(c.strip() for c in cells):
            answers.append(BLANK)
            continue
        rule = rules.get(code)
        sex = sexes.get(cells[cs].strip())
        unit_text = cells[cu].strip()
        unit = find(unit_text)
        if n > width or rule is None or sex is None or isinstance(unit, tuple):
            answers.append(None)
            continue
        if (sex != "") != rule.by_sex or not (
            unit.id in rule.lead_ids or (unit.kind == commune if rule.communes else unit.id == area_id)
        ):
            answers.append(None)
            continue
        t_num, t_den, t_val = cells[cn].strip(), cells[cd].strip(), cells[cv].strip()
        value = quick_value(rule.figure, t_num, t_den, t_val, decimal_comma)
        if not value:
            answers.append(None)
            continue
        note = cells[cnote].strip()
        if not note.isascii():
            note = unicodedata.normalize("NFC", note)
        answers.append(
            (
                unit.id,
                cells[cp].strip(),
                rule.index,
                code,
                sex,
                t_num or None,
                t_den or None,
                value,
                note,
            )
        )
    return answers


def workers() -> int:
    """Worker processes for a big SQLite load: ``CHITIEU_LOAD_WORKERS``, 0 (none) unless set.

    Off by default because, measured on the 2-core bench machine shared with other work, the
    load took twice as long with 1 or 2 workers as without: the loading process still reads
    every line, sends it and takes back its answer, and that traffic costs it more than the
    checks it no longer makes (see bench/LOAD-PROFILE.md). Worth trying on more cores."""
    text = os.environ.get("CHITIEU_LOAD_WORKERS", "").strip()
    return int(text) if text.isdigit() else 0


def checked(
    plan: LinePlan, records: Iterable[tuple[int, list[str]]], processes: int
) -> Iterator[tuple[int, list[str], object]]:
    """(line, cells, answer) for every record, in order, the answers computed by ``processes`` workers.

    Chunks are sent ahead (two per worker) so the workers never wait for the loading process."""
    context = multiprocessing.get_context(
        "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    )
    records = iter(records)
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_start, initargs=(plan,)) as pool:
        pending = []
        while True:
            while len(pending) < 2 * processes:
                chunk = list(islice(records, CHUNK))
                if not chunk:
                    break
                pending.append((chunk, pool.submit(check_lines, chunk)))
            if not pending:
                return
            chunk, future = pending.pop(0)
            for (line, cells), answer in zip(chunk, future.result(), strict=True):
                yield line, cells, answer
