"""DHIS2 export settings per plan, and the DHIS2 document built with them (web download and API).

The identifiers are checked here once, for the form and the API alike: DHIS2 UIDs are 11
characters (a letter, then letters or digits); codes at most 50 characters. A refused
value names its place (the indicator, the sex, the unit) in Vietnamese, and nothing is saved.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from django.db import transaction

from chitieu.exports import ExportResult, Provisional, to_dhis2_json
from chitieu.plan import Plan as CorePlan
from web.api.models import PlanDhis2Settings
from web.core.audit import audit_record
from web.dashboards.selectors import APPROVED, as_core_observation, official_code
from web.data.models import Observation
from web.orgs.access import require_manage_plan
from web.plans.models import Plan

ID_SCHEMES = ("", "UID", "CODE")
UID = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
CODE_MAX = 50
SEX_KEYS = {"": "tổng (không phân theo giới)", "F": "nữ", "M": "nam"}


class Dhis2SettingsError(ValueError):
    """``problems``: place → message, every bad value at once."""

    def __init__(self, problems: Mapping[str, str]):
        self.problems = dict(problems)
        super().__init__("; ".join(f"{k}: {m}" for k, m in self.problems.items()))


class StaleDhis2Settings(Exception):
    """Someone saved the settings after the form was opened; nothing was saved."""


@dataclass(frozen=True)
class Dhis2Config:
    data_set: str = ""
    id_scheme: str = ""
    data_elements: dict[str, str] = field(default_factory=dict)  # "2.1", "2.1.NUM" → data element
    org_units: dict[str, str] = field(default_factory=dict)  # official unit code → organisation unit
    category_option_combos: dict[str, str] = field(default_factory=dict)  # "F", "M", "" → combo

    def mapping(self) -> dict[str, dict[str, str]]:
        return {
            "data_elements": self.data_elements,
            "org_units": self.org_units,
            "category_option_combos": self.category_option_combos,
        }


def _identifier_problem(value: str, id_scheme: str) -> str:
    if any(ord(c) < 32 for c in value):
        return "có ký tự điều khiển không in được"
    if id_scheme == "UID" and not UID.match(value):
        return f"«{value}» không phải UID của DHIS2 (11 ký tự: một chữ cái rồi 10 chữ cái hoặc chữ số)"
    if len(value) > CODE_MAX:
        return f"«{value[:20]}…» dài quá {CODE_MAX} ký tự"
    return ""


def dhis2_config_check(
    *,
    data_set: str,
    id_scheme: str,
    data_elements: Mapping[str, str],
    org_units: Mapping[str, str],
    category_option_combos: Mapping[str, str],
) -> Dhis2Config:
    """A config from values people typed (blank ones dropped); Dhis2SettingsError names each bad one."""
    problems: dict[str, str] = {}
    if id_scheme not in ID_SCHEMES:
        problems["Kiểu mã (idScheme)"] = "chọn UID hoặc CODE"
        id_scheme = ""
    clean = {k: v.strip() for k, v in data_elements.items() if v and v.strip()}
    units = {k.strip(): v.strip() for k, v in org_units.items() if v and v.strip()}
    combos = {k: v.strip() for k, v in category_option_combos.items() if v and v.strip()}
    data_set = data_set.strip()
    if data_set and (problem := _identifier_problem(data_set, id_scheme)):
        problems["Tập dữ liệu (dataSet)"] = problem
    for code, value in clean.items():
        if problem := _identifier_problem(value, id_scheme):
            problems[f"Chỉ tiêu {code}"] = problem
    for key, value in combos.items():
        if key not in SEX_KEYS:
            problems[f"Giới tính {key!r}"] = "chỉ dùng F, M hoặc để trống cho tổng"
        elif problem := _identifier_problem(value, id_scheme):
            problems[f"Giới tính {SEX_KEYS[key]}"] = problem
    for code, value in units.items():
        if problem := _identifier_problem(value, id_scheme):
            problems[f"Đơn vị {code}"] = problem
    if problems:
        raise Dhis2SettingsError(problems)
    return Dhis2Config(data_set, id_scheme, clean, units, combos)


def dhis2_settings_record(plan: Plan) -> PlanDhis2Settings | None:
    return PlanDhis2Settings.objects.filter(plan=plan).first()


def dhis2_config_for(plan: Plan) -> Dhis2Config:
    """The plan's saved DHIS2 settings; DHIS2's defaults (chitieu's own codes) when none were saved."""
    record = dhis2_settings_record(plan)
    if record is None:
        return Dhis2Config()
    mapping = record.mapping or {}
    return Dhis2Config(
        record.data_set,
        record.id_scheme,
        dict(mapping.get("data_elements", {})),
        dict(mapping.get("org_units", {})),
        dict(mapping.get("category_option_combos", {})),
    )


@transaction.atomic
def dhis2_settings_save(*, actor, plan: Plan, config: Dhis2Config, revision: int) -> Dhis2Config:
    """Store checked settings (``dhis2_config_check``), audited; all or nothing."""
    require_manage_plan(actor, plan)
    record, created = PlanDhis2Settings.objects.select_for_update().get_or_create(plan=plan)
    if record.revision != revision:
        raise StaleDhis2Settings
    old = {"data_set": record.data_set, "id_scheme": record.id_scheme, **(record.mapping or {})}
    record.data_set, record.id_scheme, record.mapping = config.data_set, config.id_scheme, config.mapping()
    record.revision += 1
    record.save()
    audit_record(
        actor=actor,
        action="dhis2_settings",
        subject=plan,
        field="dhis2_settings",
        old=json.dumps(old, ensure_ascii=False) if not created else "",
        new=json.dumps({"data_set": config.data_set, "id_scheme": config.id_scheme, **config.mapping()}),
    )
    return config


def dhis2_document(
    rows: Sequence[Observation], *, plan: Plan, core: CorePlan | None, config: Dhis2Config
) -> ExportResult:
    """The DHIS2 ``dataValueSets`` of stored figures (their units loaded), under each sending
    unit's official code; figures not yet approved marked for follow-up."""
    coded = []
    for row in rows:
        obs = replace(as_core_observation(row, plan.area), org_unit=official_code(row.submission.org_unit))
        coded.append(obs if row.submission.state in APPROVED else Provisional(obs))
    codes = {obs.org_unit: obs.org_unit for obs in coded if obs.org_unit}
    area = official_code(plan.area)
    return to_dhis2_json(
        coded,
        plan=core,
        area=config.org_units.get(area, area),
        org_unit_ids={**codes, **config.org_units},
        data_element_ids=config.data_elements,
        sex_combo_ids=config.category_option_combos,
        data_set=config.data_set,
        id_scheme=config.id_scheme,
    )
