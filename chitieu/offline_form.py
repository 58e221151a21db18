"""The Excel form for offline data entry: written pre-filled, read back, its identity checked.

A unit (or a coordinator, for the units of an area) downloads one workbook: a sheet of
instructions, a sheet of figures with one row per unit × period × indicator × sex (only the
figure and note cells unlocked, numbers checked by the cells' data validation), and a very
hidden sheet naming what the form is for — the plan, the plan version, the area it was made
for, the units, each row's report and its revision when the form was made — with a digest over
all of it, so that a form of an older version, of another unit, or whose rows were moved is
recognised on upload. What was typed comes back as cells with their address ("Số liệu!F12");
whether a figure is acceptable is the figure rule's business (``chitieu.figures``), asked by
the web app's services as for the entry form.

Plain Python with openpyxl: no Django. The words (instructions, column titles, messages of
the data validation) are given by the caller, translated.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.workbook.protection import WorkbookProtection
from openpyxl.worksheet.datavalidation import DataValidation

from chitieu.formulas import set_text
from chitieu.number_input import NumberInputError, parse_number_input

FORMAT = "chitieu-offline-form/1"
SHEET_GUIDE = "Hướng dẫn"
SHEET_DATA = "Số liệu"
SHEET_ID = "chitieu_id"  # very hidden: Excel's menus cannot show it
FIRST_ROW = 4  # rows 1-2: title, row 3: column titles
COLUMNS = (
    "A",
    "B",
    "C",
    "D",
    "E",
    "F",
    "G",
    "H",
    "I",
)  # unit, period, code, name, sex, num, den, note, state
NUM, DEN, NOTE, CODE = "F", "G", "H", "C"
WIDTHS = (24, 16, 8, 48, 12, 14, 14, 30, 16)
ID_ROWS = 10  # first row of the hidden sheet's row keys
_PART_COLUMN = {"numerator": NUM, "value": NUM, "denominator": DEN, "note": NOTE}


@dataclass(frozen=True)
class FormIdentity:
    """What a form was made for; the upload must match the plan in force and the page's unit."""

    plan_id: int
    version: int  # the plan version's number when the form was made
    scope_unit_id: int  # the unit (or area) the form was asked for
    year: int
    unit_ids: tuple[int, ...]


@dataclass(frozen=True)
class RowKey:
    """One figure's place: which report (unit, period, its revision then), indicator and sex."""

    unit_id: int
    period: str
    indicator: str
    sex: str  # "", "F", "M"
    revision: int = 0
    count: bool = False  # one number (the count), no denominator


@dataclass(frozen=True)
class FormRow:
    key: RowKey
    editable: bool  # whether the person could change it when the form was made
    unit_name: str = ""
    period_name: str = ""
    indicator_name: str = ""
    sex_name: str = ""
    state_name: str = ""
    numerator_label: str = ""
    denominator_label: str = ""
    numerator: Decimal | None = None  # a count's value for a count
    denominator: Decimal | None = None
    note: str = ""


@dataclass(frozen=True)
class FormWords:
    title: str
    guide: tuple[str, ...]  # one paragraph per line of the instructions sheet
    headers: tuple[str, ...]  # the nine column titles
    number_error: str  # data validation: a number of at least 0
    whole_error: str  # data validation: a whole number of at least 0
    error_title: str = ""


@dataclass(frozen=True)
class CellProblem:
    """A cell that cannot be read, or that the rule refuses: where (``Số liệu!F12``) and a code."""

    where: str
    code: str  # not_a_number, foreign_digits, ambiguous, structure_changed, or a figure rule code
    text: str = ""  # what the cell held, as read


@dataclass(frozen=True)
class FilledRow:
    key: RowKey
    row: int  # the row of the figures sheet
    numerator: Decimal | None
    denominator: Decimal | None
    note: str

    def where(self, part: str) -> str:
        """The cell a part of this row's figure is in: ``Số liệu!G12`` for the denominator."""
        return cell_ref(_PART_COLUMN.get(part, NUM), self.row)


@dataclass(frozen=True)
class FilledForm:
    identity: FormIdentity
    rows: tuple[FilledRow, ...]
    problems: tuple[CellProblem, ...] = field(default=())


class FormUnreadable(ValueError):
    """Not one of our forms, or one whose hidden identity was changed; ``code`` says which."""

    def __init__(self, code: str, where: str = ""):
        super().__init__(f"{code} {where}".strip())
        self.code = code
        self.where = where


def cell_ref(column: str, row: int) -> str:
    return f"{SHEET_DATA}!{column}{row}"


