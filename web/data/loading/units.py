"""Loading a country's units (units.csv), parents first; units already there are kept."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction

from chitieu.names import name_key
from web.core import hooks
from web.core.audit import audit_record
from web.data.loading.csv_rows import csv_rows
from web.data.loading.errors import MAX_REPORTED, LoadError, LoadIssue
from web.data.loading.writers import refresh_statistics
from web.orgs.access import require_coordinator
from web.orgs.models import OrgUnit, UnitKind, UnitName


@dataclass
class UnitsResult:
    created: int = 0
    existing: int = 0


class NewUnit(NamedTuple):
    """A line of units.csv for a unit not yet in the database."""

    line: int
    code: str
    name: str
    kind: str
    parent_code: str


UNIT_COLUMNS = ("code", "name", "kind", "parent_code")


def units_load(*, rows_or_path, actor=None) -> UnitsResult:
    """Load units.csv (code,name,kind,parent_code; parents first); units already there (same code) are kept.

    All or nothing: a bad line (unknown kind, unknown parent, repeated code) is
    reported with every other one and nothing is created.
    """
    if actor is not None:
        require_coordinator(actor)
    rows, name = csv_rows(rows_or_path, UNIT_COLUMNS)
    known = dict(OrgUnit.objects.exclude(code="").values_list("code", "id"))
    kinds = set(UnitKind.values)
    errors: list[LoadIssue] = []
    new: list[NewUnit] = []
    in_file: dict[str, int] = {}
    result = UnitsResult()
    for line, cells in rows:
        code, unit_name, kind, parent = [*cells, "", "", "", ""][:4]
        code, unit_name, kind, parent = code.strip(), unit_name.strip(), kind.strip(), parent.strip()
        problem = (
            "thiếu mã đơn vị"
            if not code
            else "thiếu tên đơn vị"
            if not unit_name
            else f"loại đơn vị không hợp lệ: {kind!r} (dùng {', '.join(sorted(kinds))})"
            if kind not in kinds
            else f"mã {code!r} trùng với dòng {in_file[code]}"
            if code in in_file
            else f"không tìm thấy đơn vị cấp trên {parent!r} (cấp trên phải đứng trước)"
            if parent and parent not in in_file and parent not in known
            else ""
        )
        if problem:
            errors.append(LoadIssue(line, problem, "bad_unit"))
            continue
        in_file[code] = line
        if code in known:
            result.existing += 1
        else:
            new.append(NewUnit(line, code, unicodedata.normalize("NFC", unit_name), kind, parent))
    if errors:
        raise LoadError(errors[:MAX_REPORTED], len(errors), source=name)
    with transaction.atomic():
        _units_create(new, known)
        result.created = len(new)
        if new:
            hooks.announce(
                hooks.TREE_CHANGED
            )  # the roll-ups' closure of the tree follows, in this transaction
            refresh_statistics()
            audit_record(
                actor=actor,
                action="units_load",
                subject=OrgUnit(pk=known[new[0].code]),
                field=name[:120],
                new=len(new),
            )
    return result


def _units_create(new: list[NewUnit], known: dict[str, int]) -> None:
    """Level by level, so that every parent has its id before its children are created."""
    pending = new
    while pending:
        ready = [row for row in pending if not row.parent_code or row.parent_code in known]
        pending = [row for row in pending if row.parent_code and row.parent_code not in known]
        created = OrgUnit.objects.bulk_create(
            [
                OrgUnit(
                    code=row.code,
                    name=row.name,
                    name_key=name_key(row.name),
                    kind=row.kind,
                    parent_id=known.get(row.parent_code),
                )
                for row in ready
            ],
            batch_size=2000,
        )
        if not created[0].pk:  # a database that does not return ids from a bulk insert
            ids = dict(OrgUnit.objects.filter(code__in=[u.code for u in created]).values_list("code", "id"))
        else:
            ids = {u.code: u.pk for u in created}
        known.update(ids)
        UnitName.objects.bulk_create(
            [UnitName(unit_id=ids[u.code], name=u.name) for u in created], batch_size=2000
        )
