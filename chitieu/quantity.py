"""Vietnamese numbers and target texts: "1.234.567,5", "26.6%", "1,7 lần", "31.6/100.000 trẻ".

Vietnamese documents write the decimal comma and the thousands dot, but text
copied between Word, Excel and web forms mixes in the English convention, even
inside one column ("26.6%" next to "1,7 lần"). A single separator followed by
exactly three digits ("1.234", "1,234") can be read both ways: the context
decides where it can (a percentage is not 1234, a rate denominator after "/"
is 1.000 or 100.000), otherwise the Vietnamese reading wins and the result is
flagged for review.

Nothing here raises on bad text: problems come back as ``Issue``s.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from enum import StrEnum

from chitieu.issues import Issue, Severity
from chitieu.plan import Comparator, CountPeriod, Direction, Measure


class NumberContext(StrEnum):
    PLAIN = "plain"  # any number: the Vietnamese reading wins, doubts are flagged
    PERCENT = "percent"  # followed by "%": "1.234" is 1,234 %, not 1234 %
    DENOMINATOR = "denominator"  # after "/": "1.000", "100.000" are thousands


@dataclass(frozen=True)
class NumberReading:
    value: Decimal | None
    doubtful: bool = False  # two readings were possible and context did not decide
    error: str = ""  # why the text is not a number (Vietnamese, for people)


_NUMBER_SHAPE = re.compile(r"[+-]?\d+(?:[.,]\d+)*")


def _grouped(text: str, sep: str) -> int | None:
    """``1.234.567`` with ``sep='.'`` → 1234567; None if the groups are not thousands."""
    head, *groups = text.split(sep)
    if not 1 <= len(head) <= 3 or any(len(g) != 3 for g in groups):
        return None
    return int(head + "".join(groups))


def parse_number(text: str, context: NumberContext = NumberContext.PLAIN) -> NumberReading:
    """Read one number written the Vietnamese or the English way."""
    raw = text.strip().replace(" ", "").replace("\u00a0", "")
    if not _NUMBER_SHAPE.fullmatch(raw):
        return NumberReading(None, error=f"không phải là số: {text.strip()!r}")
    sign = -1 if raw.startswith("-") else 1
    digits = raw.lstrip("+-")
    reading = _unsigned(digits, context)
    if reading.value is None:
        return reading
    value = reading.value.copy_negate() if sign < 0 else reading.value  # exact: no rounding to 28 digits
    return NumberReading(value, reading.doubtful)


def _unsigned(digits: str, context: NumberContext) -> NumberReading:
    dots, commas = digits.count("."), digits.count(",")
    if not dots and not commas:
        return NumberReading(Decimal(digits))
    if dots and commas:
        return _both_separators(digits)
    sep = "." if dots else ","
    if dots + commas > 1:  # "1.234.567": only thousands separators repeat
        grouped = _grouped(digits, sep)
        if grouped is None:
            return NumberReading(None, error=f"nhóm hàng nghìn không đúng: {digits!r}")
        return NumberReading(Decimal(grouped))
    head, tail = digits.split(sep)
    as_decimal = Decimal(f"{head}.{tail}")
    if len(tail) != 3 or len(head) > 3 or head.startswith("0"):
        return NumberReading(as_decimal)  # "26.6", "1,75", "0.125", "1234.567": decimal only
    as_thousands = Decimal(head + tail)
    if context is NumberContext.DENOMINATOR:
        return NumberReading(as_thousands)
    if context is NumberContext.PERCENT:
        return NumberReading(as_decimal)
    # Vietnamese convention: dot groups thousands, comma marks decimals.
    return NumberReading(as_thousands if sep == "." else as_decimal, doubtful=True)


def _both_separators(digits: str) -> NumberReading:
    last = max(digits.rfind("."), digits.rfind(","))
    decimal_sep = digits[last]
    thousands_sep = "," if decimal_sep == "." else "."
    whole, fraction = digits[:last], digits[last + 1 :]
    if decimal_sep in whole:
        return NumberReading(None, error=f"dấu phân cách không nhất quán: {digits!r}")
    grouped = _grouped(whole, thousands_sep)
    if grouped is None:
        return NumberReading(None, error=f"nhóm hàng nghìn không đúng: {digits!r}")
    return NumberReading(Decimal(f"{grouped}.{fraction}"))


# Rounding to a number of places gives the same digits in any context with room for them: one
# context of its own with room for any figure, used by name, rather than a localcontext() for each
# number (a country's explanations round a million of them).
_ROOMY = Context(prec=1000)
_QUANTA = tuple(Decimal(1).scaleb(-places) for places in range(16))


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half up to ``places`` decimals (the one rounding of what is shown)."""
    if 0 <= places < len(_QUANTA) and value.adjusted() + places + 2 <= _ROOMY.prec:
        return value.quantize(_QUANTA[places], rounding=ROUND_HALF_UP, context=_ROOMY)
    # Room for every digit: the default 28-digit context refuses to quantize a large figure.
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + places + 2)
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def format_number(value: Decimal, places: int | None = None) -> str:
    """1234.5 → "1.234,5" (thousands dot, decimal comma); ``places`` rounds half up."""
    if places is not None:
        value = round_half_up(value, places)
    plain = format(value, "f")
    sign = "-" if plain.startswith("-") else ""
    whole, _, fraction = plain.lstrip("-").partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        whole, group = whole[:-3], whole[-3:]
        groups.insert(0, group)
    text = ".".join([whole, *groups])
    if sign and set(text + fraction) <= {"0", "."}:
        sign = ""  # no "-0"
    return sign + text + ("," + fraction if fraction else "")