def digest(identity: FormIdentity, keys: Sequence[RowKey]) -> str:
    """SHA-256 over the identity and every row's key, in order: any change to them shows."""
    text = json.dumps([FORMAT, asdict(identity), [asdict(k) for k in keys]], sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def name_for(key: RowKey, part: str) -> str:
    """The defined name of a figure cell: ``ct_u12_p2024Q1_i3.2a_F_n`` (letters, digits, ``_`` and ``.``)."""
    safe = "".join(c if c.isalnum() or c == "." else "_" for c in f"{key.indicator}")
    return f"ct_u{key.unit_id}_p{key.period.replace('-', '')}_i{safe}_{key.sex or 'T'}_{part}"


# ------------------------------------------------------------------ writing


def write_form(identity: FormIdentity, rows: Sequence[FormRow], words: FormWords) -> bytes:
    """The workbook's bytes: instructions, the figures (pre-filled), the hidden identity."""
    book = Workbook()
    guide = book.active
    guide.title = SHEET_GUIDE
    _write_guide(guide, words)
    sheet = book.create_sheet(SHEET_DATA)
    _write_figures(book, sheet, rows, words)
    hidden = book.create_sheet(SHEET_ID)
    _write_identity(hidden, identity, [r.key for r in rows])
    hidden.sheet_state = "veryHidden"
    hidden.protection.sheet = True
    book.defined_names["ct_identity"] = DefinedName("ct_identity", attr_text=f"{SHEET_ID}!$A$1:$F$8")
    book.security = WorkbookProtection(lockStructure=True)  # no sheet added, removed or renamed
    book.active = 1  # opens on the figures
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _write_guide(sheet, words: FormWords) -> None:
    sheet.column_dimensions["A"].width = 110
    set_text(sheet["A1"], words.title)
    sheet["A1"].font = Font(bold=True, size=13)
    for n, line in enumerate(words.guide, start=3):
        set_text(sheet.cell(row=n, column=1), line)
        sheet.cell(row=n, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.protection.sheet = True


_LOCKED_FILL = PatternFill("solid", fgColor="EEEEEE")
_OPEN_FILL = PatternFill("solid", fgColor="FFF9D6")


def _validation(kind: str, error: str, title: str) -> DataValidation:
    check = DataValidation(
        type=kind, operator="greaterThanOrEqual", formula1="0", allow_blank=True, showErrorMessage=True
    )
    check.error, check.errorTitle, check.errorStyle = error, title, "stop"
    return check


def _write_figures(book: Workbook, sheet, rows: Sequence[FormRow], words: FormWords) -> None:
    set_text(sheet["A1"], words.title)
    sheet["A1"].font = Font(bold=True, size=12)
    for column, (header, width) in enumerate(zip(words.headers, WIDTHS, strict=True), start=1):
        cell = sheet.cell(row=3, column=column)
        set_text(cell, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[COLUMNS[column - 1]].width = width
    numbers = _validation("decimal", words.number_error, words.error_title)
    wholes = _validation("whole", words.whole_error, words.error_title)
    sheet.add_data_validation(numbers)
    sheet.add_data_validation(wholes)
    prompts: dict[str, DataValidation] = {}
    for n, row in enumerate(rows, start=FIRST_ROW):
        _write_row(book, sheet, n, row, (numbers, wholes), prompts)
    for prompt in prompts.values():
        sheet.add_data_validation(prompt)
    sheet.freeze_panes = f"F{FIRST_ROW}"
    # Only the unlocked cells can be selected or typed in; sorting, inserting and deleting rows
    # stay off, so each row keeps the place the hidden sheet records for it.
    sheet.protection.sheet = True
    sheet.protection.selectLockedCells = False
    sheet.protection.formatColumns = False  # widening a column is allowed


def _write_row(book: Workbook, sheet, n: int, row: FormRow, checks: tuple, prompts: dict) -> None:
    numbers, wholes = checks
    is_count = row.key.count
    texts = (row.unit_name, row.period_name, row.key.indicator, row.indicator_name, row.sex_name)
    for column, text in zip(COLUMNS, texts, strict=False):
        set_text(sheet[f"{column}{n}"], text)
    set_text(sheet[f"I{n}"], row.state_name)
    sheet[f"D{n}"].alignment = Alignment(wrap_text=True, vertical="top")
    num, den, note = sheet[f"{NUM}{n}"], sheet[f"{DEN}{n}"], sheet[f"{NOTE}{n}"]
    num.value = row.numerator
    open_cells = [num, note] if is_count else [num, den, note]
    if not is_count:
        den.value = row.denominator
    set_text(note, row.note)
    for cell in (num, den, note):
        cell.fill = _LOCKED_FILL
    if row.editable:
        for cell in open_cells:
            cell.protection = Protection(locked=False)
            cell.fill = _OPEN_FILL
        (wholes if is_count else numbers).add(num.coordinate)
        if not is_count:
            numbers.add(den.coordinate)
    # Input messages name what each number counts ("Số phụ nữ…"): shown when the cell is selected.
    for cell, label, part in ((num, row.numerator_label, "n"), (den, row.denominator_label, "d")):
        if part == "d" and is_count:
            continue
        book.defined_names[name_for(row.key, part)] = DefinedName(
            name_for(row.key, part), attr_text=f"'{SHEET_DATA}'!${cell.column_letter}${n}"
        )
        if label and row.editable:
            if label not in prompts:  # one validation per label, listing its cells
                prompts[label] = DataValidation(type=None, allow_blank=True, showInputMessage=True)
                prompts[label].prompt = label[:250]
            prompts[label].add(cell.coordinate)


def _write_identity(sheet, identity: FormIdentity, keys: Sequence[RowKey]) -> None:
    pairs = (
        ("format", FORMAT),
        ("plan", identity.plan_id),
        ("version", identity.version),
        ("scope", identity.scope_unit_id),
        ("year", identity.year),
        ("units", ",".join(str(u) for u in identity.unit_ids)),
        ("digest", digest(identity, keys)),
        ("rows", len(keys)),
    )
    for n, (name, value) in enumerate(pairs, start=1):
        sheet.cell(row=n, column=1, value=name)
        sheet.cell(row=n, column=2, value=value)
    for n, key in enumerate(keys, start=ID_ROWS):
        values = (
            n - ID_ROWS + FIRST_ROW,
            key.unit_id,
            key.period,
            key.indicator,
            key.sex,
            key.revision,
            int(key.count),
        )
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=n, column=column)
            set_text(cell, value) if isinstance(value, str) else setattr(cell, "value", value)


# ------------------------------------------------------------------ reading


def read_form(data: bytes) -> FilledForm:
    """What a returned form holds; ``FormUnreadable`` when it is not one of ours or was tampered with."""
    try:
        book = load_workbook(io.BytesIO(data), data_only=True, read_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as error:
        raise FormUnreadable("not_a_workbook") from error
    if SHEET_ID not in book.sheetnames:
        raise FormUnreadable("not_a_form")
    hidden = book[SHEET_ID]
    values = {hidden.cell(row=n, column=1).value: hidden.cell(row=n, column=2).value for n in range(1, 9)}
    if values.get("format") != FORMAT:
        raise FormUnreadable("not_a_form")
    try:
        identity = FormIdentity(
            plan_id=_whole(values["plan"]),
            version=_whole(values["version"]),
            scope_unit_id=_whole(values["scope"]),
            year=_whole(values["year"]),
            unit_ids=tuple(_whole(u) for u in str(values["units"] or "").split(",") if u.strip()),
        )
        keys = [_key(hidden, n) for n in range(ID_ROWS, ID_ROWS + _whole(values["rows"]))]
    except (KeyError, ValueError, TypeError) as error:
        raise FormUnreadable("identity_changed") from error
    if values.get("digest") != digest(identity, [k for _, k in keys]):
        raise FormUnreadable("identity_changed")
    if SHEET_DATA not in book.sheetnames:
        raise FormUnreadable("no_figures")
    return _read_figures(book[SHEET_DATA], identity, keys)


def _whole(value: object) -> int:
    if isinstance(value, bool) or value is None:
        raise ValueError(value)
    number = Decimal(str(value).strip())
    if number != number.to_integral_value():
        raise ValueError(value)
    return int(number)


def _key(sheet, n: int) -> tuple[int, RowKey]:
    row, unit, period, indicator, sex, revision, count = (
        sheet.cell(row=n, column=c).value for c in range(1, 8)
    )
    key = RowKey(
        _whole(unit), str(period), str(indicator), str(sex or ""), _whole(revision), bool(_whole(count))
    )
    return _whole(row), key


def _read_figures(sheet, identity: FormIdentity, keys: list[tuple[int, RowKey]]) -> FilledForm:
    rows, problems = [], []
    for row, key in keys:
        shown = sheet[f"{CODE}{row}"].value
        if str(shown if shown is not None else "").strip() != key.indicator:
            # A row moved or deleted (the sheet unprotected): its place no longer says which figure it is.
            problems.append(CellProblem(cell_ref(CODE, row), "structure_changed", str(shown or "")))
            continue
        numerator = _number(sheet[f"{NUM}{row}"].value, cell_ref(NUM, row), problems)
        denominator = _number(sheet[f"{DEN}{row}"].value, cell_ref(DEN, row), problems)
        note = sheet[f"{NOTE}{row}"].value
        rows.append(FilledRow(key, row, numerator, denominator, "" if note is None else str(note)))
    return FilledForm(identity, tuple(rows), tuple(problems))


def _number(value: object, where: str, problems: list[CellProblem]) -> Decimal | None:
    """A cell's number: Excel's own numbers as they are, text the Vietnamese way ("1.234,5")."""
    if value is None:
        return None
    if isinstance(value, bool | dt.date | dt.time | dt.timedelta):
        problems.append(CellProblem(where, "not_a_number", str(value)))
        return None
    if isinstance(value, int | float | Decimal):
        try:
            return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:
            problems.append(CellProblem(where, "not_a_number", str(value)))
            return None
    try:
        return parse_number_input(str(value))
    except NumberInputError as error:
        problems.append(CellProblem(where, error.code, str(value)))
        return None


# ------------------------------------------------------------------ identity


def identity_problem(identity: FormIdentity, *, plan_id: int, version: int, scope_unit_id: int) -> str | None:
    """Why a form cannot be taken for this page: ``other_plan``, ``old_version``, ``other_unit``; or None."""
    if identity.plan_id != plan_id:
        return "other_plan"
    if identity.version != version:
        return "old_version"
    if identity.scope_unit_id != scope_unit_id:
        return "other_unit"
    return None
