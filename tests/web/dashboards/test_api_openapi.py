"""The OpenAPI document as generated clients and validators read it (issue 15)."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_the_schema_passes_openapi_spec_validator(client):
    schema = client.get("/api/openapi.json").json()
    validate(schema)


def test_operation_ids_are_readable_and_unique(client):
    schema = client.get("/api/openapi.json").json()
    ids = [op["operationId"] for path in schema["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) and not i.startswith("web_") for i in ids), ids


def test_the_export_declares_its_formats_and_the_csv_dialects(client):
    schema = client.get("/api/openapi.json").json()
    export = schema["paths"]["/api/plans/{plan_id}/observations/export"]["get"]
    parameters = {p["name"]: p for p in export["parameters"]}
    assert parameters["dialect"]["schema"]["enum"] == ["excel-vn", "plain"]
    assert {"data_set", "id_scheme", "mapping"} <= set(parameters)


def test_plan_detail_and_indicators_are_typed_in_the_schema(client):
    """Generated clients get classes, not free-form objects."""
    schema = client.get("/api/openapi.json").json()

    def ok_schema(path):
        return schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    assert ok_schema("/api/plans/{plan_id}") == {"$ref": "#/components/schemas/PlanDetailOut"}
    assert ok_schema("/api/plans/{plan_id}/indicators")["items"] == {
        "$ref": "#/components/schemas/IndicatorOut"
    }
    indicator = schema["components"]["schemas"]["IndicatorOut"]
    assert set(indicator["properties"]["measure"]["enum"]) == {"percent", "rate", "ratio", "times", "count"}


def test_the_csv_import_declares_its_body_and_the_export_its_content_types(client):
    schema = client.get("/api/openapi.json").json()
    upload = schema["paths"]["/api/plans/{plan_id}/observations/import"]["post"]
    assert upload["requestBody"]["content"]["text/csv"]["schema"] == {"type": "string"}
    export = schema["paths"]["/api/plans/{plan_id}/observations/export"]["get"]
    assert set(export["responses"]["200"]["content"]) == {
        "text/csv",
        "application/json",
        "application/vnd.sdmx.data+csv",
    }
    formats = next(p for p in export["parameters"] if p["name"] == "format")
    assert formats["schema"]["enum"] == ["csv", "dhis2", "sdmx"]