# ---------------------------------------------------------------- target texts


@dataclass(frozen=True)
class Quantity:
    """A target cell read: the number, what it measures and any wording hints."""

    text: str
    value: Decimal | None
    measure: Measure | None = None  # None: a bare number, the measure must come from elsewhere
    per: int | None = None  # rate/ratio denominator: 1000, 100000, 100
    per_period: CountPeriod | None = None  # counts: per month, quarter, year
    comparator: Comparator | None = None  # from "ít nhất", "dưới", … when written
    direction: Direction | None = None  # from "Tăng", "Giảm", "Duy trì" when written
    unit_label: str = ""  # "%", "lần", "/100.000 trẻ", "tin, bài/quý"
    issues: tuple[Issue, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.value is not None


# Longest phrases first so that "không vượt quá" wins over "không".
_QUALIFIERS: tuple[tuple[str, Comparator | None, Direction | None], ...] = (
    ("không vượt quá", Comparator.LE, Direction.DECREASE),
    ("không cao hơn", Comparator.LE, Direction.DECREASE),
    ("không thấp hơn", Comparator.GE, Direction.INCREASE),
    ("không quá", Comparator.LE, Direction.DECREASE),
    ("không dưới", Comparator.GE, Direction.INCREASE),
    ("thấp hơn", Comparator.LE, Direction.DECREASE),
    ("cao hơn", Comparator.GE, Direction.INCREASE),
    ("tối thiểu", Comparator.GE, Direction.INCREASE),
    ("tối đa", Comparator.LE, Direction.DECREASE),
    ("ít nhất", Comparator.GE, Direction.INCREASE),
    ("duy trì", None, Direction.MAINTAIN),
    ("xấp xỉ", Comparator.EQ, None),
    ("khoảng", Comparator.EQ, None),
    ("dưới", Comparator.LE, Direction.DECREASE),
    ("trên", Comparator.GE, Direction.INCREASE),
    ("đạt", Comparator.GE, Direction.INCREASE),
    ("tăng", None, Direction.INCREASE),
    ("giảm", None, Direction.DECREASE),
    ("từ", Comparator.GE, Direction.INCREASE),
    # Filler words between a verb and the number: "tăng lên 60%", "giảm xuống còn 1,7 lần".
    ("mức", None, None),
    ("còn", None, None),
    ("lên", None, None),
    ("xuống", None, None),
    ("đến", None, None),
    ("tới", None, None),
    ("ở", None, None),
    ("là", None, None),
    (">=", Comparator.GE, Direction.INCREASE),
    ("≥", Comparator.GE, Direction.INCREASE),
    ("<=", Comparator.LE, Direction.DECREASE),
    ("≤", Comparator.LE, Direction.DECREASE),
    (">", Comparator.GE, Direction.INCREASE),
    ("<", Comparator.LE, Direction.DECREASE),
    ("=", Comparator.EQ, None),
)
_SUFFIXES = (("trở lên", Comparator.GE, Direction.INCREASE), ("trở xuống", Comparator.LE, Direction.DECREASE))
_PERIOD_WORDS = {"tháng": CountPeriod.MONTH, "quý": CountPeriod.QUARTER, "năm": CountPeriod.YEAR}
_LEADING_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)*")
_PER_PERIOD = re.compile(
    r"^(?P<label>.*?)\s*(?:/|\bmỗi\b|\bmột\b|\bhàng\b|\btrong\b)\s*(?P<period>tháng|quý|năm)$"
)
_PER_NUMBER = re.compile(r"^(?P<label>.*?)\s*/\s*(?P<per>\d+(?:[.,]\d+)*)\s*(?P<rest>.*)$")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").replace("％", "%")
    return " ".join(text.split())


