"""The set-based half of a PostgreSQL load: the staged figures judged and stored in a few statements.

The reading (web.data.loading.observations) has copied every line it could place — a known
indicator, unit, period and report — into the load's staging table, numbers as written.
Here the figure rule (``figure_sql``, proven equal to the core's) judges all of them in one
pass; refused lines come back with their number and the core's own message. When nothing is
refused, figures that replace stored ones are compared in one query (one audit entry per
changed field, through web.core.audit, as the entry form), updated in one statement, and
the rest inserted by one INSERT … SELECT.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from web.core.audit import audit_entries_save, audit_entry
from web.data.loading.area import IndicatorRule
from web.data.loading.errors import LoadIssue
from web.data.loading.figure_sql import figure_issue, problem_sql, rule_flags, stored_value_sql
from web.data.loading.writers import BIG_LOAD, observation_keys_add, observation_keys_drop
from web.data.models import Observation, Submission
from web.data.services import _differs, _plain

_STORED = stored_value_sql("s.numerator", "s.denominator", "s.value", "r.is_count", "r.factor")
_PROBLEM = problem_sql("s.numerator", "s.denominator", "s.value", "r.is_count", "r.is_percent", "r.factor")
_MATCH = "o.submission_id = s.submission_id AND o.indicator_code = s.indicator_code AND o.sex = s.sex"
_FIELDS = ("numerator", "denominator", "value", "note")


@dataclass
class Stored:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _rules_sql(rules: Iterable[IndicatorRule]) -> str:
    """The plan's rules as a VALUES list joined on the staged line's rule index (numbers only)."""
    rows = []
    for rule in rules:
        is_count, is_percent, factor = rule_flags(rule.figure)
        rows.append(f"({int(rule.index)}, {is_count}, {is_percent}, {Decimal(factor)!s}::numeric)")
    values = ", ".join(rows) or "(-1, false, false, 1::numeric)"
    return f"(VALUES {values}) AS r(rule, is_count, is_percent, factor)"


def staged_refusals(staging: str, rules: dict[str, IndicatorRule], limit: int) -> tuple[list[LoadIssue], int]:
    """The staged lines the figure rule refuses, in line order (at most ``limit``), and how many."""
    sql = f"""
        SELECT line, indicator_code, numerator, denominator, value, problem, stored,
               count(*) OVER () AS refused
          FROM (SELECT s.*, {_PROBLEM} AS problem, {_STORED} AS stored
                  FROM {staging} s JOIN {_rules_sql(rules.values())} ON r.rule = s.rule) judged
         WHERE problem IS NOT NULL
         ORDER BY line
         LIMIT %s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [limit])
        found = cursor.fetchall()
    issues = []
    for line, code, num, den, value, problem, stored, _ in found:
        issues.append(figure_load_issue(line, code, figure_issue(problem, num, den, value, stored)))
    return issues, (found[0][-1] if found else 0)


def figure_load_issue(line: int, code: str, issue) -> LoadIssue:
    """A refused figure as the load reports it: the core's message (naming the indicator where
    the message alone would not say which figure lacks its denominator)."""
    message = issue.message()
    if issue.code.value == "missing_denominator":
        message = f"chỉ tiêu {code}: {message}"
    return LoadIssue(line, message, issue.code.value)


def staged_store(staging: str, rules: dict[str, IndicatorRule], *, actor, reason: str) -> Stored:
    """Store the staged figures (all accepted): replace changed ones with their audit, insert the rest."""
    stored = Stored()
    joined = f"{staging} s JOIN {_rules_sql(rules.values())} ON r.rule = s.rule"
    table = Observation._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*), count(*) FILTER (WHERE existing) FROM {staging}")
        staged, existing = cursor.fetchone()
        if existing:
            stored.updated, stored.unchanged = _replace(cursor, joined, table, actor, reason)
        insert = f"""INSERT INTO {table}
                       (submission_id, indicator_code, sex, numerator, denominator, value, note)
                SELECT s.submission_id, s.indicator_code, s.sex, s.numerator, s.denominator, {_STORED}, s.note
                  FROM {joined}
                 WHERE NOT s.existing OR NOT EXISTS (SELECT 1 FROM {table} o WHERE {_MATCH})"""
        if staged >= BIG_LOAD:
            stored.created = _foreign_key_checked_once(cursor, table, insert)
        else:
            cursor.execute(insert)
            stored.created = cursor.rowcount
    return stored


def _foreign_key_checked_once(cursor, table: str, insert: str) -> int:
    """Run ``insert`` with the observations' foreign key to their reports checked once, set-based
    (web.data.loading.writers.observation_keys_drop says why)."""
    keys = observation_keys_drop(cursor)
    cursor.execute(insert)
    created = cursor.rowcount
    observation_keys_add(cursor, keys)
    return created


def _replace(cursor, joined: str, table: str, actor, reason: str) -> tuple[int, int]:
    """Figures of reports already there: (changed, unchanged); one audit entry per changed field."""
    cursor.execute(
        f"""SELECT o.id, s.submission_id, s.indicator_code, s.sex,
                   o.numerator, o.denominator, o.value, o.note,
                   s.numerator, s.denominator, {_STORED}, s.note
              FROM {joined} JOIN {table} o ON {_MATCH}
             WHERE s.existing"""
    )
    changed, audits, unchanged = [], [], 0
    for row in cursor.fetchall():
        obs_id, sub_id, code, sex, old, new = row[0], row[1], row[2], row[3], row[4:8], row[8:12]
        diffs = [(name, o, n) for name, o, n in zip(_FIELDS, old, new, strict=True) if _differs(o, n)]
        if not diffs:
            unchanged += 1
            continue
        changed.append(obs_id)
        audits += [
            audit_entry(
                actor=actor,
                action="figure_change",
                subject=Submission(pk=sub_id),
                field=f"{code}/{sex}/{name}",
                old=_plain(o),
                new=_plain(n),
                reason=reason,
            )
            for name, o, n in diffs
        ]
    if changed:
        cursor.execute(
            f"""UPDATE {table} o
                   SET numerator = s.numerator, denominator = s.denominator, value = {_STORED}, note = s.note
                  FROM {joined}
                 WHERE s.existing AND {_MATCH} AND o.id = ANY(%s)""",
            [changed],
        )
    audit_entries_save(audits)
    return len(changed), unchanged
