"""The dashboard's evaluation is cached per plan, area, period, date, states and summary version.

Every change through the approval services (or a rebuild) bumps the plan's summary
version, so the next page load shows the new verdict; permission checks come first.
"""

from __future__ import annotations

from django.core.cache import cache

from chitieu.approval import Role

from .conftest import AS_OF, LABOUR
from .test_dashboards import _statuses

KEY_PREFIX = "rollups:evaluation:"


def _keys() -> set[str]:
    # LocMemCache keeps its keys in ``_cache`` (made keys: ":1:" + key); the test settings use it.
    return {k.split(":", 2)[2] for k in cache._cache if k.split(":", 2)[2].startswith(KEY_PREFIX)}


def _page(client, plan, **params):
    response = client.get(f"/dashboards/plans/{plan.pk}/", {"period": "2024", "as_of": AS_OF, **params})
    assert response.status_code == 200
    return _statuses(response.content.decode())


def _labour_2024(plan):
    from web.data.models import Submission

    return Submission.objects.get(plan=plan, org_unit__name=LABOUR, period_key="2024")


def test_a_second_load_reuses_the_cached_evaluation(client, figures, coordinator, monkeypatch):
    from web.rollups import selectors

    client.force_login(coordinator)
    first = _page(client, figures)
    (key,) = _keys()
    entry = cache.get(key)
    assert entry is not None and first["2.2"] == "not_achieved"

    def no_engine(*args, **kwargs):
        raise AssertionError("evaluated again despite a warm cache")

    monkeypatch.setattr(selectors, "evaluate_plan", no_engine)
    assert _page(client, figures) == first
    assert _keys() == {key}


def test_areas_periods_dates_and_states_have_their_own_entries(client, figures, coordinator):
    from web.orgs.selectors import unit_find

    client.force_login(coordinator)
    commune = unit_find("Xã Đăk Kôi")
    _page(client, figures)
    _page(client, figures, area=commune.pk)
    _page(client, figures, period="2023")
    _page(client, figures, as_of="2024-06-30")
    _page(client, figures, provisional="1")
    assert len(_keys()) == 5
    _page(client, figures, area=commune.pk)  # no new entry for a page seen before
    assert len(_keys()) == 5


def test_unlock_submit_approve_and_return_show_the_new_verdict(client, figures, coordinator):
    from web.data.services import submission_approve, submission_return, submission_submit, submission_unlock

    client.force_login(coordinator)
    type(figures).objects.filter(pk=figures.pk).update(four_eyes=False)  # one person sends and approves here
    assert _page(client, figures)["2.2"] == "not_achieved"
    submission_unlock(actor=coordinator, submission=_labour_2024(figures), reason="Sửa số liệu")
    assert _page(client, figures)["2.2"] == "no_data"
    assert _page(client, figures, provisional="1")["2.2"] == "no_data"
    submission = _labour_2024(figures)
    submission_submit(actor=coordinator, submission=submission, revision=submission.revision)
    assert _page(client, figures)["2.2"] == "no_data"  # sent, not approved
    assert _page(client, figures, provisional="1")["2.2"] == "not_achieved"
    submission_return(actor=coordinator, submission=_labour_2024(figures), reason="Thiếu nguồn")
    assert _page(client, figures, provisional="1")["2.2"] == "no_data"
    submission = _labour_2024(figures)
    submission_submit(actor=coordinator, submission=submission, revision=submission.revision)
    submission_approve(actor=coordinator, submission=_labour_2024(figures))
    assert _page(client, figures)["2.2"] == "not_achieved"


def test_a_rebuild_changes_the_version(client, figures, coordinator):
    from web.rollups.cache import summary_version
    from web.rollups.services import rollup_rebuild

    client.force_login(coordinator)
    assert _page(client, figures)["2.2"] == "not_achieved"
    before = summary_version(figures.pk)
    _labour_2024(figures).observations.all().delete()  # behind the services, as a bulk load writes
    assert _page(client, figures)["2.2"] == "not_achieved"  # the summary still holds the figure
    rollup_rebuild(plan=figures)
    assert summary_version(figures.pk) == before + 1
    assert _page(client, figures)["2.2"] == "no_data"


def test_a_viewer_without_rights_gets_403_with_a_warm_cache(client, figures, coordinator, make_user):
    client.force_login(coordinator)
    _page(client, figures)
    assert _keys()
    client.force_login(make_user("khach", Role.VIEWER))
    assert (
        client.get(f"/dashboards/plans/{figures.pk}/", {"period": "2024", "as_of": AS_OF}).status_code == 403
    )


def test_renaming_a_unit_changes_every_plans_version(figures, coordinator):
    from datetime import date

    from web.orgs.selectors import unit_find
    from web.orgs.services import unit_rename
    from web.rollups.cache import summary_version

    before = summary_version(figures.pk)
    unit_rename(actor=coordinator, unit=unit_find("Xã Đăk Kôi"), name="Xã Đăk Kôi Mới", on=date(2025, 1, 1))
    assert summary_version(figures.pk) == before + 1  # cached commune names are not shown again


def test_a_cached_evaluation_holds_the_verdicts_not_the_engines_input(client, figures, coordinator):
    # The nation's input is nearly every commune's rows: kept in the cache, each hit copied tens
    # of MB into the worker (1.2 GB of RSS at 5 % of the country).
    from chitieu.observations import Observation as CoreObservation

    client.force_login(coordinator)
    first = _page(client, figures)
    (key,) = _keys()
    entry = cache.get(key)

    def observations_in(value) -> bool:
        if isinstance(value, CoreObservation):
            return True
        return isinstance(value, tuple | list) and any(observations_in(v) for v in value)

    assert not observations_in(entry)
    assert _page(client, figures) == first  # and the page from the entry is the same
