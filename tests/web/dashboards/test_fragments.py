"""Dashboard fragments cached per what they show, ETag / 304, and never shared across visibility."""

from __future__ import annotations

import re

import pytest

from chitieu.approval import Role

from .conftest import AS_OF, LABOUR
from .test_dashboards import _statuses

PARAMS = {"period": "2024", "as_of": AS_OF}


@pytest.fixture(autouse=True)
def stored_verdicts(settings):
    """The store is on (it is off by default: see the settings)."""
    settings.CHITIEU_STORED_VERDICTS = True


def _get(client, plan, etag: str | None = None, **params):
    headers = {"HTTP_IF_NONE_MATCH": etag} if etag else {}
    return client.get(f"/dashboards/plans/{plan.pk}/", {**PARAMS, **params}, **headers)


def _area_options(html: str) -> set[str]:
    select = re.search(r'<select id="f-area" name="area">(.*?)</select>', html, re.S)
    return set(re.findall(r">([^<]+)</option>", select.group(1))) if select else set()


def test_an_unchanged_page_is_304_and_a_changed_figure_a_new_etag(client, figures, coordinator):
    from web.data.models import Submission
    from web.data.services import submission_unlock

    client.force_login(coordinator)
    first = _get(client, figures)
    assert first.status_code == 200 and first["ETag"]
    assert _statuses(first.content.decode())["2.2"] == "not_achieved"
    again = _get(client, figures, etag=first["ETag"])
    assert again.status_code == 304 and not again.content
    assert _get(client, figures, etag=first["ETag"], provisional="1").status_code == 200  # another view
    labour = Submission.objects.get(plan=figures, org_unit__name=LABOUR, period_key="2024")
    submission_unlock(actor=coordinator, submission=labour, reason="Sửa số liệu")
    changed = _get(client, figures, etag=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]
    assert _statuses(changed.content.decode())["2.2"] == "no_data"
    assert _get(client, figures, etag=changed["ETag"]).status_code == 304


def test_people_who_see_different_areas_never_share_a_fragment(client, figures, make_user):
    from web.orgs.selectors import unit_find

    commune = unit_find("Xã Đăk Kôi")
    admin = make_user("quan-tri", Role.ADMINISTRATOR)
    reporter = make_user("xa-dak-koi", Role.REPORTER, commune)
    for first, second in ((admin, reporter), (reporter, admin)):
        from django.core.cache import cache

        cache.clear()
        client.force_login(first)
        one = _get(client, figures).content.decode()
        client.force_login(second)
        two = _get(client, figures).content.decode()
        pages = {admin: one, reporter: two} if first is admin else {admin: two, reporter: one}
        assert "Xã Đăk Pne" in _area_options(pages[admin])  # every commune of the district
        assert _area_options(pages[reporter]) == {figures.area.name, commune.name}  # its own only
        assert _statuses(pages[admin]) == _statuses(pages[reporter])  # the same approved verdicts


def test_a_new_notice_or_a_waiting_message_is_never_answered_by_304(client, figures, coordinator):
    """The header around the fragment shows the unread notices; a 304 would keep the old count."""
    from web.notices.services import notify

    client.force_login(coordinator)
    first = _get(client, figures)
    assert _get(client, figures, etag=first["ETag"]).status_code == 304
    notify([coordinator], key="test:one", kind="approved", message="Báo cáo đã được duyệt.", link="/")
    fresh = _get(client, figures, etag=first["ETag"])
    assert fresh.status_code == 200 and "unread-count" in fresh.content.decode()
    assert _get(client, figures, etag=fresh["ETag"]).status_code == 304


def test_a_page_from_the_fragment_cache_asks_each_thing_once(client, figures, coordinator):
    # The cached path costs queries, not evaluation: the header's unread count (asked for the
    # ETag and again to render) and the user's units (asked by every check) are read once.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(coordinator)
    assert _get(client, figures).status_code == 200  # the fragment is now cached
    with CaptureQueriesContext(connection) as queries:
        assert _get(client, figures).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert sum("notices_notice" in q for q in sql) == 1, sql
    assert sum("WITH RECURSIVE" in q for q in sql) <= 1, sql
    # Session 17: the plan's version in force and its summary version come with the plan (one
    # query, not three), the core plan is not read at all (only a build uses it), and the plan's
    # area is the coordinator's own unit: no walk up the tree to learn they may see it. Left: the
    # session, the user, the plan, the user's unit (its dates decide the role), the unread count.
    assert not any(q.lstrip().startswith('SELECT "plans_planversion"') for q in sql), sql
    assert sum("rollups_rollupversion" in q for q in sql) == 1, sql
    assert not any('SELECT "orgs_orgunit"."parent_id"' in q for q in sql), sql
    assert len(sql) <= 5, sql
    # A commune's page: the commune's parent came with it (the area's own query), and it is the
    # coordinator's unit: again no walk up the tree.
    from web.orgs.selectors import unit_find

    commune = unit_find("Xã Đăk Kôi")
    assert _get(client, figures, area=commune.pk).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert _get(client, figures, area=commune.pk).status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any('SELECT "orgs_orgunit"."parent_id"' in q for q in sql), sql


def test_the_page_state_read_with_the_plan_is_what_the_separate_reads_give(figures, coordinator, client):
    """``with_page_state`` / ``page_state`` (one query) answer as ``plan_version_active``,
    ``summary_version`` and ``page_version`` (three): before any summary row, after changes and
    judgings, and with no version in force (the dashboard is then a 404, as before)."""
    from web.plans.models import Plan, VersionStatus
    from web.plans.selectors import plan_version_active
    from web.rollups.cache import page_state, page_version, summary_changed, summary_version, with_page_state
    from web.rollups.models import RollupVersion

    def check() -> None:
        plan = with_page_state(Plan.objects.all()).get(pk=figures.pk)
        active = plan_version_active(figures)
        assert plan.in_force_id == (active.pk if active else None)
        assert page_state(plan) == (summary_version(figures.pk), page_version(figures.pk))

    RollupVersion.objects.filter(plan_id=figures.pk).delete()
    check()
    summary_changed(figures.pk)
    check()
    RollupVersion.objects.filter(plan_id=figures.pk).update(number=0, judged=3)
    check()
    summary_changed(figures.pk)
    check()
    client.force_login(coordinator)
    assert _get(client, figures).status_code == 200
    assert client.get(f"/dashboards/plans/{figures.pk}/").status_code == 200  # no period: the plan's year
    figures.versions.filter(status=VersionStatus.ACTIVE).update(status=VersionStatus.SUPERSEDED)
    check()
    assert _get(client, figures).status_code == 404
