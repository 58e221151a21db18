"""A synthetic country for testing chitieu at national scale (``chitieu synth``).

63 provinces, 705 districts and 10,599 communes as in Việt Nam before the 2025
reorganisation, with generated names and GSO-style codes, the lead offices of
the Kon Rẫy annex in every district, the annex's indicators assigned at
realistic levels, and 2021–2025 figures with numerators and denominators.

Everything comes from random generators seeded by text (the seed and a unit's
code), so one seed gives the same bytes on every run, and a smaller country
(``provinces=N``) is the first N provinces of the larger one. Observations are
produced one commune at a time and written as they come: memory stays flat.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import math
import random
import shutil
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import BinaryIO, cast

from chitieu import __version__, konray
from chitieu.levels import default_frequency, office_leads, reported_by_communes
from chitieu.names import name_key
from chitieu.periods import PeriodKind
from chitieu.plan import Plan

# ---------------------------------------------------------------- sizes


@dataclass(frozen=True)
class Size:
    provinces: int
    districts: int
    communes: int


NATIONAL = Size(provinces=63, districts=705, communes=10_599)
CITY_PROVINCES = 5  # Hà Nội, Hải Phòng, Đà Nẵng, TP Hồ Chí Minh, Cần Thơ
FIRST_YEAR, LAST_YEAR = 2021, 2025


class SynthError(ValueError):
    """Options that cannot make a country; the message is meant for users."""


@dataclass(frozen=True)
class SynthOptions:
    seed: int = 2024
    scale: float | None = None  # fraction of the national counts
    provinces: int | None = None  # keep the first N provinces
    communes_per_district: int | None = None  # every district gets exactly N communes
    first_year: int = FIRST_YEAR
    last_year: int = LAST_YEAR
    gzip: bool = False

    def checked(self) -> SynthOptions:
        if self.scale is not None and not (0 < self.scale <= 1):
            raise SynthError(f"--scale phải lớn hơn 0 và không quá 1 (nhận được {self.scale})")
        if self.provinces is not None and not (1 <= self.provinces <= NATIONAL.provinces):
            raise SynthError(f"--provinces phải từ 1 đến {NATIONAL.provinces} (nhận được {self.provinces})")
        if self.communes_per_district is not None and not (1 <= self.communes_per_district <= 60):
            raise SynthError(
                f"--communes-per-district phải từ 1 đến 60 (nhận được {self.communes_per_district})"
            )
        if not (2000 <= self.first_year <= self.last_year <= 2100):
            raise SynthError(
                f"--years: năm không hợp lệ {self.first_year}-{self.last_year}"
                " (năm đầu không sau năm cuối, trong khoảng 2000–2100)"
            )
        return self

    def size(self) -> Size:
        """The country before keeping the first ``provinces``."""
        if self.scale is None:
            return NATIONAL
        provinces = max(1, round(NATIONAL.provinces * self.scale))
        districts = max(provinces, round(NATIONAL.districts * self.scale))
        return Size(provinces, districts, max(districts, round(NATIONAL.communes * self.scale)))


def parse_years(text: str) -> tuple[int, int]:
    """``2021-2025`` or ``2024`` → (first, last); SynthError otherwise."""
    parts = [p.strip() for p in text.replace("–", "-").split("-")]
    if len(parts) in (1, 2) and all(p.isdigit() and len(p) == 4 for p in parts):
        first, last = int(parts[0]), int(parts[-1])
        if first <= last:
            return first, last
    raise SynthError(f"--years: {text!r} không phải khoảng năm (ví dụ 2021-2025 hoặc 2024)")


# ---------------------------------------------------------------- names


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Sino-Vietnamese syllables common in place names, and the usual pairings.
_KINH = _words(
    "An Bình Hòa Phú Tân Thạnh Long Mỹ Đông Tây Nam Bắc Hưng Thuận Phước Xuân Thủy Sơn Hải Quang Trung"
    " Đức Vĩnh Lộc Thịnh Hiệp Lợi Thành Khánh Cát Yên Phong Minh Hợp Tiến Hồng Lạc Kim Ngọc Thanh Lâm"
    " Gia Hà Quảng Định Nghĩa Tường Châu Điền Hương Lương Văn Phúc Tiên Cẩm Trà Hội Bảo Chánh Thái Hiển"
    " Thiện Quý Đại Tam Lập Liên Tịnh Mai Đồng Triệu Kiến Vân Thượng Hạ Nhơn Tú Trường Tháp Ninh Sông"
)
# Highland names: Ê Đê, Ba Na, Xơ Đăng, Gia Rai, Thái, Tày, H'Mông places.
_HIGHLAND_FIRST = _words("Đăk Ia Ea Krông Chư Kon Mường Nậm Pá Sín Bản Nà Pác Tà Sa Măng Ngọc Đắk Cư Hua")
_HIGHLAND_SECOND = _words(
    "Rve Pne Kôi Ruồng Blô Hring Mơ Lây Glei Grai Pa Hra Dom Sum Rông Kar Hà Nhé Púa Lum Tô Hlê Drăng"
    " Mil Song Pơ Rơ Bar Kheng Chải Khoang Lùng Mòn Xá Cang Tung Nông Bông Wil Jút Ang Sao Pết Ma Kroa"
)
_SPECIAL_WARDS = 16  # city wards named by number: "Phường 1" … "Phường 16"


def _place_name(rng: random.Random, highland: bool) -> str:
    if highland and rng.random() < 0.7:
        return f"{rng.choice(_HIGHLAND_FIRST)} {rng.choice(_HIGHLAND_SECOND)}"
    first, second = rng.sample(_KINH, 2)
    return f"{first} {second}"


def _unique_name(rng: random.Random, prefix: str, highland: bool, taken: set[str]) -> str:
    for _ in range(200):
        name = f"{prefix} {_place_name(rng, highland)}"
        if name not in taken:
            taken.add(name)
            return name
    raise AssertionError("name lists too short for this many siblings")  # cannot happen at 60 siblings


# ---------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Unit:
    code: str
    name: str
    kind: str  # nation, province, district, commune, office
    parent_code: str


@dataclass(frozen=True)
class Office:
    short: str  # in the unit code: "611-YT"
    name: str


# The lead offices of the Kon Rẫy annex, one of each in every district.
OFFICES = tuple(
    Office(short, name)
    for short, name in zip(
        ("NV", "LDTBXH", "TCKH", "VHTT", "YT", "GDDT", "TTVH"), konray.OFFICES, strict=True
    )
)


@dataclass(frozen=True)
class Province:
    unit: Unit
    highland: bool
    development: float  # 0 (poorest, most rural) … 1 (richest, most urban)
    minority_share: float  # share of ethnic-minority people


@dataclass(frozen=True)
class Commune:
    unit: Unit
    province: Province
    population: int
    bias: float  # -2 … 2: how far this commune sits from its province's typical figures


def _spread(rng: random.Random, total: int, parts: int, low: int, sigma: float) -> list[int]:
    """``parts`` uneven whole numbers, each at least ``low``, summing exactly to ``total``."""
    low = min(low, total // parts)
    weights = [rng.lognormvariate(0, sigma) for _ in range(parts)]
    spare = total - low * parts
    shares = [spare * w / sum(weights) for w in weights]
    counts = [low + int(s) for s in shares]
    # Largest remainders get the units lost to rounding down.
    order = sorted(range(parts), key=lambda i: (int(shares[i]) - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _codes(rng: random.Random, count: int, first: int, ceiling: int, step: int) -> list[int]:
    """Increasing codes from ``first`` with small irregular gaps, never above ``ceiling``."""
    codes, code = [], first
    for remaining in range(count, 0, -1):
        codes.append(code)
        room = ceiling - code - (remaining - 1) * step
        gap = step + (step if rng.random() < 0.3 else 0)
        code += min(gap, max(step, room // max(remaining, 1)))
    return codes


def _district_kinds(rng: random.Random, count: int, city: bool) -> list[str]:
    """First a provincial city, then quận (centrally run cities) or thị xã, then huyện."""
    if city:
        urban = max(1, round(count * rng.uniform(0.5, 0.8)))
        kinds = ["Quận"] * urban + (["Thành phố"] if count > urban + 2 else [])
    else:
        cities = 2 if count > 8 and rng.random() < 0.3 else 1
        towns = sum(count > 6 and rng.random() < p for p in (0.6, 0.25))
        kinds = ["Thành phố"] * cities + ["Thị xã"] * towns
    kinds = kinds[:count]
    return kinds + ["Huyện"] * (count - len(kinds))


def _commune_prefixes(rng: random.Random, count: int, district_kind: str) -> list[str]:
    if district_kind == "Quận":
        return ["Phường"] * count
    if district_kind in ("Thành phố", "Thị xã"):
        wards = max(1, round(count * rng.uniform(0.5, 0.85)))
        return ["Phường"] * wards + ["Xã"] * (count - wards)
    towns = 1 if count < 20 or rng.random() < 0.8 else 2
    return ["Thị trấn"] * min(towns, count) + ["Xã"] * (count - min(towns, count))


@dataclass
class Country:
    nation: Unit
    provinces: list[Province]
    districts: list[Unit]
    offices: list[Unit]
    communes: list[Commune]

    def units(self) -> Iterator[Unit]:
        """Parents before children: nation, then each province with its districts, offices, communes."""
        yield self.nation
        by_parent: dict[str, list[Unit]] = {}
        for unit in [*self.districts, *self.offices, *(c.unit for c in self.communes)]:
            by_parent.setdefault(unit.parent_code, []).append(unit)
        for province in self.provinces:
            yield province.unit
            for district in by_parent.get(province.unit.code, []):
                yield district
                yield from by_parent.get(district.code, [])

    def counts(self) -> dict[str, int]:
        return {
            "nation": 1,
            "province": len(self.provinces),
            "district": len(self.districts),
            "office": len(self.offices),
            "commune": len(self.communes),
        }


def build_country(options: SynthOptions) -> Country:
    """The tree for these options: names, codes and each commune's population."""
    options = options.checked()
    size = options.size()
    rng = random.Random(f"{options.seed}/layout")
    per_province = _spread(rng, size.districts, size.provinces, low=1, sigma=0.45)
    district_counts = _spread(rng, size.communes, size.districts, low=1, sigma=0.5)
    if options.communes_per_district is not None:
        district_counts = [options.communes_per_district] * size.districts
    province_codes = _codes(rng, size.provinces, 1, 96, 1)
    district_codes = _codes(rng, size.districts, 1, 999, 1)
    commune_codes = _codes(rng, sum(district_counts), 1, 99_997, 3)

    nation = Unit("VN", "Việt Nam", "nation", "")
    country = Country(nation, [], [], [], [])
    province_names: set[str] = set()
    d_index = c_index = 0
    keep = options.provinces or size.provinces
    for p_index in range(size.provinces):
        city = p_index < min(CITY_PROVINCES, max(1, size.provinces // 12))
        highland = not city and rng.random() < 0.25
        code = f"{province_codes[p_index]:02d}"
        name = _unique_name(rng, "Thành phố" if city else "Tỉnh", highland, province_names)
        province = Province(
            Unit(code, name, "province", nation.code),
            highland,
            development=round(rng.uniform(0.7, 1.0) if city else rng.uniform(0.1, 0.7), 3),
            minority_share=round(rng.uniform(0.4, 0.9) if highland else rng.uniform(0.02, 0.2), 3),
        )
        district_names: set[str] = set()
        kinds = _district_kinds(rng, per_province[p_index], city)
        new_districts, new_communes = [], []
        for kind in kinds:
            d_code = f"{district_codes[d_index]:03d}"
            district = Unit(
                d_code, _unique_name(rng, kind, highland, district_names), "district", province.unit.code
            )
            new_districts.append(district)
            commune_names: set[str] = set()
            prefixes = _commune_prefixes(rng, district_counts[d_index], kind)
            numbered = kind == "Quận" and rng.random() < 0.3
            for position, prefix in enumerate(prefixes, start=1):
                if numbered and position <= _SPECIAL_WARDS:
                    name = f"Phường {position}"
                    commune_names.add(name)
                else:
                    name = _unique_name(rng, prefix, highland, commune_names)
                median = 14_000 if prefix == "Phường" else 9_000 if prefix == "Thị trấn" else 7_500
                population = min(80_000, max(1_500, round(rng.lognormvariate(math.log(median), 0.45))))
                bias = round(min(2.0, max(-2.0, rng.gauss(0, 1))), 3)
                new_communes.append(
                    Commune(
                        Unit(f"{commune_codes[c_index]:05d}", name, "commune", d_code),
                        province,
                        population,
                        bias,
                    )
                )
                c_index += 1
            d_index += 1
        if p_index < keep:  # draws above are made for every province so that kept ones stay the same
            country.provinces.append(province)
            country.districts += new_districts
            country.communes += new_communes
            country.offices += [
                Unit(f"{d.code}-{o.short}", o.name, "office", d.code) for d in new_districts for o in OFFICES
            ]
    return country


# ---------------------------------------------------------------- who reports what


@dataclass(frozen=True)
class Assignment:
    indicator: str
    reporters: str  # "communes" or "offices"
    frequency: str  # year, half, quarter, month
    by_sex: bool
    office: str  # for "offices": the office's name in every district


COMMUNES, OFFICES_REPORT = "communes", "offices"

# Levels for a national roll-out of the Kon Rẫy annex. Communes report what
# happens in them: births and maternal deaths monthly (commune health station
# registers), violence cases quarterly (as the Kon Rẫy demo has them), labour
# shares quarterly, outreach monthly; district offices report what only they
# hold (firms, schools, facilities, surveys). Indicators not listed follow the
# plan's own rules (chitieu.levels).
NATIONAL_LEVELS: dict[str, tuple[str, PeriodKind]] = {
    "1.1": (COMMUNES, PeriodKind.YEAR),  # does the commune have a woman among its key leaders
    "2.1": (COMMUNES, PeriodKind.QUARTER),
    "2.2": (COMMUNES, PeriodKind.QUARTER),
    **{code: (COMMUNES, PeriodKind.QUARTER) for code in konray.COMMUNE_QUARTERLY},
    "4.1": (COMMUNES, PeriodKind.MONTH),
    "4.2": (COMMUNES, PeriodKind.MONTH),
    "4.3": (COMMUNES, PeriodKind.YEAR),
    "5.2a": (COMMUNES, PeriodKind.YEAR),
    "5.2b": (COMMUNES, PeriodKind.YEAR),
    "6.1": (COMMUNES, PeriodKind.MONTH),
    "6.2": (COMMUNES, PeriodKind.MONTH),
}
# People reached by outreach are counted by sex as well: who was reached is the point of a gender plan.
NATIONAL_BY_SEX = frozenset({"6.1"})


def _office_named(lead: str) -> str | None:
    key = name_key(lead)
    return next((o.name for o in OFFICES if name_key(o.name) == key), None)


def national_assignments(plan: Plan) -> list[Assignment]:
    """One assignment per indicator of the plan; SynthError if a lead office is not one we make."""
    made = []
    for indicator in plan.indicators:
        by_sex = indicator.by_sex or indicator.code in NATIONAL_BY_SEX
        level = NATIONAL_LEVELS.get(indicator.code)
        if level is None and reported_by_communes(indicator):
            level = (COMMUNES, default_frequency(indicator))
        if level is not None:
            made.append(Assignment(indicator.code, level[0], level[1].value, by_sex, ""))
            continue
        offices = [name for lead in office_leads(indicator) if (name := _office_named(lead))]
        if not offices:
            raise SynthError(
                f"chỉ tiêu {indicator.code}: đơn vị chủ trì {', '.join(indicator.lead_units) or '(trống)'}"
                " không phải phòng ban có trong dữ liệu mẫu"
            )
        made.append(
            Assignment(indicator.code, OFFICES_REPORT, default_frequency(indicator).value, by_sex, offices[0])
        )
    return made


# ---------------------------------------------------------------- figures


def _poisson(rng: random.Random, mean: float) -> int:
    if mean <= 0:
        return 0
    if mean > 40:  # normal approximation; exact enough for synthetic counts
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        k += 1
        product *= rng.random()
    return k


def _binomial(rng: random.Random, n: int, p: float) -> int:
    p = min(1.0, max(0.0, p))
    if n < 25:
        return sum(rng.random() < p for _ in range(n))
    return min(n, max(0, round(rng.gauss(n * p, math.sqrt(n * p * (1 - p))))))


def _share(rng: random.Random, centre: float, spread: float = 0.06) -> float:
    return min(0.995, max(0.005, rng.gauss(centre, spread)))


Figure = tuple[int | None, int | None, int | None]  # numerator, denominator, value


def _commune_figure(
    code: str, sex: str, commune: Commune, year_step: float, months: int, rng: random.Random
) -> Figure:
    """One commune's figure for an indicator over ``months`` months; ``year_step`` 0 … 1 over the years.

    Stocks (women in work, girls 15–19, adults) follow the commune's population,
    growing slowly; flows (births, cases) are drawn for the period; shares move
    towards the plan's targets over the years.
    """
    dev, minority, bias = commune.province.development, commune.province.minority_share, commune.bias
    pop = commune.population * (1 + 0.04 * year_step)
    ward = commune.unit.name.startswith("Phường")
    if code == "1.1":
        return _binomial(rng, 1, 0.45 + 0.15 * year_step + 0.1 * dev + 0.05 * bias), 1, None
    if code in ("2.1", "2.2"):
        women = round(pop * (0.295 + 0.01 * bias))
        if code == "2.1":
            share = 0.25 + 0.45 * dev + (0.15 if ward else 0) + 0.04 * year_step + 0.05 * bias
        else:
            share = 0.75 - 0.55 * dev - (0.4 if ward else 0) - 0.05 * year_step - 0.05 * bias
        return round(women * _share(rng, share, 0.01)), women, None
    if code == "3.2a":
        victims = 1 + _poisson(rng, pop / 5000 * months / 3)
        return _binomial(rng, victims, 0.72 + 0.12 * year_step), victims, None
    if code == "3.2b":
        offenders = 1 + _poisson(rng, pop / 7000 * months / 3)
        return _binomial(rng, offenders, 0.4 + 0.2 * year_step), offenders, None
    if code in ("4.1", "4.2"):
        births = max(1, _poisson(rng, pop * (0.0175 - 0.004 * dev) * months / 12))
        if code == "4.2":  # maternal deaths per live births
            return _poisson(rng, births * 0.00046), births, None
        boys = _binomial(rng, births, 0.527 - 0.004 * year_step)  # about 111 boys per 100 girls
        return boys, max(1, births - boys), None
    if code == "4.3":
        girls_15_19 = max(20, round(pop * 0.035 * (1 + 0.05 * bias)))
        rate = max(0.005, 0.075 - 0.05 * dev + 0.03 * minority - 0.01 * year_step + 0.005 * bias)
        return _poisson(rng, girls_15_19 * rate * months / 12), girls_15_19, None
    if code in ("5.2a", "5.2b"):
        share = max(minority * (1 + 0.2 * bias), 0.03)
        cohort = max(1, round(pop * share * 0.0075 * (1.02 if sex == "M" else 0.98)))
        rate = (0.96 if code == "5.2a" else 0.88) + 0.02 * year_step + 0.02 * dev
        return _binomial(rng, cohort, rate), cohort, None
    if code == "6.1":
        adults = round(pop * (0.37 if sex == "F" else 0.36))
        share = 0.48 + 0.15 * year_step + 0.1 * dev + (0.03 if sex == "F" else 0) + 0.03 * bias
        return round(adults * _share(rng, share, 0.03)), adults, None
    if code == "6.2":
        bodies = min(16, 8 + int(pop / 2500))
        return _binomial(rng, bodies, 0.88 + 0.08 * year_step), bodies, None
    if code == "6.3":
        if rng.random() < 0.88 + 0.08 * year_step:  # most communes post their three items a quarter
            return None, None, (3 + _poisson(rng, 1.5)) * months // 3
        return None, None, rng.randint(0, 2)
    return _generic(rng, months)


def _office_figure(code: str, district_pop: int, dev: float, year_step: float, months: int, rng) -> Figure:
    if code == "2.3":
        firms = max(20, round(district_pop * (0.002 + 0.01 * dev)))
        return _binomial(rng, firms, 0.22 + 0.06 * year_step), firms, None
    if code == "3.1":  # unpaid care work a week from a survey, in tenths of hours: women, then men
        men = rng.randint(75, 95)
        return round(men * rng.uniform(1.65, 2.1) * (1 - 0.05 * year_step)), men, None
    if code == "3.3":
        returned = 1 + _poisson(rng, 0.8)
        return _binomial(rng, returned, 0.85 + 0.1 * year_step), returned, None
    if code == "3.4":
        facilities = rng.randint(1, 3)
        return _binomial(rng, facilities, 0.6 + 0.2 * year_step), facilities, None
    if code == "5.1":
        schools = max(5, round(district_pop / 4000))
        return _binomial(rng, schools, 0.85 + 0.12 * year_step), schools, None
    if code == "5.3":
        enrolled = max(20, round(district_pop * rng.uniform(0.002, 0.005)))
        return _binomial(rng, enrolled, 0.27 + 0.04 * year_step), enrolled, None
    if code == "6.4":
        return None, None, max(0, min(3, _poisson(rng, 1.1))) * months
    return _generic(rng, months)


def _generic(rng: random.Random, months: int) -> Figure:
    whole = rng.randint(20, 200)
    return rng.randint(0, whole), whole, None


# ---------------------------------------------------------------- rows

MISSING_REPORT = 0.03  # a unit's whole report for a period not sent
MISSING_FIGURE = 0.005  # one figure left blank in a sent report
_MONTHS = {"year": 12, "half": 6, "quarter": 3, "month": 1}
SEXES = ("F", "M")


def period_keys(frequency: str, year: int) -> list[str]:
    if frequency == "year":
        return [str(year)]
    if frequency == "half":
        return [f"{year}-H1", f"{year}-H2"]
    if frequency == "quarter":
        return [f"{year}-Q{q}" for q in range(1, 5)]
    return [f"{year}-{m:02d}" for m in range(1, 13)]


def _cell(number: int | None) -> str:
    return "" if number is None else str(number)


def _line(indicator: str, period: str, unit: str, sex: str, figure: Figure) -> str:
    num, den, value = figure
    return f"{indicator},{period},{unit},{sex},{_cell(num)},{_cell(den)},{_cell(value)},\n"


def _year_step(options: SynthOptions, year: int) -> float:
    span = options.last_year - options.first_year
    return 0.0 if span == 0 else (year - options.first_year) / span


def _unit_rows(
    unit_code: str,
    assignments: list[Assignment],
    options: SynthOptions,
    figure: Callable[[str, str, float, int, random.Random], Figure],
) -> Iterator[str]:
    """Every row one unit reports over the years, some reports missing."""
    rng = random.Random(f"{options.seed}/{unit_code}")
    by_frequency: dict[str, list[Assignment]] = {}
    for a in assignments:
        by_frequency.setdefault(a.frequency, []).append(a)
    for year in range(options.first_year, options.last_year + 1):
        step = _year_step(options, year)
        for frequency, group in by_frequency.items():
            months = _MONTHS[frequency]
            for period in period_keys(frequency, year):
                if rng.random() < MISSING_REPORT:
                    continue
                for a in group:
                    for sex in SEXES if a.by_sex else ("",):
                        if rng.random() < MISSING_FIGURE:
                            continue
                        yield _line(
                            a.indicator, period, unit_code, sex, figure(a.indicator, sex, step, months, rng)
                        )


def observation_lines(
    country: Country, plan: Plan, assignments: list[Assignment], options: SynthOptions
) -> Iterator[tuple[str, list[str]]]:
    """(unit code, its CSV lines) for each reporting unit, communes first by district, then offices."""
    for_communes = [a for a in assignments if a.reporters == COMMUNES]
    for_offices = [a for a in assignments if a.reporters == OFFICES_REPORT]
    district_pop: Counter[str] = Counter()
    for commune in country.communes:
        district_pop[commune.unit.parent_code] += commune.population

        def commune_figure(code, sex, step, months, rng, commune=commune):
            return _commune_figure(code, sex, commune, step, months, rng)

        yield commune.unit.code, list(_unit_rows(commune.unit.code, for_communes, options, commune_figure))
    development = {
        d.code: p.development
        for p in country.provinces
        for d in country.districts
        if d.parent_code == p.unit.code
    } | {p.unit.code: p.development for p in country.provinces}  # offices under a province (2026)
    for office in country.offices:
        mine = [a for a in for_offices if a.office == office.name]
        if not mine:
            continue
        district = office.parent_code
        pop, dev = district_pop[district], development[district]

        def office_figure(code, sex, step, months, rng, pop=pop, dev=dev):
            return _office_figure(code, pop, dev, step, months, rng)

        yield office.code, list(_unit_rows(office.code, mine, options, office_figure))


# ---------------------------------------------------------------- the directory

OBSERVATION_HEADER = "indicator,period,org_unit,sex,numerator,denominator,value,note\n"
FILES = ("units.csv", "plan.txt", "assignments.csv", "observations.csv", "manifest.json")


@dataclass(frozen=True)
class Manifest:
    seed: int
    options: dict
    counts: dict[str, int]
    observations: int
    observations_file: str
    chitieu_version: str

    def as_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=2) + "\n"


Progress = Callable[[int, int], None]  # (units done, units in all)


def _write_units(path: Path, country: Country) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("code", "name", "kind", "parent_code"))
        writer.writerows((u.code, u.name, u.kind, u.parent_code) for u in country.units())


