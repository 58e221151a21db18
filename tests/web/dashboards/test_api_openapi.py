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
