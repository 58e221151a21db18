"""Exports a DHIS2 instance and an SDMX reader accept, from a two-province country (issue 15).

Names repeat across a country (every district has its "Phòng Y tế" and communes
share names); DHIS2 2.43 refuses a whole ``dataValueSets`` payload with one
duplicate key, older versions overwrite silently. The rules checked are those
DHIS2 documents for a data value import: dataElement, period, orgUnit and
categoryOptionCombo present, the value a string, an ISO period, a comment of at
most 5,000 characters, and one value per key.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter

import pytest

from chitieu.approval import Role
from tests.web.once import rolled_back
from tests.web.rollups.conftest import build_tree, move, plan_for, random_figures
from web.api.services import token_create

DHIS2_PERIOD = re.compile(r"^(\d{4}|\d{4}S[12]|\d{4}Q[1-4]|\d{4}(0[1-9]|1[0-2]))$")


@pytest.fixture(scope="module")
def _country(django_db_setup, django_db_blocker):
    """Built once for the module (rolled back after it; each test's changes after the test)."""
    from web.accounts.services import user_ensure
    from web.data.models import Observation

    with rolled_back(django_db_blocker):
        admin = user_ensure(
            username="quan-tri", password="mat-khau-2024", role=Role.ADMINISTRATOR, org_unit=None
        )[0]
        nation = build_tree([[2, 3], [1, 2]])  # two provinces, their districts, offices and communes
        plan = plan_for(nation, admin)
        submissions = random_figures(plan, nation, random.Random(15), density=0.6)
        for number, submission in enumerate(submissions):
            move(submission, "submitted")
            if number % 3:
                move(submission, "approved")
        # One long note, as people paste whole minutes into it.
        long = Observation.objects.filter(submission__state="approved").first()
        long.note = "Biên bản họp. " * 600
        long.save(update_fields=["note"])
        yield plan.pk, token_create(user=admin, name="dhis2")[1]


@pytest.fixture
def country(_country, db):
    from web.plans.models import Plan

    plan_id, token = _country
    return Plan.objects.get(pk=plan_id), token  # read again: no attribute a previous test changed


def _export(client, plan, token, **params):
    response = client.get(
        f"/api/plans/{plan.pk}/observations/export", params, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200, response.content[:500]
    return response


def _keys(values):
    return Counter(
        (v["dataElement"], v["period"], v["orgUnit"], v["categoryOptionCombo"], v.get("attributeOptionCombo"))
        for v in values
    )


def test_dhis2_payload_of_two_provinces_passes_the_import_rules(client, country):
    plan, token = country
    mapping = {"category_option_combos": {"": "HllvX50cXC0", "F": "fem00000001", "M": "mal00000001"}}
    response = _export(
        client,
        plan,
        token,
        format="dhis2",
        provisional="true",
        data_set="ge0000dset1",
        id_scheme="CODE",
        mapping=json.dumps(mapping),
    )
    document = json.loads(response.content)
    assert document["dataSet"] == "ge0000dset1" and document["idScheme"] == "CODE"
    values = document["dataValues"]
    assert len(values) > 100
    duplicates = {key: n for key, n in _keys(values).items() if n > 1}
    assert not duplicates, list(duplicates)[:5]
    for value in values:
        assert value["dataElement"] and value["orgUnit"] and value["categoryOptionCombo"], value
        assert isinstance(value["value"], str) and DHIS2_PERIOD.match(value["period"]), value
        assert len(value.get("comment", "")) <= 5000
    # Official codes, not names: the 2 provinces' "Phòng Y tế" offices stay apart.
    from web.orgs.models import OrgUnit

    codes = set(OrgUnit.objects.exclude(code="").values_list("code", flat=True))
    assert {v["orgUnit"] for v in values} <= codes
    # Figures not yet approved are marked for follow-up and say so.
    flagged = [v for v in values if v.get("followup")]
    assert flagged and all("tạm thời" in v["comment"] for v in flagged)
    assert any(not v.get("followup") for v in values)


def test_sdmx_rows_of_two_provinces_are_unique_and_mark_provisional_figures(client, country):
    plan, token = country
    rows = list(
        csv.DictReader(io.StringIO(_export(client, plan, token, format="sdmx", provisional="true").text))
    )
    keys = Counter((r["REF_AREA"], r["INDICATOR"], r["SEX"], r["TIME_PERIOD"]) for r in rows)
    assert not [k for k, n in keys.items() if n > 1]
    assert {r["OBS_STATUS"] for r in rows} == {"A", "P"}


def test_a_bad_dhis2_mapping_is_refused_with_422(client, country):
    plan, token = country
    response = client.get(
        f"/api/plans/{plan.pk}/observations/export",
        {"format": "dhis2", "mapping": "{not json"},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422


def test_sdmx1_reads_the_sdmx_csv_with_the_published_structure(client, country, tmp_path):
    import sdmx

    plan, token = country
    structure = client.get(f"/api/plans/{plan.pk}/sdmx/structure", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert structure.status_code == 200 and "sdmx.structure+xml" in structure["Content-Type"]
    (tmp_path / "structure.xml").write_bytes(structure.content)
    message = sdmx.read_sdmx(tmp_path / "structure.xml")
    dataflow = message.dataflow["DF_GENDER_EQUALITY"]
    dsd = dataflow.structure
    response = _export(client, plan, token, format="sdmx", provisional="true")
    (tmp_path / "data.csv").write_bytes(response.content)
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    data = sdmx.read_sdmx(tmp_path / "data.csv", structure=dataflow)
    assert sum(len(ds.obs) for ds in data.data) == len(rows) == int(response["X-Chitieu-Count"]) > 100
    # Every coded value is in its codelist.
    for component in [*dsd.dimensions.components, *dsd.attributes.components]:
        representation = component.local_representation
        codelist = getattr(representation, "enumerated", None) if representation else None
        if codelist is None:
            continue
        used = {r[component.id] for r in rows if r.get(component.id)}
        assert used <= {code.id for code in codelist}, (component.id, used - {c.id for c in codelist})


def test_sdmx_csv_1_0_has_the_dataflow_column(client, country):
    plan, token = country
    response = _export(client, plan, token, format="sdmx", sdmx_version="1.0")
    header, first = response.content.decode().splitlines()[:2]
    assert header.startswith("DATAFLOW,FREQ,REF_AREA,INDICATOR,SEX,TIME_PERIOD,OBS_VALUE")
    assert first.startswith("VN_CHITIEU:DF_GENDER_EQUALITY(1.0),")
    assert "version=1.0.0" in response["Content-Type"]


@pytest.fixture
def crowded(country):
    """The country with some 1,500 figures: enough for pages of 1,000 (extra indicator codes,
    written in one statement: the API lists what is stored, whatever the plan says)."""
    from web.data.models import Observation, Submission

    plan, token = country
    submissions = list(Submission.objects.filter(plan=plan).order_by("pk"))
    per = 1500 // len(submissions) + 1
    Observation.objects.bulk_create(
        Observation(submission=s, indicator_code=f"9.{n}", sex="", value=n)
        for s in submissions
        for n in range(per)
    )
    return plan, token


def _listed(client, plan, token, **params):
    response = client.get(f"/api/plans/{plan.pk}/observations", params, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content[:500]
    return response


def test_observations_page_by_limit_and_offset_and_the_bare_list_stays(client, crowded):
    plan, token = crowded
    everything = _listed(client, plan, token).json()
    assert isinstance(everything, list) and len(everything) > 1000
    pages, offset, link = [], 0, None
    while True:
        response = _listed(client, plan, token, limit=400, offset=offset)
        assert int(response["X-Total-Count"]) == len(everything)
        page = response.json()
        assert isinstance(page, list) and len(page) <= 400
        pages += page
        link = response.get("Link")
        if not link:
            break
        offset += 400
        assert f"offset={offset}" in link and 'rel="next"' in link
    assert pages == everything


def test_observation_pages_by_the_links_position_are_the_pages_by_offset(client, crowded):
    # Following Link (its ``after``) starts each page after the last row of the one before
    # instead of skipping rows: the same pages as by offset, with names repeating and all.
    from urllib.parse import parse_qs, urlsplit

    plan, token = crowded
    everything = _listed(client, plan, token).json()
    by_position, params = [], {"limit": 300}
    while True:
        response = _listed(client, plan, token, **params)
        assert int(response["X-Total-Count"]) == len(everything)
        offset = params.get("offset", 0)
        page = response.json()
        assert page == _listed(client, plan, token, limit=300, offset=offset).json()
        by_position += page
        link = response.get("Link")
        if not link:
            break
        query = parse_qs(urlsplit(link[1 : link.index(">")]).query)
        assert query["offset"] == [str(offset + 300)] and query["after"]
        params = {"limit": 300, "offset": int(query["offset"][0]), "after": query["after"][0]}
    assert by_position == everything


def test_the_count_is_kept_per_audited_change_and_paging_never_rests_on_it(client, crowded):
    """A country's figures take seconds to count: the count is kept until the next audited change.
    A row written outside the audit's order (a transaction committing after a later-numbered one)
    leaves the count behind for a minute at most; the pages still reach every row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from web.core.audit import audit_record
    from web.data.models import Observation, Submission

    plan, token = crowded
    total = int(_listed(client, plan, token, limit=500)["X-Total-Count"])
    with CaptureQueriesContext(connection) as queries:
        again = _listed(client, plan, token, limit=500, offset=500)
    assert int(again["X-Total-Count"]) == total
    assert not [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    submission = Submission.objects.filter(plan=plan).order_by("pk").first()
    Observation.objects.create(submission=submission, indicator_code="9.999", sex="", value=1)
    everything = _listed(client, plan, token).json()
    assert len(everything) == total + 1
    pages, params = [], {"limit": 500}
    while True:
        response = _listed(client, plan, token, **params)
        assert int(response["X-Total-Count"]) == total  # behind: no audited change yet
        pages += response.json()
        if not response.get("Link"):
            break
        params["offset"] = params.get("offset", 0) + 500
    assert pages == everything  # the last row was still paged to
    audit_record(actor=None, action="load", subject=submission, field="observations", new="1")
    assert int(_listed(client, plan, token, limit=500)["X-Total-Count"]) == total + 1


@pytest.mark.parametrize("after", ["x", "bm90IGpzb24", "WzEsMl0"])
def test_a_position_that_is_not_one_is_refused(client, crowded, after):
    plan, token = crowded
    response = client.get(
        f"/api/plans/{plan.pk}/observations",
        {"limit": 10, "after": after},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422


def test_a_page_of_1000_observations_is_a_fixed_number_of_queries(client, crowded):
    """Two SQL statements for the page (COUNT, kept until the next audited change, and one SELECT
    with its units joined), whatever its size: no query per row."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    plan, token = crowded
    with CaptureQueriesContext(connection) as small:
        assert len(_listed(client, plan, token, limit=10).json()) == 10
    cache.clear()  # the count again
    with CaptureQueriesContext(connection) as large:
        assert len(_listed(client, plan, token, limit=1000).json()) == 1000
    assert len(large.captured_queries) == len(small.captured_queries)
    observation_queries = [q for q in large.captured_queries if "data_observation" in q["sql"]]
    assert len(observation_queries) == 2, [q["sql"][:120] for q in observation_queries]


def test_observation_pages_follow_the_unique_index_and_start_at_their_position(client, crowded):
    """Issue 14: pages come in the order of the observation_once index (a report's figures together,
    by indicator and sex), which the database reads from the position on instead of sorting every
    figure of the plan on a joined unit name; the page after a position starts at it (a range on the
    index's first column, which is what lets the scan start there)."""
    from urllib.parse import parse_qs, urlsplit

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from web.data.models import Observation

    plan, token = crowded
    indexed = list(
        Observation.objects.filter(submission__plan=plan)
        .order_by("submission_id", "indicator_code", "sex")
        .values_list("pk", flat=True)
    )
    first = _listed(client, plan, token, limit=500)
    assert [row["id"] for row in first.json()] == indexed[:500]
    link = first["Link"]
    after = parse_qs(urlsplit(link[1 : link.index(">")]).query)["after"][0]
    with CaptureQueriesContext(connection) as queries:
        second = _listed(client, plan, token, limit=500, after=after).json()
    assert [row["id"] for row in second] == indexed[500:1000]
    page_sql = next(
        q["sql"] for q in queries.captured_queries if "LIMIT" in q["sql"] and "data_observation" in q["sql"]
    )
    last = Observation.objects.get(pk=indexed[499])
    assert f'"data_observation"."submission_id" >= {last.submission_id}' in page_sql


def test_a_page_for_a_coordinator_of_the_nation_names_the_area_in_one_parameter(client, crowded):
    """A coordinator of the nation sees every unit (16,000 in the country): the page of observations
    sent each unit's id as a parameter of its SELECT and COUNT, which Django quoted and the database
    parsed on every page. The area goes as one parameter; the rows are the administrator's."""
    from django.db import connection

    from web.accounts.services import user_ensure
    from web.orgs.models import OrgUnit

    plan, token = crowded
    coordinator = user_ensure(
        username="dieu-phoi-quoc-gia", password="mat-khau-2024", role=Role.COORDINATOR, org_unit=plan.area
    )[0]
    own = token_create(user=coordinator, name="nation")[1]
    sent = []

    def keep(execute, sql, params, many, context):
        if "data_observation" in sql:
            sent.append(len(params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        page = _listed(client, plan, own, limit=300).json()
    assert page == _listed(client, plan, token, limit=300).json()
    assert OrgUnit.objects.count() > 20 and sent and max(sent) <= 5, sent


@pytest.mark.parametrize("position", [False, True])
def test_a_page_of_observations_on_sqlite_sorts_nothing(client, crowded, position):
    """SQLite chose the plan's reports by the (plan, unit, period) index and then sorted every figure
    of the plan for each page, the next ones too (1 s a page at full scale). The page walks the plan's
    reports in id order (submission_plan_order) with their figures from observation_once instead."""
    from urllib.parse import parse_qs, urlsplit

    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's plan (PostgreSQL plans from its statistics)")
    plan, token = crowded
    params = {"limit": 300}
    if position:
        link = _listed(client, plan, token, limit=300)["Link"]
        params["after"] = parse_qs(urlsplit(link[1 : link.index(">")]).query)["after"][0]
    sent = []

    def keep(execute, sql, sql_params, many, context):
        if "data_observation" in sql and "LIMIT" in sql:
            sent.append((sql, sql_params))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(keep):
        _listed(client, plan, token, **params)
    sql, sql_params = sent[-1]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", sql_params)
        steps = [row[-1] for row in cursor.fetchall()]
    assert not [s for s in steps if "TEMP B-TREE" in s], steps