def _strip_qualifiers(text: str) -> tuple[str, Comparator | None, Direction | None, bool]:
    comparator: Comparator | None = None
    direction: Direction | None = None
    approximate = False
    changed = True
    while changed:
        changed = False
        lowered = text.lower()
        for phrase, comp, direc in _QUALIFIERS:
            if lowered.startswith(phrase) and (
                not phrase[-1].isalpha() or not lowered[len(phrase) : len(phrase) + 1].isalpha()
            ):
                text = text[len(phrase) :].lstrip(" :")
                comparator = comparator or comp
                direction = direction or direc
                approximate = approximate or phrase in ("khoảng", "xấp xỉ")
                changed = True
                break
    for phrase, comp, direc in _SUFFIXES:
        if text.lower().endswith(phrase):
            text = text[: -len(phrase)].rstrip()
            comparator = comparator or comp
            direction = direction or direc
    return text, comparator, direction, approximate


def parse_quantity(text: str, where: str = "") -> Quantity:
    """Read a target cell such as "ít nhất 03 tin, bài/quý"; never raises."""
    original = _clean(text)
    if not original:
        return Quantity(original, None)
    body, comparator, direction, approximate = _strip_qualifiers(original)
    issues: list[Issue] = []
    if approximate:
        issues.append(
            Issue(
                Severity.REVIEW,
                where,
                f"chỉ tiêu ghi gần đúng ({original!r}): coi là bằng giá trị",
                "approximate",
            )
        )
    number = _LEADING_NUMBER.match(body)
    if number is None:
        return _bad(original, where, f"không đọc được số trong {original!r}", "not_a_number")
    rest = body[number.end() :].strip()
    shape = _shape(rest)
    if shape is None:
        return _bad(original, where, f"không hiểu đơn vị của chỉ tiêu {original!r}", "unknown_unit")
    measure, per_text, per_period, label = shape
    context = NumberContext.PERCENT if measure is Measure.PERCENT else NumberContext.PLAIN
    reading = parse_number(number.group(), context)
    if reading.value is None:
        return _bad(original, where, reading.error, "not_a_number")
    if reading.doubtful:
        issues.append(_doubt(original, number.group(), reading.value, where))
    per = None
    if per_text is not None:
        per_reading = parse_number(per_text, NumberContext.DENOMINATOR)
        if (
            per_reading.value is None
            or per_reading.value <= 0
            or per_reading.value != per_reading.value.to_integral()
        ):
            return _bad(original, where, f"mẫu số không hợp lệ trong {original!r}", "bad_denominator")
        per = int(per_reading.value)
    return Quantity(
        text=original,
        value=reading.value,
        measure=measure,
        per=per,
        per_period=per_period,
        comparator=comparator,
        direction=direction,
        unit_label=label,
        issues=tuple(issues),
    )


