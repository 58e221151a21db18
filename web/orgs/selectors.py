from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from chitieu.names import name_key
from web.orgs.models import OrgUnit, UnitKind, UnitLink

# One statement whatever the depth of the tree (SQLite and PostgreSQL alike); UNION, not UNION
# ALL, so a cycle in bad data ends instead of looping. The roll-ups' closure table holds the same
# answer, but it belongs to a higher layer and an office's rows point at its district there.
_DESCENDANTS_SQL = """
WITH RECURSIVE below(id) AS (
    SELECT id FROM {table} WHERE id = %s
    UNION
    SELECT u.id FROM {table} u JOIN below b ON u.parent_id = b.id
)
SELECT id FROM below
"""


_tree = {"generation": 0}


def tree_changed(**_details) -> None:
    """Units were added, moved or removed (``hooks.TREE_CHANGED``, an OrgUnit saved or deleted):
    answers remembered for a request (``web.orgs.access.area_unit_ids``) are stale."""
    _tree["generation"] += 1


def tree_generation() -> int:
    return _tree["generation"]


def area_unit(unit: OrgUnit) -> OrgUnit:
    """An office's figures are its district's: looking at an office is looking at the district (the
    first unit above it that is not an office: an office may sit under another)."""
    while unit.kind == UnitKind.OFFICE and unit.parent_id:
        unit = unit.parent
    return unit


def unit_descendant_ids(unit_id: int) -> set[int]:
    """The unit and every unit below it, whatever their dates."""
    with connection.cursor() as cursor:
        cursor.execute(_DESCENDANTS_SQL.format(table=OrgUnit._meta.db_table), [unit_id])
        return {unit_id} | {row[0] for row in cursor.fetchall()}


# The same relation asked the other way, for a few units: walk up from each to the top of the tree
# (a handful of rows each), and keep those whose walk meets the anchor. UNION ends a cycle here too.
_WITHIN_SQL = """
WITH RECURSIVE up(start, id) AS (
    SELECT id, id FROM {table} WHERE id IN ({ids})
    UNION
    SELECT up.start, u.parent_id FROM {table} u JOIN up ON u.id = up.id WHERE u.parent_id IS NOT NULL
)
SELECT start FROM up WHERE id = %s
"""
_WITHIN_CHUNK = 500  # ids per statement: well under any database's limit of parameters


def units_within(anchor_id: int, unit_ids: Iterable[int]) -> set[int]:
    """Those of ``unit_ids`` that are ``anchor_id`` or lie below it: ``{u for u in unit_ids if u in
    unit_descendant_ids(anchor_id)}``, by walking up from them. A request that names a few units of
    the nation reads their few ancestors, not the 16,000 units below the nation (40–90 ms a time)."""
    ids = sorted(set(unit_ids))
    found: set[int] = set()
    with connection.cursor() as cursor:
        for start in range(0, len(ids), _WITHIN_CHUNK):
            chunk = ids[start : start + _WITHIN_CHUNK]
            sql = _WITHIN_SQL.format(table=OrgUnit._meta.db_table, ids=", ".join(["%s"] * len(chunk)))
            cursor.execute(sql, [*chunk, anchor_id])
            found.update(row[0] for row in cursor.fetchall())
    return found


def unit_and_ancestor_ids(
    unit_id: int, *, until: frozenset[int] = frozenset(), parents: dict[int, int | None] | None = None
) -> set[int]:
    """The unit and every unit above it, by parents whatever their dates: ``anchor in
    unit_and_ancestor_ids(u)`` is ``u in unit_descendant_ids(anchor)``. A cycle in bad data ends.

    With ``until``, the walk stops once every unit of it is found (the units above them are not
    read): enough to ask ``until <= unit_and_ancestor_ids(u)``, and for a unit asked about by
    someone of that very unit (the nation's coordinator on the nation's pages), no query at all.
    ``parents``: units' parent ids the caller has just read (``loaded_parents``), not read again."""
    found: set[int] = set()
    current: int | None = unit_id
    while current is not None and current not in found:
        found.add(current)
        if until and until <= found:
            break
        if parents is not None and current in parents:
            current = parents[current]
            continue
        current = OrgUnit.objects.filter(pk=current).values_list("parent_id", flat=True).first()
    return found


