"""A checked reorganisation (chitieu.reorganisation) made on the units, with its audit rows.

Reads the tree as the core check needs it (``unit_facts``) and applies a
``ReorganisationPlan``: renames keep the unit; merges, splits, transfers and
dissolutions close units the day before the date and open successors linked
to them. The caller (web.reorg.services) wraps this in its transaction with
what moves in the upper layers (accounts, assignments).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import transaction

from chitieu.names import name_key
from chitieu.reorganisation import ReorganisationPlan, UnitFacts
from web.core.audit import audit_record
from web.orgs.models import LinkKind, OrgUnit, UnitKind, UnitLink, UnitName
from web.orgs.services import _close, _create, _tree_changed


def unit_key(unit: OrgUnit) -> str:
    """How the check names a unit: its official code, or ``#<id>`` for a unit without one (an office)."""
    return unit.code or f"#{unit.pk}"


def unit_facts(on: date) -> tuple[dict[str, UnitFacts], dict[str, OrgUnit]]:
    """Every unit by key, with the children it has on ``on`` (the day before the changes)."""
    units = list(OrgUnit.objects.all())
    by_id = {u.pk: u for u in units}
    children: dict[int, list[str]] = {}
    for unit in units:
        if unit.parent_id is not None and unit.is_valid_on(on):
            children.setdefault(unit.parent_id, []).append(unit_key(unit))
    facts, by_key = {}, {}
    for unit in units:
        key = unit_key(unit)
        parent = by_id.get(unit.parent_id)
        facts[key] = UnitFacts(
            code=key,
            name=unit.name,
            kind=unit.kind,
            parent_code=unit_key(parent) if parent else "",
            valid_from=unit.valid_from,
            valid_to=unit.valid_to,
            children=tuple(children.get(unit.pk, ())),
        )
        by_key[key] = unit
    return facts, by_key


_LINKS = {"merger": LinkKind.MERGER, "split": LinkKind.SPLIT, "transfer": LinkKind.TRANSFER}


@dataclass
class Reorganised:
    opened: dict[str, OrgUnit] = field(default_factory=dict)
    closed: dict[int, list[OrgUnit]] = field(default_factory=dict)  # closed unit id → its successors
    renamed: list[OrgUnit] = field(default_factory=list)


@transaction.atomic
def reorganisation_units_apply(
    *, actor, plan: ReorganisationPlan, on_line: dict[int, date], reason: str
) -> Reorganised:
    """Make ``plan`` (already checked, without errors) on the units; ``on_line``: each line's date."""
    _facts, by_key = unit_facts(min(on_line.values()) - timedelta(days=1))
    done = Reorganised()
    for code, new_name, new_code, line in plan.renamed:
        unit = by_key[code]
        on = on_line[line]
        old = unit.name
        UnitName.objects.filter(unit=unit, valid_to__isnull=True).update(valid_to=on - timedelta(days=1))
        UnitName.objects.create(unit=unit, name=new_name, valid_from=on)
        unit.name, unit.name_key = new_name, name_key(new_name)
        fields = ["name", "name_key"]
        if new_code != code and not new_code.startswith("#"):
            audit_record(
                actor=actor, action="unit_recode", subject=unit, field="code", old=unit.code, new=new_code
            )
            unit.code = new_code
            fields.append("code")
        unit.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="unit_rename",
            subject=unit,
            field="name",
            old=old,
            new=new_name,
            reason=reason,
        )
        done.renamed.append(unit)
    # A successor keeping its predecessor's official code: the code moves to it (codes are unique).
    for closing in plan.closed:
        if closing.code in closing.successors and not closing.code.startswith("#"):
            unit = by_key[closing.code]
            audit_record(
                actor=actor,
                action="unit_recode",
                subject=unit,
                field="code",
                old=unit.code,
                new="",
                reason=reason,
            )
            unit.code = ""
            unit.save(update_fields=["code"])
    for new in plan.opened:
        kind = UnitKind(new.kind) if new.kind else UnitKind.COMMUNE
        unit = _create(name=new.name, kind=kind, parent=None, valid_from=on_line[new.line])
        if not new.code.startswith("#"):
            unit.code = new.code
            unit.save(update_fields=["code"])
        done.opened[new.code] = unit

    def resolve(code: str) -> OrgUnit:
        return done.opened.get(code) or by_key[code]

    for new in plan.opened:
        unit = done.opened[new.code]
        unit.parent = resolve(new.parent_code) if new.parent_code else None
        unit.save(update_fields=["parent"])
    for closing in plan.closed:
        unit = by_key[closing.code]
        on = on_line[closing.line]
        _close(unit, on)  # the check saw it valid on the day before: UnitChangeError would roll back
        successors = [resolve(code) for code in closing.successors]
        for successor in successors:
            UnitLink.objects.create(predecessor=unit, successor=successor, kind=_LINKS[closing.link], on=on)
        audit_record(
            actor=actor,
            action=f"unit_{closing.link}",
            subject=unit,
            field="successors",
            new=", ".join(s.name for s in successors),
            reason=reason,
        )
        done.closed[unit.pk] = successors
    for unit in done.opened.values():
        predecessors = ", ".join(u.name for u in OrgUnit.objects.filter(successor_links__successor=unit))
        audit_record(
            actor=actor, action="unit_create", subject=unit, field="name", new=unit.name, reason=predecessors
        )
    _tree_changed()
    return done


@transaction.atomic
def unit_code_set(*, actor, unit: OrgUnit, code: str, reason: str = "") -> OrgUnit:
    """Give a unit its administrative code (a reorganisation file names units by code)."""
    if unit.code == code:
        return unit
    audit_record(
        actor=actor, action="unit_recode", subject=unit, field="code", old=unit.code, new=code, reason=reason
    )
    unit.code = code
    unit.save(update_fields=["code"])
    return unit
