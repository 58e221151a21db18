"""PostgreSQL: a plain file loaded without a line of it going through Python.

Most bulk files are written by a program: one record a line, known codes, known units,
plain numbers, new reports. For such a file the loader's quick path (``_Load.read_lines``)
would take every line without ever calling the general reader; here the same conditions
are asked in SQL of all lines at once:

1. the file's bytes are copied as they are into an UNLOGGED table, one text per line, its
   number given by the order of the COPY (the file has no quote, so a record is a line);
2. the distinct period and unit texts are read back and resolved in Python, by the loader's
   own rules (``_Load.period``, ``AreaUnits.find``) — a few hundred or thousand names;
3. one statement splits and trims every line (Python's ``str.strip``: the same whitespace)
   and keeps, for each, what the quick path would have stored — or marks it as a line the
   quick path would have left to the general reader;
4. if every line is one the quick path takes, the reports are inserted in one statement and
   the figures handed to ``stage`` (the figure rule in SQL, one INSERT … SELECT), as the
   line path hands the lines it stages.

Anything else — one line for the general reader, a figure the rule refuses, a repeated line
(the unique key refuses it), a database error while copying (a stray byte, mixed line
ends) — rolls back to the savepoint taken before step 1 and the file is loaded by the
line-by-line path, which names every bad line with its own messages. So this path never
reports an error itself: it either stores what the other path would have stored, or declines.
"""

from __future__ import annotations

import os
import sys
import uuid
from dataclasses import dataclass
from functools import cache

from django.db import DatabaseError, IntegrityError, connection, transaction

from web.data.loading.area import AreaUnit
from web.data.loading.stage import Stored, staged_refusals, staged_store
from web.data.models import Submission
from web.orgs.models import UnitKind


@cache
def whitespace() -> str:
    """Exactly the characters str.strip() removes (str.isspace): a note is taken as it is only if it
    neither starts nor ends with one. Worked out once, on first use (it reads all of Unicode)."""
    return "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())


_CHUNK = 1 << 20
# COPY in CSV format with a delimiter and a quote that a plain file does not hold: a line is one text.
_COPY_OPTIONS = "FORMAT csv, HEADER true, DELIMITER E'\\x01', QUOTE E'\\x02'"
_SUB_COLUMNS = (
    "plan_id, org_unit_id, period_key, period_start, period_end, state, revision,"
    " submitted_at, submitted_by_id, decided_at, decided_by_id, reason"
)


class _Declined(Exception):
    """The file is not plain: roll back to the savepoint and load it line by line."""


@dataclass
class PlainLoad:
    rows: int
    submissions: int
    stored: Stored
    periods: set[str]
    units: set[int]


def enabled() -> bool:
    """``CHITIEU_LOAD_IN_SQL=1`` turns this path on; it is off by default.

    Measured at 5 % of the country on the shared 2-core machine (bench/LOAD-PROFILE.md), it
    took the figures in twice the time of the line-by-line path (10.9–11.5 s against
    4.9–5.9 s): there, Python reads the lines while PostgreSQL copies the previous batch, two
    cores at work; here one backend does every step alone, and the statement that splits and
    judges the lines costs more than Python's quick path. Again in session 8, against the line
    path that copies the quick path's figures straight in: 11.2–14.7 s against 5.4–7.3 s
    (load 7.5, back-to-back). Kept, tested equal, for a machine with more cores or once that
    statement is cheaper."""
    return os.environ.get("CHITIEU_LOAD_IN_SQL", "").strip() == "1"


def plain_copy_possible(load) -> bool:
    """Whether the file can be copied as it is: bytes or a path, UTF-8, no quote, no COPY end mark,
    the header on the first line, decimals with a point, a UTF-8 database."""
    source = load.source
    return (
        enabled()
        and connection.vendor == "postgresql"
        and source._rows is None
        and source.encoding == "utf-8-sig"
        and not source.has_quote
        and not source.has_end_mark
        and load.header_line == 1
        and not load.decimal_comma
        and load.source.delimiter in (",", ";", "\t")
    )


def plain_copy_load(load) -> PlainLoad | None:
    """Load the whole file set-based if the quick path would take every line; None if it would not
    (nothing of this attempt is left: the savepoint is rolled back)."""
    raw = f"data_load_raw_{uuid.uuid4().hex}"
    try:
        # wrap_database_errors: the COPY uses the driver's cursor; its errors become Django's here.
        with connection.wrap_database_errors, transaction.atomic():
            return _load(load, raw)
    except (_Declined, IntegrityError):
        return None
    except DatabaseError:
        if connection.needs_rollback or not connection.is_usable():
            raise
        return None


