"""The demo loader: realistic, with gaps, late and returned reports; running it twice changes nothing."""

from io import StringIO

from django.core.management import call_command

from web.accounts.models import User
from web.core.models import AuditEntry
from web.data.models import Observation, Submission
from web.data.selectors import is_late
from web.orgs.models import OrgUnit
from web.plans.models import PlanVersion


def _snapshot():
    return (
        User.objects.count(),
        OrgUnit.objects.count(),
        PlanVersion.objects.count(),
        Submission.objects.count(),
        Observation.objects.count(),
        AuditEntry.objects.count(),
    )


def test_load_demo_twice_neither_fails_nor_duplicates(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    first = _snapshot()
    call_command("load_demo", stdout=StringIO())
    assert _snapshot() == first
    printed = out.getvalue()
    assert "dieuphoi" in printed and "ChiTieu@2024" in printed and "xa.daktolung" in printed


def test_demo_data_is_realistic(db):
    call_command("load_demo", stdout=StringIO())
    returned = Submission.objects.get(state="returned")
    assert (returned.org_unit.name, returned.period_key) == ("Xã Đăk Tơ Lung", "2024-Q3") and returned.reason
    years = {s.period_start.year for s in Submission.objects.all()}
    assert years == {2021, 2022, 2023, 2024}
    from chitieu.periods import parse_period

    late = [
        s
        for s in Submission.objects.exclude(submitted_at=None)
        if is_late(s, parse_period(s.period_key), s.submitted_at.date())
    ]
    assert late, "some reports are late"
    communes = OrgUnit.objects.filter(kind="commune").count()
    assert Submission.objects.filter(period_key__contains="-Q").count() < communes * 16  # some missing
    ratio = Observation.objects.filter(indicator_code="4.1").first()
    assert 90 < ratio.value < 115  # boys per 100 girls: plausible
    assert Observation.objects.filter(indicator_code="5.2a", sex="F").exists()
    assert set(User.objects.values_list("role", flat=True)) == {
        "administrator",
        "coordinator",
        "reporter",
        "viewer",
    }