def _write_assignments(path: Path, assignments: list[Assignment]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(("indicator", "reporters", "frequency", "by_sex", "office"))
        writer.writerows(
            (a.indicator, a.reporters, a.frequency, int(a.by_sex), a.office) for a in assignments
        )


def _open_observations(path: Path, compress: bool) -> io.TextIOBase:
    raw: BinaryIO = path.open("wb")
    if compress:  # no name, no time in the gzip header: the same bytes every run
        # typeshed does not call GzipFile a BinaryIO, though the text wrapper uses it as one
        raw = cast(BinaryIO, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=6))
    return io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)


def write_country(
    out_dir: str | Path, plan: Plan, options: SynthOptions, progress: Progress | None = None
) -> Manifest:
    """Write the five files of a synthetic country into ``out_dir`` (created if missing).

    The observations go to a temporary name first and the manifest is written
    last, so a directory with a manifest is complete.
    """
    options = options.checked()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    country = build_country(options)
    assignments = national_assignments(plan)
    for name in ("manifest.json", "observations.csv", "observations.csv.gz"):
        (out / name).unlink(missing_ok=True)
    _write_units(out / "units.csv", country)
    shutil.copyfile(konray.ANNEX, out / "plan.txt")
    _write_assignments(out / "assignments.csv", assignments)

    final = out / ("observations.csv.gz" if options.gzip else "observations.csv")
    partial = final.with_name(final.name + ".partial")
    reporters = len(country.communes) + len(country.offices)
    count = done = 0
    with _open_observations(partial, options.gzip) as f:
        f.write(OBSERVATION_HEADER)
        for _, lines in observation_lines(country, plan, assignments, options):
            f.writelines(lines)
            count += len(lines)
            done += 1
            if progress is not None:
                progress(done, reporters)
    if progress is not None:
        progress(reporters, reporters)
    partial.replace(final)
    manifest = Manifest(
        seed=options.seed,
        options={
            "scale": options.scale,
            "provinces": options.provinces,
            "communes_per_district": options.communes_per_district,
            "years": f"{options.first_year}-{options.last_year}",
            "gzip": options.gzip,
        },
        counts=country.counts(),
        observations=count,
        observations_file=final.name,
        chitieu_version=__version__,
    )
    (out / "manifest.json").write_text(manifest.as_json(), encoding="utf-8")
    return manifest