def loaded_parents(unit: OrgUnit) -> dict[int, int | None]:
    """The parent ids a unit read in this request holds already: its own, and those of the parents
    read with it (``select_related("parent")``), for ``unit_and_ancestor_ids(parents=)``."""
    known: dict[int, int | None] = {}
    current: OrgUnit | None = unit
    while current is not None and current.pk not in known:
        known[current.pk] = current.parent_id
        cached = current.parent_id is not None and OrgUnit.parent.is_cached(current)
        current = current.parent if cached else None
    return known


def unit_descendants_subquery(unit_id: int) -> RawSQL:
    """``unit_descendant_ids`` as a subquery for ``field__in=``: below the nation the list is
    16,000 ids, which Django spends a second turning into parameters, query after query."""
    return RawSQL(_DESCENDANTS_SQL.format(table=OrgUnit._meta.db_table), [unit_id])


def units_valid_between(start: date, end: date) -> QuerySet[OrgUnit]:
    return OrgUnit.objects.filter(
        Q(valid_from__isnull=True) | Q(valid_from__lte=end), Q(valid_to__isnull=True) | Q(valid_to__gte=start)
    )


def communes_of(area: OrgUnit, start: date, end: date) -> QuerySet[OrgUnit]:
    """The communes of ``area`` that existed during [start, end]."""
    return (
        units_valid_between(start, end)
        .filter(id__in=unit_descendant_ids(area.pk), kind=UnitKind.COMMUNE)
        .order_by("name")
    )


def unit_find(name: str, *, within: OrgUnit | None = None, on: date | None = None) -> OrgUnit | None:
    """The unit named ``name`` (any spelling), preferring one valid on ``on``."""
    units = OrgUnit.objects.filter(name_key=name_key(name))
    if within is not None:
        units = units.filter(id__in=unit_descendant_ids(within.pk))
    if on is not None:
        valid = [u for u in units if u.is_valid_on(on)]
        return valid[0] if valid else None
    return units.first()


def unit_tree(root: OrgUnit) -> list[tuple[int, OrgUnit]]:
    """(depth, unit) pairs in display order, current and past units alike."""
    by_parent: dict[int | None, list[OrgUnit]] = {}
    for unit in OrgUnit.objects.filter(id__in=unit_descendant_ids(root.pk)).order_by("kind", "name"):
        by_parent.setdefault(unit.parent_id, []).append(unit)
    rows: list[tuple[int, OrgUnit]] = []

    def walk(unit: OrgUnit, depth: int) -> None:
        rows.append((depth, unit))
        for child in by_parent.get(unit.pk, []):
            walk(child, depth + 1)

    walk(root, 0)
    return rows


def official_code(unit: OrgUnit) -> str:
    """The unit's code in exports and the API: its official administrative code.

    A unit without one gets ``ID<primary key>``: unique and stable through renames,
    never derived from the name (names repeat across the country). Official codes
    are digits, so the two never meet.
    """
    return unit.code or f"ID{unit.pk}"


def predecessor_area_ids(unit_id: int) -> set[int]:
    """The units a unit was formed from (through every reorganisation) and every unit above them.

    The staff of a merged commune, or of the department that took over a district
    office's duties, still read the plans their predecessors worked under.
    """
    found: set[int] = set()
    frontier = {unit_id}
    while frontier:  # one query per generation of reorganisations (none for most units)
        frontier = (
            set(UnitLink.objects.filter(successor_id__in=frontier).values_list("predecessor_id", flat=True))
            - found
        )
        found |= frontier
    above: set[int] = set()
    while found - above:
        above |= found
        found = (
            set(
                OrgUnit.objects.filter(id__in=found, parent__isnull=False).values_list("parent_id", flat=True)
            )
            | above
        )
    return above
