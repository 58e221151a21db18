"""A reorganisation decision's list of units, read and checked against the current tree.

Decisions reorganising administrative units (for example the resolutions of
the National Assembly Standing Committee of June 2025) publish, per new unit,
the old units it is formed from. The file a coordinator uploads has one line
per change, with a header (Vietnamese or English column names)::

    loai,ma_moi,ten_moi,ma_cu,ma_cap_tren,ngay_hieu_luc
    sáp nhập,23290,Xã Kon Rẫy,23275;23278,51,01/07/2025
    chia tách,23301,Xã Tây,23281,,01/07/2025
    chia tách,23302,Xã Đông,23281,,01/07/2025
    đổi tên,,Xã Tân Lập Mới,23284,,01/07/2025
    điều chuyển,,,23287,51,01/07/2025
    giải thể,51,,615,51,01/07/2025

* merge (sáp nhập / hợp nhất): the old units (``ma_cu``, ``;``-separated) close
  the day before the date and one new unit (``ma_moi``, ``ten_moi``) opens;
  ``ma_cap_tren`` is its parent (default: the first old unit's parent).
* split (chia tách): one line per new unit, each naming the same old unit.
* rename (đổi tên): the same unit, a new name (and a new code if given).
* transfer (điều chuyển): the unit moves under ``ma_cap_tren``. The tree of a
  past period must stay as it was, so the unit closes and a successor with the
  same name (and ``ma_moi`` or the same code) opens under the new parent.
* dissolve (giải thể): a level disappears. Its children that no other line
  changes move under ``ma_cap_tren`` (default: the dissolved unit's parent) by
  a transfer; its offices close with ``ma_moi`` named as their successor
  (the unit whose office takes over their duties).

Pure: :func:`read_reorganisation` reads rows, :func:`check_reorganisation`
checks them against the tree and returns the changes to make, or issues with
the line they come from. Nothing is applied here.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from chitieu.dates import parse_day
from chitieu.importer.text import decode
from chitieu.importer.xlsx_reader import read_xlsx
from chitieu.issues import Issue, Severity, has_errors
from chitieu.names import clean_name, fold


class ChangeKind(StrEnum):
    MERGE = "merge"
    SPLIT = "split"
    RENAME = "rename"
    TRANSFER = "transfer"
    DISSOLVE = "dissolve"


_KIND_WORDS = {
    "merge": ChangeKind.MERGE,
    "sap nhap": ChangeKind.MERGE,
    "hop nhat": ChangeKind.MERGE,
    "nhap": ChangeKind.MERGE,
    "split": ChangeKind.SPLIT,
    "chia tach": ChangeKind.SPLIT,
    "chia": ChangeKind.SPLIT,
    "tach": ChangeKind.SPLIT,
    "rename": ChangeKind.RENAME,
    "doi ten": ChangeKind.RENAME,
    "transfer": ChangeKind.TRANSFER,
    "dieu chuyen": ChangeKind.TRANSFER,
    "chuyen": ChangeKind.TRANSFER,
    "dieu chinh dia gioi": ChangeKind.TRANSFER,
    "dissolve": ChangeKind.DISSOLVE,
    "giai the": ChangeKind.DISSOLVE,
    "ket thuc hoat dong": ChangeKind.DISSOLVE,
}

_COLUMNS = {
    "kind": ("loai", "kind", "hinh thuc", "loai sap xep"),
    "new_code": ("ma moi", "new code", "new_code", "ma_moi", "ma don vi moi"),
    "new_name": ("ten moi", "new name", "new_name", "ten_moi", "ten don vi moi"),
    "old_codes": ("ma cu", "old codes", "old_codes", "ma_cu", "ma don vi cu", "old code"),
    "parent_code": ("ma cap tren", "parent code", "parent_code", "ma_cap_tren", "cap tren"),
    "effective": ("ngay hieu luc", "effective", "ngay_hieu_luc", "effective date", "hieu luc"),
}
REQUIRED = ("kind", "old_codes", "effective")


def _header(text: str) -> str:
    """A header or kind as typed: ``fold``, with ``_`` read as a space."""
    return fold(text.replace("_", " "))


@dataclass(frozen=True)
class ChangeRow:
    line: int
    kind: ChangeKind
    old_codes: tuple[str, ...]
    effective: date
    new_code: str = ""
    new_name: str = ""
    parent_code: str = ""


@dataclass(frozen=True)
class UnitFacts:
    """What the check needs of an existing unit."""

    code: str
    name: str
    kind: str  # "province", "district", "commune", "office", ...
    parent_code: str  # "" at the top
    valid_from: date | None = None
    valid_to: date | None = None
    children: tuple[str, ...] = ()  # codes of the units below it valid on the date (offices included)

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


@dataclass(frozen=True)
class NewUnit:
    code: str
    name: str
    kind: str
    parent_code: str  # an existing unit's code or another new unit's code
    line: int


@dataclass(frozen=True)
class Closing:
    code: str
    successors: tuple[str, ...]  # codes (existing or new)
    link: str  # "merger", "split", "transfer"
    line: int


@dataclass
class ReorganisationPlan:
    """The changes the file asks for, in the order they are applied."""

    effective: date | None = None
    opened: list[NewUnit] = field(default_factory=list)
    closed: list[Closing] = field(default_factory=list)
    renamed: list[tuple[str, str, str, int]] = field(default_factory=list)  # (code, new name, new code, line)

    def successors_of(self, code: str) -> tuple[str, ...]:
        for closing in self.closed:
            if closing.code == code:
                return closing.successors
        return ()


def _error(line: int, message: str, code: str) -> Issue:
    return Issue(Severity.ERROR, f"line {line}", message, code)

    return None


def _codes(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in re.split(r"[;,\n]", text) if c.strip())


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def table_from_csv(text: str) -> list[list[str]]:
    text = text.lstrip("\ufeff")
    first = text.split("\n", 1)[0]
    delimiter = max(("\t", ";", ","), key=first.count)
    return [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def table_from_bytes(data: bytes) -> tuple[list[list[str]], list[Issue]]:
    """An uploaded file (CSV/TSV text in any of the usual encodings, or an Excel workbook) → rows."""
    if data.startswith(b"PK"):
        grid = read_xlsx(data)
        if isinstance(grid, list):
            return [], grid
        rows = [[cell.text for cell in row] for row in grid.rows]
        while rows and not any(rows[0]):
            rows.pop(0)
        return rows, []
    text, issues = decode(data)
    if text is None:
        return [], issues
    return table_from_csv(text), []


def read_reorganisation(table: Iterable[Iterable[object]]) -> tuple[list[ChangeRow], list[Issue]]:
    """Rows of the file (header first) → changes and issues; line numbers count from 1 at the header."""
    rows = [[_cell(c) for c in row] for row in table]
    issues: list[Issue] = []
    if not rows:
        return [], [Issue(Severity.ERROR, "line 1", "Tệp trống: không có dòng tiêu đề.", "empty_file")]
    header = [_header(c) for c in rows[0]]
    columns: dict[str, int] = {}
    for name, words in _COLUMNS.items():
        for index, cell in enumerate(header):
            if cell in words:
                columns[name] = index
                break
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        wanted = ", ".join(_COLUMNS[name][0].replace(" ", "_") for name in missing)
        return [], [_error(1, f"Thiếu cột: {wanted}.", "missing_column")]
    changes: list[ChangeRow] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(row):
            continue

        def get(name: str, row=row) -> str:
            index = columns.get(name)
            return row[index] if index is not None and index < len(row) else ""

        kind = _KIND_WORDS.get(_header(get("kind")))
        if kind is None:
            issues.append(
                _error(
                    number,
                    f"Loại sắp xếp «{get('kind')}» không rõ: dùng sáp nhập, chia tách, đổi tên, "
                    "điều chuyển hoặc giải thể.",
                    "unknown_kind",
                )
            )
            continue
        effective = parse_day(get("effective"))
        if effective is None:
            issues.append(
                _error(number, f"Ngày hiệu lực «{get('effective')}» không đọc được (dd/mm/yyyy).", "bad_date")
            )
            continue
        old = _codes(get("old_codes"))
        if not old:
            issues.append(_error(number, "Thiếu mã đơn vị cũ.", "missing_old_code"))
            continue
        changes.append(
            ChangeRow(
                line=number,
                kind=kind,
                old_codes=old,
                effective=effective,
                new_code=get("new_code"),
                new_name=clean_name(get("new_name")),
                parent_code=get("parent_code"),
            )
        )
    return changes, issues


def check_reorganisation(
    changes: list[ChangeRow], units: Mapping[str, UnitFacts]
) -> tuple[ReorganisationPlan, list[Issue]]:
    """The plan the changes make on ``units`` (by code), or the issues that refuse the file.

    Refused: an unknown code; a unit changed by two lines (merged twice, merged
    and renamed...); a new code already used; a unit that did not exist on the
    date, or a unit opened by the file changed on an earlier date (dates out of
    order); a parent that would be the unit itself or below it (a cycle).
    """
    plan = ReorganisationPlan()
    issues: list[Issue] = []
    used_by: dict[str, int] = {}  # old code → the line that changes it
    opened_on: dict[str, tuple[date, int]] = {}  # code opened by the file → (date, line)
    new_parent: dict[str, str] = {}  # every code the file opens or moves → its new parent
    taken = set(units)

    def known(code: str) -> bool:
        return code in units or code in opened_on

    def claim(row: ChangeRow, code: str) -> bool:
        """The old unit ``code`` changed by ``row``; False (with an issue) when it cannot be."""
        if code in opened_on:
            when, line = opened_on[code]
            if row.effective <= when:
                issues.append(
                    _error(
                        row.line,
                        f"Ngày không theo thứ tự: đơn vị {code} mới được lập ở dòng {line} "
                        f"từ {when:%d/%m/%Y}, không thể thay đổi từ {row.effective:%d/%m/%Y}.",
                        "dates_out_of_order",
                    )
                )
                return False
        elif code not in units and code in planned:
            when, line = planned[code]
            issues.append(
                _error(
                    row.line,
                    f"Ngày không theo thứ tự: đơn vị {code} chỉ được lập ở dòng {line} "
                    f"từ {when:%d/%m/%Y}, sau ngày {row.effective:%d/%m/%Y} của dòng này.",
                    "dates_out_of_order",
                )
            )
            return False
        elif code not in units:
            issues.append(_error(row.line, f"Mã đơn vị {code} không có trong danh mục.", "unknown_code"))
            return False
        else:
            facts = units[code]
            if not facts.is_valid_on(row.effective) or (
                facts.valid_from is not None and facts.valid_from >= row.effective
            ):
                issues.append(
                    _error(
                        row.line,
                        f"Ngày không theo thứ tự: đơn vị {code} ({facts.name}) không tồn tại "
                        f"vào ngày trước {row.effective:%d/%m/%Y}.",
                        "dates_out_of_order",
                    )
                )
                return False
        previous = used_by.get(code)
        if previous is not None and previous != row.line:
            issues.append(
                _error(
                    row.line,
                    f"Đơn vị {code} đã được sắp xếp ở dòng {previous}: một đơn vị chỉ được "
                    "sáp nhập, chia tách hoặc đổi tên một lần.",
                    "changed_twice",
                )
            )
            return False
        used_by[code] = row.line
        return True

    def kind_of(code: str) -> str:
        if code in units:
            return units[code].kind
        for unit in plan.opened:
            if unit.code == code:
                return unit.kind
        return ""

    def parent_of(code: str) -> str:
        if code in new_parent:
            return new_parent[code]
        return units[code].parent_code if code in units else ""

    def open_unit(row: ChangeRow, code: str, name: str, kind: str, parent: str, keeps: tuple = ()) -> bool:
        """``keeps``: old codes closed by the same line, whose code the new unit may take over."""
        if not code:
            issues.append(_error(row.line, "Thiếu mã đơn vị mới.", "missing_new_code"))
            return False
        if code in taken and code not in keeps:
            issues.append(_error(row.line, f"Mã {code} đã là mã của một đơn vị khác.", "code_taken"))
            return False
        if not name:
            issues.append(_error(row.line, "Thiếu tên đơn vị mới.", "missing_new_name"))
            return False
        if parent and not known(parent):
            issues.append(
                _error(row.line, f"Mã đơn vị cấp trên {parent} không có trong danh mục.", "unknown_code")
            )
            return False
        taken.add(code)
        opened_on[code] = (row.effective, row.line)
        new_parent[code] = parent
        plan.opened.append(NewUnit(code, name, kind, parent, row.line))
        return True

    planned = {  # codes the file opens → (date, line): a change of one before it opens is out of order
        row.new_code: (row.effective, row.line)
        for row in changes
        if row.kind in (ChangeKind.MERGE, ChangeKind.SPLIT) and row.new_code and row.new_code not in units
    }
    # Splits: the lines naming the same old unit belong together.
    split_lines: dict[str, list[ChangeRow]] = {}
    for row in changes:
        if row.kind is ChangeKind.SPLIT:
            split_lines.setdefault(row.old_codes[0], []).append(row)

    dates = {row.effective for row in changes}
    plan.effective = min(dates) if dates else None
    dissolved: list[ChangeRow] = []
    for row in sorted(changes, key=lambda r: (r.effective, r.line)):
        if row.kind is ChangeKind.MERGE:
            if len(row.old_codes) < 2:
                issues.append(_error(row.line, "Sáp nhập cần ít nhất hai đơn vị cũ.", "merge_needs_two"))
                continue
            if len(set(row.old_codes)) != len(row.old_codes):
                issues.append(_error(row.line, "Một mã đơn vị cũ được ghi hai lần.", "changed_twice"))
                continue
            if not all([claim(row, code) for code in row.old_codes]):
                continue
            first = row.old_codes[0]
            parent = row.parent_code or parent_of(first)
            # A province merged into another keeps the receiving one's code (Kon Tum into Quảng Ngãi, 51).
            if open_unit(row, row.new_code, row.new_name, kind_of(first), parent, keeps=row.old_codes):
                for code in row.old_codes:
                    plan.closed.append(Closing(code, (row.new_code,), "merger", row.line))
        elif row.kind is ChangeKind.SPLIT:
            old = row.old_codes[0]
            group = split_lines[old]
            if len(row.old_codes) != 1:
                issues.append(_error(row.line, "Chia tách: mỗi dòng ghi một đơn vị cũ.", "split_one_old"))
                continue
            if row is not group[0]:
                continue  # handled with the group's first line
            if len(group) < 2:
                issues.append(
                    _error(row.line, "Chia tách cần ít nhất hai dòng (hai đơn vị mới).", "split_needs_two")
                )
                continue
            if any(r.effective != row.effective for r in group):
                issues.append(
                    _error(group[1].line, "Các dòng chia tách phải cùng ngày hiệu lực.", "bad_date")
                )
                continue
            if not claim(row, old):
                continue
            made = [
                r.new_code
                for r in group
                if open_unit(r, r.new_code, r.new_name, kind_of(old), r.parent_code or parent_of(old))
            ]
            if len(made) == len(group):
                plan.closed.append(Closing(old, tuple(made), "split", row.line))
        elif row.kind is ChangeKind.RENAME:
            if len(row.old_codes) != 1 or not row.new_name:
                issues.append(_error(row.line, "Đổi tên: ghi một mã đơn vị cũ và tên mới.", "rename_shape"))
                continue
            code = row.old_codes[0]
            if row.new_code and row.new_code != code and row.new_code in taken:
                issues.append(_error(row.line, f"Mã {row.new_code} đã được dùng.", "code_taken"))
                continue
            if claim(row, code):
                plan.renamed.append((code, row.new_name, row.new_code or code, row.line))
                if row.new_code and row.new_code != code:
                    taken.add(row.new_code)
        elif row.kind is ChangeKind.TRANSFER:
            if len(row.old_codes) != 1 or not row.parent_code:
                issues.append(
                    _error(row.line, "Điều chuyển: ghi mã đơn vị và mã cấp trên mới.", "transfer_shape")
                )
                continue
            code = row.old_codes[0]
            if not claim(row, code):
                continue
            if code not in units:
                issues.append(
                    _error(row.line, f"Không thể điều chuyển đơn vị mới {code}.", "dates_out_of_order")
                )
                continue
            _transfer(row, code, row.parent_code, row.new_code, units, plan, open_unit)
        else:
            if len(row.old_codes) != 1:
                issues.append(_error(row.line, "Giải thể: mỗi dòng ghi một đơn vị.", "dissolve_shape"))
                continue
            if claim(row, row.old_codes[0]):
                dissolved.append(row)

    # Dissolved levels last: their children not changed by another line move up.
    for row in dissolved:
        code = row.old_codes[0]
        facts = units.get(code)
        if facts is None:
            issues.append(_error(row.line, f"Không thể giải thể đơn vị mới {code}.", "dates_out_of_order"))
            continue
        target = row.parent_code or facts.parent_code
        if not target or not known(target):
            issues.append(
                _error(
                    row.line,
                    f"Mã cấp trên {target or '(trống)'} không có trong danh mục.",
                    "unknown_code",
                )
            )
            continue
        successor = row.new_code
        offices = [c for c in facts.children if units[c].kind == "office" and c not in used_by]
        if offices and not successor:
            issues.append(
                _error(
                    row.line,
                    f"Giải thể {facts.name}: ghi ở cột ma_moi đơn vị nhận nhiệm vụ của "
                    f"{len(offices)} phòng, ban của đơn vị này.",
                    "office_successor_missing",
                )
            )
            continue
        if successor and not known(successor):
            issues.append(
                _error(row.line, f"Mã đơn vị kế thừa {successor} không có trong danh mục.", "unknown_code")
            )
            continue
        for office in offices:
            used_by[office] = row.line
            plan.closed.append(Closing(office, (successor,), "transfer", row.line))
        renames = {r[0]: r for r in plan.renamed}
        for child in facts.children:
            if units[child].kind == "office" and child in used_by:
                continue
            if child in renames:  # renamed and moved up: one successor with the new name
                _code, new_name, new_code, _line = renames[child]
                plan.renamed.remove(renames[child])
                _transfer(row, child, target, new_code, units, plan, open_unit, name=new_name)
            elif child not in used_by and units[child].kind != "office":
                used_by[child] = row.line
                _transfer(row, child, target, "", units, plan, open_unit)
        # New units the file put under the dissolved unit go to its parent instead.
        for index, unit in enumerate(plan.opened):
            if unit.parent_code == code:
                plan.opened[index] = NewUnit(unit.code, unit.name, unit.kind, target, unit.line)
                new_parent[unit.code] = target
        plan.closed.append(Closing(code, (successor,) if successor else (), "transfer", row.line))

    if not has_errors(issues):
        issues.extend(_cycles(plan, units))
    return plan, sorted(issues, key=lambda i: int(i.where.split()[-1]))


def _transfer(row, code, parent, new_code, units, plan, open_unit, name: str = "") -> None:
    """Close ``code`` and open a successor with its name (or ``name``) under ``parent``.

    The successor takes ``new_code``; without one it takes the old code, which
    the closed unit gives up (its past is found through the successor link).
    """
    facts = units[code]
    name = name or facts.name
    if not new_code or new_code == code:
        plan.closed.append(Closing(code, (code,), "transfer", row.line))
        plan.opened.append(NewUnit(code, name, facts.kind, parent, row.line))
        return
    if open_unit(row, new_code, name, facts.kind, parent):
        plan.closed.append(Closing(code, (new_code,), "transfer", row.line))


def _cycles(plan: ReorganisationPlan, units: Mapping[str, UnitFacts]) -> list[Issue]:
    """A unit that would sit below itself once the changes are made."""
    parent = {code: facts.parent_code for code, facts in units.items()}
    closed = {c.code for c in plan.closed}
    for unit in plan.opened:
        parent[unit.code] = unit.parent_code
    issues = []
    reopened = {u.code for u in plan.opened}
    for closing in plan.closed:
        left = (
            [
                units[child].name
                for child in units[closing.code].children
                if child not in closed and child not in reopened
            ]
            if closing.code in units
            else []
        )
        if left:
            issues.append(
                _error(
                    closing.line,
                    f"{units[closing.code].name} đóng lại nhưng {', '.join(left)} vẫn trực thuộc đơn vị này: "
                    "sắp xếp cả các đơn vị trực thuộc hoặc giải thể đơn vị.",
                    "children_left",
                )
            )
    for unit in plan.opened:
        seen = {unit.code}
        code = unit.parent_code
        while code:
            if code in seen:
                issues.append(
                    _error(
                        unit.line,
                        f"Vòng lặp: đơn vị {unit.code} ({unit.name}) sẽ nằm dưới chính nó.",
                        "cycle",
                    )
                )
                break
            if code in closed and code not in {u.code for u in plan.opened}:
                issues.append(
                    _error(
                        unit.line,
                        f"Cấp trên {code} của {unit.name} bị giải thể hoặc sáp nhập cùng quyết định.",
                        "parent_closed",
                    )
                )
                break
            seen.add(code)
            code = parent.get(code, "")
    return issues