def _load(load, raw: str) -> PlainLoad:
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor
        # A line's number is its place in the COPY (the header, skipped, is line 1).
        cursor.execute(
            f"CREATE UNLOGGED TABLE {raw} (line bigint GENERATED ALWAYS AS IDENTITY (START 2), raw text)"
        )
        with (
            load.source._binary() as binary,
            load.source._raw,
            cursor.copy(f"COPY {raw} (raw) FROM STDIN ({_COPY_OPTIONS})") as copy,
        ):
            while chunk := binary.read(_CHUNK):
                copy.write(chunk)
        delimiter = load.source.delimiter
        ci, cp, cu, cs, cn, cd, cv, cnote = (i + 1 for i in load.indexes)  # SQL counts from 1
        # The cells that name things, as written (untrimmed), once each: Python reads each
        # spelling by the loader's own rules, and SQL only looks them up.
        cursor.execute(
            f"""SELECT which, array_agg(text) FROM (
                    SELECT DISTINCT which, text FROM {raw},
                           LATERAL (VALUES (1, split_part(raw, %(d)s, {ci})),
                                           (2, split_part(raw, %(d)s, {cp})),
                                           (3, split_part(raw, %(d)s, {cu})),
                                           (4, split_part(raw, %(d)s, {cs}))) AS named(which, text)
                     WHERE raw IS NOT NULL) named
                 GROUP BY which""",
            {"d": delimiter},
        )
        texts = dict(cursor.fetchall())
        rules = [(t, load.rules.get(t.strip())) for t in texts.get(1, ())]
        rules = [(t, r) for t, r in rules if r is not None]
        periods = [(t, load.period(t.strip())) for t in texts.get(2, ())]
        periods = [(t, p) for t, p in periods if p is not None]
        units = [(t, load.units.find(t.strip())) for t in texts.get(3, ())]
        units = [(t, u) for t, u in units if isinstance(u, AreaUnit)]
        sexes = [(t, load.sexes.get(t.strip())) for t in texts.get(4, ())]
        sexes = [(t, x) for t, x in sexes if x is not None]
        leads = [(r.index, unit) for r in load.rules.values() for unit in r.lead_ids]
        params = {
            "ws": whitespace(),
            "d": delimiter,
            "width": load.width,
            "p_text": [t for t, _ in periods],
            "p_key": [p.key for _, p in periods],
            "p_start": [p.start for _, p in periods],
            "p_end": [p.end for _, p in periods],
            "u_text": [t for t, _ in units],
            "u_id": [u.id for _, u in units],
            "u_kind": [u.kind for _, u in units],
            "u_from": [u.valid_from for _, u in units],
            "u_to": [u.valid_to for _, u in units],
            "r_text": [t for t, _ in rules],
            "r_code": [r.code for _, r in rules],
            "r_index": [r.index for _, r in rules],
            "r_sex": [r.by_sex for _, r in rules],
            "r_communes": [r.communes for _, r in rules],
            "r_count": [r.figure.is_count for _, r in rules],
            "l_rule": [i for i, _ in leads],
            "l_unit": [u for _, u in leads],
            "s_text": [t for t, _ in sexes],
            "s_sex": [x for _, x in sexes],
            "area": load.units.area_id,
            "commune": UnitKind.COMMUNE.value,
            "plan": load.plan.pk,
        }
        lines = f"{raw}_lines"
        # What the quick path asks of a line, in its order (NULL, from a name not found, is false).
        # Numbers are taken only as plain digits with no space around them, and a note only if
        # str.strip() would leave it as it is: anything else is for the line-by-line path.
        cursor.execute(
            f"""CREATE UNLOGGED TABLE {lines} AS
            WITH cells AS MATERIALIZED (
                SELECT line, raw IS NULL AS blank, coalesce(array_length(c, 1), 0) AS n,
                       coalesce(c[{ci}], '') AS code, coalesce(c[{cp}], '') AS period,
                       coalesce(c[{cu}], '') AS unit, coalesce(c[{cs}], '') AS sex_text,
                       coalesce(c[{cn}], '') AS num, coalesce(c[{cd}], '') AS den,
                       coalesce(c[{cv}], '') AS val, coalesce(c[{cnote}], '') AS note
                  FROM (SELECT line, raw, string_to_array(raw, %(d)s) AS c FROM {raw}) split
            ),
            judged AS (
                SELECT l.line, l.blank, l.num, l.den, l.val, l.note, r.code, s.sex,
                       r.idx AS rule, u.id AS unit_id, p.key AS period_key, p.p_start, p.p_end,
                       coalesce(
                           r.idx IS NOT NULL AND p.key IS NOT NULL AND u.id IS NOT NULL AND s.sex IS NOT NULL
                           AND l.n <= %(width)s
                           AND (s.sex <> '') = r.by_sex
                           AND (a.rule IS NOT NULL
                                OR CASE WHEN r.communes THEN u.kind = %(commune)s ELSE u.id = %(area)s END)
                           AND (l.num = '' OR l.num ~ '^[0-9]{{1,13}}$')
                           AND (l.den = '' OR l.den ~ '^[0-9]{{1,13}}$')
                           AND (l.val = '' OR l.val ~ '^[0-9]{{1,14}}$'
                                OR NOT r.is_count AND l.val ~ '^[0-9]{{1,14}}\\.[0-9]{{1,6}}$')
                           AND (l.num <> '' OR l.val <> '')
                           AND (l.den = '' OR l.den ~ '[1-9]')
                           AND NOT coalesce(u.valid_from > p.p_end, false)
                           AND NOT coalesce(u.valid_to < p.p_start, false)
                           AND (l.note = '' OR strpos(%(ws)s, left(l.note, 1)) = 0
                                AND strpos(%(ws)s, right(l.note, 1)) = 0 AND l.note IS NFC NORMALIZED),
                           false) AS ok
                  FROM cells l
                  LEFT JOIN unnest(%(r_text)s::text[], %(r_code)s::text[], %(r_index)s::int[],
                                   %(r_sex)s::bool[], %(r_communes)s::bool[], %(r_count)s::bool[])
                            AS r(text, code, idx, by_sex, communes, is_count) ON r.text = l.code
                  LEFT JOIN unnest(%(p_text)s::text[], %(p_key)s::text[], %(p_start)s::date[],
                                   %(p_end)s::date[]) AS p(text, key, p_start, p_end) ON p.text = l.period
                  LEFT JOIN unnest(%(u_text)s::text[], %(u_id)s::bigint[], %(u_kind)s::text[],
                                   %(u_from)s::date[], %(u_to)s::date[])
                            AS u(text, id, kind, valid_from, valid_to) ON u.text = l.unit
                  LEFT JOIN unnest(%(s_text)s::text[], %(s_sex)s::text[]) AS s(text, sex)
                         ON s.text = l.sex_text
                  LEFT JOIN unnest(%(l_rule)s::int[], %(l_unit)s::bigint[]) AS a(rule, unit)
                         ON a.rule = r.idx AND a.unit = u.id
            )
            SELECT line, blank, ok, rule, unit_id, period_key, p_start, p_end, code AS indicator_code, sex,
                   CASE WHEN ok AND num <> '' THEN num::numeric END AS numerator,
                   CASE WHEN ok AND den <> '' THEN den::numeric END AS denominator,
                   CASE WHEN ok AND val <> '' THEN val::numeric END AS value,
                   note, false AS existing
              FROM judged""",
            params,
        )
        cursor.execute(
            f"""SELECT count(*) FILTER (WHERE NOT blank), count(*) FILTER (WHERE NOT blank AND NOT ok),
                       EXISTS (SELECT 1 FROM {lines} l JOIN {Submission._meta.db_table} s
                                   ON s.plan_id = %(plan)s AND s.org_unit_id = l.unit_id
                                  AND s.period_key = l.period_key WHERE l.ok)
                  FROM {lines}""",
            params,
        )
        rows, general, existing = cursor.fetchone()
        if general or existing:
            raise _Declined
        tail = load.submission_tail()
        sub_table = Submission._meta.db_table
        cursor.execute(
            f"""WITH made AS (
                    INSERT INTO {sub_table} ({_SUB_COLUMNS})
                    SELECT %(plan)s, unit_id, period_key, min(p_start), min(p_end),
                           %(t0)s, %(t1)s, %(t2)s, %(t3)s, %(t4)s, %(t5)s, %(t6)s
                      FROM {lines} WHERE NOT blank GROUP BY unit_id, period_key
                    RETURNING id, org_unit_id, period_key)
                SELECT count(*), array_agg(DISTINCT org_unit_id), array_agg(DISTINCT period_key) FROM made""",
            {**params, **{f"t{i}": value for i, value in enumerate(tail)}},
        )
        submissions, unit_ids, period_keys = cursor.fetchone()
        staged = f"{raw}_staged"
        cursor.execute(
            f"""CREATE UNLOGGED TABLE {staged} AS
                SELECT l.line, s.id AS submission_id, l.rule, l.indicator_code, l.sex,
                       l.numerator, l.denominator, l.value, l.note, l.existing
                  FROM {lines} l JOIN {sub_table} s
                    ON s.plan_id = %(plan)s AND s.org_unit_id = l.unit_id AND s.period_key = l.period_key
                 WHERE NOT l.blank""",
            params,
        )
        cursor.execute(f"DROP TABLE {raw}, {lines}")
    _refused, count = staged_refusals(staged, load.rules, 1)
    if count:
        raise _Declined  # the line-by-line path names every refused figure, with the other errors
    reason = f"bulk_load {load.source.name}".strip()
    stored = staged_store(staged, load.rules, actor=load.actor, reason=reason)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {staged}")
    return PlainLoad(rows, submissions, stored, set(period_keys or ()), set(unit_ids or ()))
