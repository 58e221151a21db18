"""Issue 19: the aggregation kind is stored with the plan, shown and editable on the review screen,
and the engine uses what the coordinator chose."""

from datetime import date
from decimal import Decimal

import pytest

from chitieu.approval import Role
from chitieu.evaluate import evaluate_indicator
from chitieu.observations import Observation
from web.plans.models import Indicator, VersionStatus
from web.plans.services import plan_import

from .annex import annex_bytes
from .test_plans import _review_data


@pytest.fixture
def coordinator(district, make_user):
    return make_user("dieuphoi", Role.COORDINATOR, district)


def test_the_kind_read_from_the_wording_is_stored_shown_and_editable(client, district, coordinator):
    from web.dashboards.selectors import core_plan

    client.force_login(coordinator)
    version = plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)
    kinds = dict(version.indicators.values_list("code", "aggregation"))
    assert (kinds["1.1"], kinds["3.2a"], kinds["4.3"], kinds["6.1"], kinds["6.3"]) == (
        "stock",
        "flow",
        "rate",
        "running_total",
        "per_unit",
    )
    page = client.get(f"/plans/v/{version.pk}/").content.decode()
    leaders = version.indicators.get(code="1.1")
    assert f'name="i{leaders.pk}-aggregation"' in page

    data = {**_review_data(client, version), "confirm": "1"}
    data[f"i{leaders.pk}-aggregation"] = "flow"  # the coordinator says: these add up
    assert client.post(f"/plans/v/{version.pk}/", data).status_code == 302
    version.refresh_from_db()
    assert version.status == VersionStatus.ACTIVE
    assert Indicator.objects.get(pk=leaders.pk).aggregation == "flow"

    core = core_plan(version).indicator("1.1")
    rows = [
        Observation("1.1", f"2024-Q{q}", "", None, Decimal(n), Decimal(10))
        for q, n in ((1, 6), (2, 6), (3, 5), (4, 7))
    ]
    result = evaluate_indicator(core, rows, "2024", as_of=date(2024, 12, 31))
    # as a flow: (6 + 6 + 5 + 7) ÷ 40 = 60 %; as the stock the wording suggests it would be Q4, 70 %
    assert (result.numerator, result.denominator, result.actual) == (24, 40, 60)
