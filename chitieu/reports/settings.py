"""What a coordinator keeps about a plan's reports: header, number, place, signer, "Nơi nhận", closing.

One plain object for every way a report is made: the web app stores it per plan
(a JSON field), ``chitieu report --settings FILE`` reads it from JSON or TOML, and
both hand it to the builders as ``ReportOptions`` (the annual report and any other
report built from the same options). ``check`` names every bad field in Vietnamese;
a settings object is only made from data that passed it, so nothing is half-taken.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from chitieu.reports.build import ReportOptions
from chitieu.reports.model import Signature

# Forms of the signature line allowed by Decree 30/2020/NĐ-CP (Art. 13): on behalf of the
# collective body, signing for the head, by order, by delegated order, acting head.
SIGNING_FORMS = ("TM.", "KT.", "TL.", "TUQ.", "Q.")

# Generous limits that still keep the header blocks and the signature on the page.
LINE_MAX = 120  # one line of the header, the number, a recipient
NAME_MAX = 80  # the signer's name
LINES_MAX = 4  # lines of the issuing body or the signer's title
RECIPIENTS_MAX = 30
CLOSING_MAX = 10  # closing paragraphs
PARAGRAPH_MAX = 2000


# The field names as people see them, for the messages.
LABELS = {
    "issuing_body": "Cơ quan ban hành",
    "parent_body": "Cơ quan chủ quản",
    "number": "Số văn bản",
    "symbol": "Ký hiệu",
    "place": "Địa danh",
    "signer_authority": "Hình thức ký (TM., KT.…)",
    "signer_title": "Chức vụ người ký",
    "signer": "Họ tên người ký",
    "recipients": "Nơi nhận",
    "closing": "Đoạn kết",
}


class SettingsError(ValueError):
    """Settings that cannot be used; ``problems`` maps each bad field to its message."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{LABELS.get(k, k)}: {m}" for k, m in self.problems.items()))


@dataclass(frozen=True)
class ReportSettings:
    """Blank fields keep the report's defaults (the issuer read from the plan, "BC-UBND", …)."""

    issuing_body: str = ""  # "ỦY BAN NHÂN DÂN\nHUYỆN KON RẪY": one line per line of the block
    parent_body: str = ""  # "ỦY BAN NHÂN DÂN TỈNH KON TUM"
    number: str = ""  # blank: left for the clerk
    symbol: str = ""  # "BC-UBND"
    place: str = ""  # "Kon Rẫy": before the date line
    signer_authority: str = ""  # "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"
    signer_title: str = ""  # "CHỦ TỊCH"; "PHÓ CHỦ TỊCH" under "KT. CHỦ TỊCH"
    signer: str = ""  # the signer's full name
    recipients: tuple[str, ...] = ()  # "Nơi nhận" lines without the leading "- "
    closing: tuple[str, ...] = ()  # paragraphs after the body, before the signature

    def options(self, *, issued_on: date | None = None) -> ReportOptions:
        """What the builders take."""
        default = Signature()
        return ReportOptions(
            issuing_body=self.issuing_body,
            parent_body=self.parent_body,
            place=self.place,
            number=self.number,
            symbol=self.symbol or ReportOptions.symbol,
            issued_on=issued_on,
            signature=replace(
                default,
                authority=self.signer_authority or default.authority,
                position=self.signer_title or default.position,
                name=self.signer,
            ),
            recipients=self.recipients,
            closing=self.closing,
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: lists for the tuples."""
        return {
            f.name: list(value) if isinstance(value := getattr(self, f.name), tuple) else value
            for f in fields(self)
        }


KEYS = tuple(f.name for f in fields(ReportSettings))
_LISTS = ("recipients", "closing")
_MULTILINE = ("issuing_body", "signer_title")


def _lines(value: Any) -> tuple[str, ...] | None:
    """A list of strings, or text with one item a line; None when it is neither."""
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return None
    return tuple(v.strip() for v in value if v.strip())


def _text(value: str, multiline: bool) -> str:
    # "\n" typed on a command line or in a one-line box stands for a line break.
    value = value.replace("\\n", "\n").replace("\r\n", "\n")
    lines = [line.strip() for line in value.split("\n")] if multiline else [" ".join(value.split())]
    return "\n".join(line for line in lines if line)


def _check_text(key: str, value: str, problems: dict[str, str]) -> None:
    lines = value.split("\n")
    limit = NAME_MAX if key == "signer" else LINE_MAX
    if key in _MULTILINE and len(lines) > LINES_MAX:
        problems[key] = f"tối đa {LINES_MAX} dòng (đang có {len(lines)})"
    elif longest := max((line for line in lines if len(line) > limit), key=len, default=""):
        problems[key] = f"mỗi dòng tối đa {limit} ký tự (một dòng có {len(longest)})"
    elif any(ord(c) < 32 and c != "\n" for c in value):
        problems[key] = "có ký tự điều khiển không in được"


def _check_list(key: str, items: tuple[str, ...], problems: dict[str, str]) -> None:
    count, limit = (CLOSING_MAX, PARAGRAPH_MAX) if key == "closing" else (RECIPIENTS_MAX, LINE_MAX)
    if len(items) > count:
        problems[key] = f"tối đa {count} mục (đang có {len(items)})"
    elif long := [n for n, item in enumerate(items, start=1) if len(item) > limit]:
        problems[key] = f"mục thứ {long[0]} dài quá {limit} ký tự"
    elif any(ord(c) < 32 for item in items for c in item):
        problems[key] = "có ký tự điều khiển không in được"


def parse_settings(data: Mapping[str, Any], *, require_signer: bool = False) -> ReportSettings:
    """Settings from a mapping (JSON, TOML, a form); SettingsError names every bad field.

    ``require_signer``: a signer's title and name must be given (the web form, where
    the settings are the ones the report is signed with)."""
    problems: dict[str, str] = {}
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        problems["_"] = f"khoá không dùng được: {', '.join(unknown)} (dùng: {', '.join(KEYS)})"
    values: dict[str, Any] = {}
    for key in KEYS:
        raw = data.get(key)
        if raw is None:
            continue
        if key in _LISTS:
            items = _lines(raw)
            if items is None:
                problems[key] = "phải là danh sách các dòng chữ"
                continue
            _check_list(key, items, problems)
            values[key] = items
        elif not isinstance(raw, str):
            problems[key] = "phải là chữ"
        else:
            values[key] = _text(raw, key in _MULTILINE)
            _check_text(key, values[key], problems)
    authority = values.get("signer_authority", "")
    if authority and "signer_authority" not in problems and not authority.upper().startswith(SIGNING_FORMS):
        forms = ", ".join(SIGNING_FORMS)
        problems["signer_authority"] = f"bắt đầu bằng một trong {forms} (Nghị định 30/2020/NĐ-CP)"
    if require_signer:
        for key in ("signer_title", "signer"):
            if not values.get(key) and key not in problems:
                problems[key] = "không được để trống"
    if problems:
        raise SettingsError(problems)
    return ReportSettings(**values)


__all__ = ["KEYS", "LABELS", "ReportSettings", "SettingsError", "parse_settings"]
