"""Changes to units: each writes its rows and its audit entries in one transaction."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction

from chitieu import konray as kon_ray
from chitieu.names import clean_name, name_key
from web.core import hooks
from web.core.audit import audit_record
from web.orgs.access import require_manage_unit
from web.orgs.models import LinkKind, OrgUnit, UnitKind, UnitLink, UnitName


class UnitChangeError(ValueError):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def _tree_changed() -> None:
    """Units were added: the roll-ups' closure of the tree follows (web.rollups)."""
    hooks.announce(hooks.TREE_CHANGED)


def _stored_name(name: str) -> str:
    cleaned = clean_name(name)
    if not cleaned:
        raise UnitChangeError("empty_name")
    return cleaned


def _create(*, name: str, kind: UnitKind, parent: OrgUnit | None, valid_from: date | None) -> OrgUnit:
    name = _stored_name(name)
    unit = OrgUnit.objects.create(
        name=name, name_key=name_key(name), kind=kind, parent=parent, valid_from=valid_from
    )
    UnitName.objects.create(unit=unit, name=name, valid_from=valid_from)
    return unit


@transaction.atomic
def unit_create(
    *, actor, name: str, kind: UnitKind, parent: OrgUnit | None, valid_from: date | None = None
) -> OrgUnit:
    require_manage_unit(actor, parent)
    unit = _create(name=name, kind=kind, parent=parent, valid_from=valid_from)
    audit_record(actor=actor, action="unit_create", subject=unit, field="name", new=name)
    _tree_changed()
    return unit


@transaction.atomic
def unit_rename(*, actor, unit: OrgUnit, name: str, on: date) -> OrgUnit:
    """Same unit, same data; the old name is kept with the dates it was used."""
    require_manage_unit(actor, unit)
    name = _stored_name(name)
    old = unit.name
    UnitName.objects.filter(unit=unit, valid_to__isnull=True).update(valid_to=on - timedelta(days=1))
    UnitName.objects.create(unit=unit, name=name, valid_from=on)
    unit.name, unit.name_key = name, name_key(name)
    unit.save(update_fields=["name", "name_key"])
    hooks.announce(hooks.NAMES_CHANGED)  # names are in cached evaluations
    audit_record(actor=actor, action="unit_rename", subject=unit, field="name", old=old, new=name)
    return unit


def _close(unit: OrgUnit, on: date) -> None:
    if not unit.is_valid_on(on):
        raise UnitChangeError("unit_not_valid_on_date")
    unit.valid_to = on - timedelta(days=1)
    unit.save(update_fields=["valid_to"])
    UnitName.objects.filter(unit=unit, valid_to__isnull=True).update(valid_to=unit.valid_to)


@transaction.atomic
def units_merge(
    *, actor, units: list[OrgUnit], name: str, on: date, parent: OrgUnit | None = None
) -> OrgUnit:
    """Close ``units`` the day before ``on`` and open their merged successor on ``on``."""
    for unit in units:
        require_manage_unit(actor, unit)
    if parent is not None:
        require_manage_unit(actor, parent)
    if len(units) < 2:
        raise UnitChangeError("merge_needs_two_units")
    successor = _create(name=name, kind=units[0].kind, parent=parent or units[0].parent, valid_from=on)
    merged = ", ".join(u.name for u in units)
    audit_record(actor=actor, action="unit_create", subject=successor, field="name", new=name, reason=merged)
    for unit in units:
        _close(unit, on)
        UnitLink.objects.create(predecessor=unit, successor=successor, kind=LinkKind.MERGER, on=on)
        audit_record(actor=actor, action="unit_merge", subject=unit, field="successor", new=name)
    _tree_changed()
    return successor


@transaction.atomic
def unit_split(*, actor, unit: OrgUnit, names: list[str], on: date) -> list[OrgUnit]:
    require_manage_unit(actor, unit)
    if len(names) < 2:
        raise UnitChangeError("split_needs_two_names")
    _close(unit, on)
    successors = [_create(name=n, kind=unit.kind, parent=unit.parent, valid_from=on) for n in names]
    for successor in successors:
        UnitLink.objects.create(predecessor=unit, successor=successor, kind=LinkKind.SPLIT, on=on)
        audit_record(
            actor=actor,
            action="unit_create",
            subject=successor,
            field="name",
            new=successor.name,
            reason=unit.name,
        )
    audit_record(actor=actor, action="unit_split", subject=unit, field="successors", new=", ".join(names))
    _tree_changed()
    return successors


def _ensure(name: str, kind: UnitKind, parent: OrgUnit | None) -> OrgUnit:
    existing = OrgUnit.objects.filter(name_key=name_key(name), kind=kind, parent=parent).first()
    return existing or _create(name=name, kind=kind, parent=parent, valid_from=None)


@transaction.atomic
def kon_ray_units_ensure() -> OrgUnit:
    """Kon Rẫy district, its 7 communes and the annex's offices; safe to run again."""
    province = _ensure(kon_ray.PROVINCE, UnitKind.PROVINCE, None)
    district = _ensure(kon_ray.DISTRICT, UnitKind.DISTRICT, province)
    for name in kon_ray.COMMUNES:
        _ensure(name, UnitKind.COMMUNE, district)
    for name in kon_ray.OFFICES:
        _ensure(name, UnitKind.OFFICE, district)
    _tree_changed()
    return district
