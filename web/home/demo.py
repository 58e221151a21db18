"""Kon Rẫy demo: the real annex, the district's units, one account per role, and figures for 2021–2024.

Everything goes through the services (so the audit trail is real), then the
timestamps of past submissions are moved to plausible dates in their period.
Every step looks for what exists first, so running it twice changes nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from chitieu import konray
from chitieu.approval import Role
from chitieu.periods import Period
from web.accounts.models import User
from web.accounts.services import user_ensure
from web.data import services as data_services
from web.data.models import Submission
from web.data.selectors import Duty, deadline, duties, periods_due, reporting_units
from web.notices import services as notices
from web.orgs.models import OrgUnit, UnitKind
from web.orgs.selectors import unit_find
from web.orgs.services import kon_ray_units_ensure
from web.plans.models import Plan, PlanVersion, Reporters
from web.plans.selectors import active_plans
from web.plans.services import assignment_update, plan_import, plan_version_confirm
from web.reorg.demo_story import load_story

ANNEX = konray.ANNEX
DEMO_PASSWORD = "ChiTieu@2024"
COMMUNE_QUARTERLY = konray.COMMUNE_QUARTERLY
RETURNED = (
    "Xã Đăk Tơ Lung",
    "2024-Q3",
    "Số người bị bạo lực được phát hiện không khớp với sổ theo dõi của xã; đề nghị kiểm tra lại mẫu số.",
)


@dataclass(frozen=True)
class Account:
    username: str
    role: Role
    unit: str | None  # unit name; None for the administrator
    full_name: str

    @property
    def email(self) -> str:
        return f"{self.username.replace('.', '-')}@{EMAIL_DOMAIN}"


# Reserved documentation domain (RFC 2606): reminders have somewhere to go, nobody receives them.
EMAIL_DOMAIN = "konray.example"

ACCOUNTS = (
    Account("quantri", Role.ADMINISTRATOR, None, "Quản trị hệ thống"),
    Account("dieuphoi", Role.COORDINATOR, "Kon Rẫy", "Nguyễn Thị Hoa"),
    Account("lanhdao", Role.VIEWER, "Kon Rẫy", "Trần Văn Minh"),
    Account("xa.daktolung", Role.REPORTER, "Xã Đăk Tơ Lung", "Y Blúp"),
    Account("xa.dakrve", Role.REPORTER, "Thị trấn Đăk Rve", "A Thái"),
    Account("xa.dakkoi", Role.REPORTER, "Xã Đăk Kôi", "Y Hằng"),
    Account("xa.dakpne", Role.REPORTER, "Xã Đăk Pne", "A Sang"),
    Account("xa.dakruong", Role.REPORTER, "Xã Đăk Ruồng", "Y Liên"),
    Account("xa.daktore", Role.REPORTER, "Xã Đăk Tờ Re", "A Đức"),
    Account("xa.tanlap", Role.REPORTER, "Xã Tân Lập", "Lê Thị Mai"),
    Account("phong.yte", Role.REPORTER, "Phòng Y tế", "Phạm Thu Trang"),
    Account("phong.ldtbxh", Role.REPORTER, "Phòng Lao động - Thương binh và Xã hội", "Đỗ Văn Hùng"),
    Account("phong.noivu", Role.REPORTER, "Phòng Nội vụ", "Hoàng Thị Lan"),
    Account("phong.gddt", Role.REPORTER, "Phòng Giáo dục và Đào tạo", "Vũ Thị Ngọc"),
    Account("phong.tckh", Role.REPORTER, "Phòng Tài chính - Kế hoạch", "Bùi Văn Nam"),
    Account("phong.vhtt", Role.REPORTER, "Phòng Văn hoá-Thông tin", "Đinh Thị Hà"),
    Account(
        "trungtam.vhtt", Role.REPORTER, "Trung tâm Văn hoá-Thể thao-Du lịch và Truyền thông", "Lý Văn Tâm"
    ),
)


def demo_accounts(district: OrgUnit) -> list[tuple[Account, User, bool]]:
    made = []
    for account in ACCOUNTS:
        unit = (
            None
            if account.unit is None
            else (district if account.unit == district.name else unit_find(account.unit, within=district))
        )
        user, created = user_ensure(
            username=account.username,
            password=DEMO_PASSWORD,
            role=account.role,
            org_unit=unit,
            full_name=account.full_name,
        )
        if not user.email:  # also fills accounts made by an older loader; a real address is kept
            User.objects.filter(pk=user.pk).update(email=account.email)
            user.email = account.email
        made.append((account, user, created))
    return made


def demo_plan(*, coordinator: User, district: OrgUnit) -> PlanVersion:
    """The Kon Rẫy annex, confirmed, with the communes reporting violence cases quarterly."""
    existing = active_plans().filter(plan__area=district).first()
    if existing is not None:
        return existing
    plan = Plan.objects.filter(area=district).first()
    version = plan_import(
        actor=coordinator, data=ANNEX.read_bytes(), filename=ANNEX.name, area=district, plan=plan
    )
    version = plan_version_confirm(actor=coordinator, version=version)
    for indicator in version.indicators.filter(code__in=COMMUNE_QUARTERLY):
        assignment = indicator.assignment
        assignment_update(
            actor=coordinator,
            assignment=assignment,
            lead_units=list(assignment.lead_units.all()),
            reporters=Reporters.COMMUNES,
            frequency="quarter",
            by_sex=False,
        )
    return version


# ---------------------------------------------------------------- figures

# code -> (numerator range, denominator range) for a district office, per year;
# the yearly drift moves values towards the targets, as a working plan should.
OFFICE_FIGURES = {
    "1.1": ((9, 12), (17, 17)),
    "2.1": ((4300, 5200), (10200, 10800)),
    "2.2": ((6400, 7200), (10200, 10800)),
    "2.3": ((10, 14), (46, 52)),
    "3.1": ((14, 16), (8, 9)),
    "3.3": ((0, 2), (1, 2)),
    "3.4": ((1, 1), (1, 1)),
    "4.1": ((395, 430), (380, 405)),
    "4.2": ((0, 1), (930, 1010)),
    "4.3": ((45, 75), (1000, 1100)),
    "5.1": ((28, 32), (32, 32)),
    "5.2a": ((400, 420), (418, 430)),
    "5.2b": ((340, 370), (375, 395)),
    "5.3": ((95, 130), (330, 370)),
    "6.1": ((14000, 17500), (26000, 26600)),
    "6.2": ((55, 62), (62, 62)),
}
COMMUNE_FIGURES = {"3.2a": ((0, 5), (1, 6)), "3.2b": ((0, 3), (1, 4))}
COUNTS = {"6.3": (1, 5), "6.4": (0, 2)}


def _figure(rng: random.Random, duty: Duty, sex: str) -> data_services.FigureInput:
    code = duty.indicator.code
    if code in COUNTS:
        low, high = COUNTS[code]
        return data_services.FigureInput(value=Decimal(rng.randint(low, high)))
    (n_low, n_high), (d_low, d_high) = OFFICE_FIGURES.get(code) or COMMUNE_FIGURES.get(
        code, ((1, 5), (5, 10))
    )
    denominator = rng.randint(d_low, d_high)
    numerator = rng.randint(n_low, n_high)
    if duty.indicator.measure == "percent":
        numerator = min(numerator, denominator)
    if sex == "F":
        numerator, denominator = numerator + rng.randint(0, 3), denominator + rng.randint(0, 3)
        numerator = min(numerator, denominator)
    note = "Số liệu từ sổ theo dõi của đơn vị" if rng.random() < 0.1 else ""
    return data_services.FigureInput(
        numerator=Decimal(numerator), denominator=Decimal(denominator), note=note
    )


def _when(rng: random.Random, period: Period, unit: OrgUnit, late: bool) -> datetime:
    # The unit's own deadline (Decree 09 calendar): late ones after it, the rest in the week before.
    due = deadline(period, unit)
    day = due + timedelta(days=rng.randint(3, 40)) if late else due - timedelta(days=rng.randint(0, 6))
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 16), rng.randint(0, 59))))


@transaction.atomic
def _one_report(
    version: PlanVersion,
    unit: OrgUnit,
    period: Period,
    reporter: User,
    coordinator: User,
    rng: random.Random,
    last_year: int,
) -> str:
    unit_duties = duties(version, unit, period.kind)
    complete = (unit.name, period.key) == RETURNED[:2]  # its return reason is about these figures
    figures = {}
    for duty in unit_duties:
        for sex in duty.sexes:
            if not complete and rng.random() < 0.06:
                continue  # a figure the unit did not have
            figures[(duty.indicator, sex)] = _figure(rng, duty, sex)
        if len(duty.sexes) == 2 and sum((duty.indicator, s) in figures for s in duty.sexes) == 1:
            for sex in duty.sexes:  # a by-sex figure is sent for both sexes or not at all
                figures.pop((duty.indicator, sex), None)
    submission = data_services.submission_save(
        actor=reporter, plan=version.plan, unit=unit, period_key=period.key, revision=0, figures=figures
    )
    latest = period.start.year == last_year and period.end.month >= 10
    if latest and rng.random() < 0.35:
        return "draft"  # still being entered
    submission = data_services.submission_submit(
        actor=reporter, submission=submission, revision=submission.revision
    )
    late = rng.random() < 0.12
    submitted = _when(rng, period, unit, late)
    decided = submitted + timedelta(days=rng.randint(1, 10))
    if (unit.name, period.key) == RETURNED[:2]:
        data_services.submission_return(actor=coordinator, submission=submission, reason=RETURNED[2])
        state = "returned"
    elif latest and rng.random() < 0.5:
        state = "submitted"
    else:
        data_services.submission_approve(actor=coordinator, submission=submission)
        state = "approved"
    # Demo history: move the timestamps to when this would have happened.
    Submission.objects.filter(pk=submission.pk).update(
        submitted_at=submitted,
        first_submitted_at=submitted,
        decided_at=decided if state in ("approved", "returned") else None,
    )
    return state


def demo_data(
    *,
    version: PlanVersion,
    coordinator: User,
    first_year: int = 2021,
    last_year: int = 2024,
    seed: int = 2024,
) -> dict[str, int]:
    """Reports for every unit and period of the years, some missing, some late, one returned."""
    counts: dict[str, int] = {}
    start, end = date(first_year, 1, 1), date(last_year, 12, 31)
    reporters = {u.org_unit_id: u for u in User.objects.filter(role=Role.REPORTER.value)}
    for unit in reporting_units(version, start, end):
        reporter = reporters.get(unit.pk, coordinator)
        for year in range(first_year, last_year + 1):
            for period in periods_due(version, unit, today=end, year=year):
                rng = random.Random(f"{seed}/{unit.name}/{period.key}")
                if Submission.objects.filter(
                    plan=version.plan, org_unit=unit, period_key=period.key
                ).exists():
                    counts["kept"] = counts.get("kept", 0) + 1
                    continue
                forced = (unit.name, period.key) == RETURNED[:2]
                if not forced and rng.random() < 0.07:
                    counts["missing"] = counts.get("missing", 0) + 1
                    continue
                state = _one_report(version, unit, period, reporter, coordinator, rng, last_year)
                counts[state] = counts.get(state, 0) + 1
    return counts


def load_demo(*, reform: bool = True) -> dict:
    """The demo; ``reform=False`` stops before 1 July 2025 (tests of a district still at work)."""
    district = kon_ray_units_ensure()
    accounts = demo_accounts(district)
    coordinator = next(u for a, u, _ in accounts if a.role is Role.COORDINATOR)
    # Years of history: in the notice lists, not in anyone's mailbox.
    with notices.held():
        version = demo_plan(coordinator=coordinator, district=district)
        counts = demo_data(version=version, coordinator=coordinator)
        story = None
        if reform:  # the July 2025 reorganisation and the 2026–2030 plan (web.reorg.demo_story)
            story = load_story(
                admin=accounts[0][1], district=district, password=DEMO_PASSWORD, email_domain=EMAIL_DOMAIN
            )
    return {
        "reform": story,
        "district": district,
        "accounts": accounts,
        "version": version,
        "counts": counts,
        "communes": OrgUnit.objects.filter(kind=UnitKind.COMMUNE, parent=district).count(),
    }
