"""One small world for the permission matrix: two communes of a district, a district next door, every role.

Built once per test module through the services (so the audit trail is real),
inside a transaction rolled back at the end of the module; each test runs in a
savepoint on top of it, so a write in one case never leaks into the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from chitieu.approval import Role
from web.accounts.models import User
from web.api.services import token_create
from web.data import services as data
from web.data.models import Evidence, Submission
from web.data.selectors import duties
from web.home.demo import demo_accounts, demo_plan
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.services import kon_ray_units_ensure, unit_create
from web.plans.models import Assignment, Plan, PlanVersion, Target
from web.plans.services import plan_import

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
NOTE_A = "GHI-CHU-RIENG-CUA-XA-A"  # a note only unit A and whoever oversees it may read
NOTE_B = "GHI-CHU-RIENG-CUA-XA-B"
UNIT_A = "Xã Đăk Tơ Lung"
UNIT_B = "Xã Tân Lập"
OTHER_DISTRICT = "Huyện Đăk Hà"

# anonymous, viewer, reporter of unit A, reporter of unit B, coordinator, administrator,
# and a coordinator of the district next door (same rights, another area).
ROLES = (
    "anonymous",
    "viewer",
    "reporter_a",
    "reporter_b",
    "coordinator",
    "administrator",
    "coordinator_other",
)


@dataclass
class World:
    district: OrgUnit
    province: OrgUnit
    unit_a: OrgUnit
    unit_b: OrgUnit
    other_district: OrgUnit
    other_commune: OrgUnit
    version: PlanVersion  # Kon Rẫy, in force
    draft: PlanVersion  # an amendment awaiting review
    province_plan: Plan  # the province's plan: no district coordinator may amend it
    target: Target
    assignment: Assignment
    users: dict[str, User | None]
    tokens: dict[str, str | None]
    submissions: dict[str, Submission] = field(default_factory=dict)  # "a_draft", "a_submitted", ...
    evidence: dict[str, Evidence] = field(default_factory=dict)  # "a", "b"
    entry_fields: dict[int, dict[str, str]] = field(default_factory=dict)  # unit id -> figure field names

    @property
    def plan(self) -> Plan:
        return self.version.plan


def _figures(version: PlanVersion, unit: OrgUnit, kind: str, note: str) -> dict:
    figures = {}
    for duty in duties(version, unit, kind):
        for sex in duty.sexes:
            if duty.indicator.measure == "count":
                figures[(duty.indicator, sex)] = data.FigureInput(value=Decimal(3), note=note)
            else:
                figures[(duty.indicator, sex)] = data.FigureInput(Decimal(2), Decimal(5), note=note)
    return figures


def _report(world: World, reporter: User, unit: OrgUnit, period: str, note: str, *, evidence: bool = False):
    submission = data.submission_save(
        actor=reporter,
        plan=world.plan,
        unit=unit,
        period_key=period,
        revision=0,
        figures=_figures(world.version, unit, "quarter", note),
        evidence=[SimpleUploadedFile("bien-ban.pdf", PDF, "application/pdf")] if evidence else [],
    )
    return submission


def build_world() -> World:
    district = kon_ray_units_ensure()
    accounts = {a.username: u for a, u, _ in demo_accounts(district)}
    coordinator = accounts["dieuphoi"]
    version = demo_plan(coordinator=coordinator, district=district)
    province = district.parent
    administrator = accounts["quantri"]
    other_district = unit_create(
        actor=administrator, name=OTHER_DISTRICT, kind=UnitKind.DISTRICT, parent=province
    )
    other_commune = unit_create(
        actor=administrator, name="Xã Hà Mòn", kind=UnitKind.COMMUNE, parent=other_district
    )
    from web.accounts.services import user_ensure

    coordinator_other = user_ensure(
        username="dieuphoi.dakha", password="x", role=Role.COORDINATOR, org_unit=other_district
    )[0]
    draft = plan_import(
        actor=coordinator,
        data=version.source_bytes,
        filename=version.source_name,
        area=district,
        plan=version.plan,
        amendment_note="Điều chỉnh chỉ tiêu",
    )
    users = {
        "anonymous": None,
        "viewer": accounts["lanhdao"],
        "reporter_a": accounts["xa.daktolung"],
        "reporter_b": accounts["xa.tanlap"],
        "coordinator": coordinator,
        "administrator": administrator,
        "coordinator_other": coordinator_other,
    }
    target = Target.objects.filter(indicator__version=version, indicator__code="2.1").first()
    world = World(
        district=district,
        province=province,
        unit_a=OrgUnit.objects.get(name=UNIT_A),
        unit_b=OrgUnit.objects.get(name=UNIT_B),
        other_district=other_district,
        other_commune=other_commune,
        version=version,
        draft=draft,
        province_plan=Plan.objects.create(name="Kế hoạch của tỉnh", area=province),
        target=target,
        assignment=target.indicator.assignment,
        users=users,
        tokens={role: (token_create(user=u, name="matrix")[1] if u else None) for role, u in users.items()},
    )
    reporter_a, reporter_b = users["reporter_a"], users["reporter_b"]
    s = world.submissions
    s["a_draft"] = _report(world, reporter_a, world.unit_a, "2024-Q2", NOTE_A, evidence=True)
    s["b_draft"] = _report(world, reporter_b, world.unit_b, "2024-Q2", NOTE_B, evidence=True)
    for key, unit, reporter in (("a", world.unit_a, reporter_a), ("b", world.unit_b, reporter_b)):
        submitted = _report(world, reporter, unit, "2024-Q1", "")
        s[f"{key}_submitted"] = data.submission_submit(
            actor=reporter, submission=submitted, revision=submitted.revision
        )
        approved = _report(world, reporter, unit, "2023-Q4", "")
        approved = data.submission_submit(actor=reporter, submission=approved, revision=approved.revision)
        s[f"{key}_approved"] = data.submission_approve(actor=coordinator, submission=approved)
    world.evidence = {
        "a": Evidence.objects.get(submission=s["a_draft"]),
        "b": Evidence.objects.get(submission=s["b_draft"]),
    }
    return world


def form_data(form: forms.Form) -> dict:
    """What a browser sends for ``form`` untouched: its initial values, as its widgets write them."""
    out = {}
    for name, bound in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(bound, forms.BooleanField):
            if value:
                out[key] = "on"
        elif isinstance(bound, forms.ModelMultipleChoiceField):
            out[key] = [getattr(v, "pk", v) for v in value or []]
        elif isinstance(bound, forms.FileField):
            continue
        else:
            value = bound.prepare_value(value)
            out[key] = "" if value is None else str(getattr(value, "pk", value))
    return out
