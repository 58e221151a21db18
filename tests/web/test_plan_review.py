"""Issue 17, plan review: the flags summed up on top, every control labelled, the per-unit rule
(6.3: every commune, every quarter) shown and editable, the actions kept in view."""

from __future__ import annotations

from decimal import Decimal
from html.parser import HTMLParser

import pytest

from chitieu.approval import Role
from web.core.models import AuditEntry
from web.plans.models import Indicator
from web.plans.selectors import core_plan
from web.plans.services import plan_import

from .annex import annex_bytes
from .test_plans import _review_data


@pytest.fixture
def draft(client, district, make_user):
    coordinator = make_user("dieuphoi", Role.COORDINATOR, district)
    client.force_login(coordinator)
    return plan_import(actor=coordinator, data=annex_bytes(), filename="a.txt", area=district)


class _Controls(HTMLParser):
    """Form controls a person fills in, and which of them a label or an aria-label names."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[str] = []
        self.labelled: set[str] = set()
        self.label_for: set[str] = set()
        self._open_labels = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "label":
            self._open_labels += 1
            if a.get("for"):
                self.label_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            name = a.get("id") or a.get("name") or "?"
            self.controls.append(name)
            if self._open_labels or a.get("aria-label") or a.get("aria-labelledby"):
                self.labelled.add(name)

    def handle_endtag(self, tag):
        if tag == "label":
            self._open_labels -= 1

    def unlabelled(self) -> list[str]:
        return [c for c in self.controls if c not in self.labelled and c not in self.label_for]


def test_the_review_page_sums_up_its_flags_on_top_and_labels_every_control(client, draft):
    page = client.get(f"/plans/v/{draft.pk}/").content.decode()
    controls = _Controls()
    controls.feed(page)
    assert len(controls.controls) > 80
    assert controls.unlabelled() == []
    summary = page[page.index('id="flags"') : page.index('id="indicator-')]  # before the first indicator
    flagged = Indicator.objects.filter(version=draft, needs_review=True).values_list("code", flat=True)
    assert flagged
    for code in flagged:
        assert f'href="#indicator-{code}"' in summary
    assert "sticky-actions" in page


def test_the_per_unit_rule_of_6_3_is_shown_and_changed_on_review(client, draft):
    news = Indicator.objects.get(version=draft, code="6.3")
    assert news.per_unit
    page = client.get(f"/plans/v/{draft.pk}/").content.decode()
    rule = page[page.index('id="per-unit-6.3"') :]
    assert "mỗi quý" in rule[:2000] and "100%" in rule[:2000]

    data = _review_data(client, draft)
    data[f"i{news.pk}-unit_share"] = "150"
    response = client.post(f"/plans/v/{draft.pk}/", data)
    assert response.status_code == 200  # shown again with the field marked
    assert "nhiều nhất 100" in response.content.decode()
    assert Indicator.objects.get(pk=news.pk).unit_share == news.unit_share  # nothing saved

    data[f"i{news.pk}-unit_share"] = "80"
    assert client.post(f"/plans/v/{draft.pk}/", data).status_code == 302
    assert Indicator.objects.get(pk=news.pk).unit_share == Decimal(80)
    assert AuditEntry.objects.filter(action="review_edit", field="unit_share", new="80").exists()
    core = core_plan(draft)
    assert next(i for o in core.objectives for i in o.indicators if i.code == "6.3").unit_share == 80

    data[f"i{news.pk}-per_unit"] = ""
    data.pop(f"i{news.pk}-per_unit")
    data[f"i{news.pk}-aggregation"] = ""
    data["revision"] = draft.__class__.objects.get(pk=draft.pk).revision
    assert client.post(f"/plans/v/{draft.pk}/", data).status_code == 302
    changed = Indicator.objects.get(pk=news.pk)
    assert not changed.per_unit and changed.unit_share is None