def _shape(rest: str) -> tuple[Measure | None, str | None, CountPeriod | None, str] | None:
    """What follows the number: (measure, denominator text, count period, unit label)."""
    lowered = rest.lower()
    if not rest:
        return None, None, None, ""
    if rest.startswith("%") and _plain_words(rest[1:]):
        return Measure.PERCENT, None, None, "%"
    if (lowered == "lần" or lowered.startswith("lần ")) and _plain_words(rest[3:]):
        return Measure.TIMES, None, None, "lần"
    if m := _PER_PERIOD.match(rest):
        if not m["label"] or _LEADING_NUMBER.match(m["label"]):
            return None
        return Measure.COUNT, None, _PERIOD_WORDS[m["period"].lower()], f"{m['label']}/{m['period']}"
    if m := _PER_NUMBER.match(rest):
        label = f"{m['label']}/{m['per']}" + (f" {m['rest']}" if m["rest"] else "")
        # "30/100.000 trẻ" is a rate; "100 bé trai/100 bé gái" compares two groups: a ratio.
        measure = Measure.RATIO if m["label"] else Measure.RATE
        return measure, m["per"], None, label
    if rest[0].isalpha() and not any(ch.isdigit() for ch in rest):
        return Measure.COUNT, None, None, rest  # "5 lớp", "03 tin, bài"
    return None


def _plain_words(text: str) -> bool:
    """Trailing words such as "số xã" after "60%": no numbers, no second unit."""
    return not re.search(r"[\d%/]", text)


def _bad(text: str, where: str, message: str, code: str) -> Quantity:
    return Quantity(text, None, issues=(Issue(Severity.ERROR, where, message, code),))


def _doubt(text: str, number: str, value: Decimal, where: str) -> Issue:
    return Issue(
        Severity.REVIEW,
        where,
        f"số {number!r} trong {text!r} có thể hiểu hai cách; đã hiểu là {format_number(value)}",
        "ambiguous_number",
    )


def to_decimal(value: object) -> Decimal | None:
    """A number stored as a number (Excel) → Decimal without binary float noise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        try:
            number = Decimal(repr(value))
        except InvalidOperation:
            return None
    else:
        return None
    return number if number.is_finite() else None  # NaN and infinity are no figures


# A rate's unit as the annex writes it ("/100.000 trẻ") names only the denominator: a column headed
# "Đơn vị tính" should read as a unit ("trẻ/100.000 trẻ sinh ra sống").
_RATE_LABEL = re.compile(r"^/\s*([\d.]+)\s*(.*)$")
_LIVE_BIRTHS = "trẻ sinh ra sống"


def unit_words(label: str) -> str:
    """An indicator's unit as a column shows it: "/100.000 trẻ" → "trẻ/100.000 trẻ sinh ra sống"."""
    label = " ".join((label or "").split())
    found = _RATE_LABEL.match(label)
    if not found:
        return label
    per, noun = found[1], found[2].strip()
    if not noun:
        return f"trên {per}"
    if noun == "trẻ":
        return f"trẻ/{per} {_LIVE_BIRTHS}"
    return f"{noun}/{per} {noun}"


def _plain(value: Decimal, places: int) -> str:
    text = format_number(Decimal(value), places)
    return text.rstrip("0").rstrip(",") if "," in text else text


def format_percent(value: Decimal, places: int = 2) -> str:
    """26.6 → "26,6 %": the Vietnamese decimal comma and a space before the sign."""
    return f"{_plain(value, places)} %"


def format_quantity(value: Decimal, unit_label: str = "", places: int = 2) -> str:
    """A value with its indicator's unit, as people write it: "26,6 %", "31,6/100.000 trẻ", "1,7 lần"."""
    number = _plain(value, places)
    unit = " ".join((unit_label or "").split())
    if not unit:
        return number
    if unit == "%":
        return f"{number} %"
    if unit.startswith("/"):
        return f"{number}{unit}"
    return f"{number} {unit}"
