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


def _free_form_objects(schema: dict, node, seen=frozenset(), where="") -> list[str]:
    """Every place under ``node`` where a client would get an untyped object (a bare dict)."""
    if isinstance(node, list):
        return [
            f for n, item in enumerate(node) for f in _free_form_objects(schema, item, seen, f"{where}[{n}]")
        ]
    if not isinstance(node, dict):
        return []
    if "$ref" in node:
        name = node["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            return []
        return _free_form_objects(schema, schema["components"]["schemas"][name], seen | {name}, name)
    found = []
    if (
        node.get("type") == "object"
        and not node.get("properties")
        and node.get("additionalProperties")
        in (
            None,
            True,
            {},
        )
    ):
        found.append(where)
    for key, value in node.items():
        found += _free_form_objects(schema, value, seen, f"{where}.{key}")
    return found


def test_no_json_response_is_a_free_form_object(client):
    """Evaluations included: generated clients get a class for every answer (the DHIS2 export,
    a document defined by DHIS2, is the one exception)."""
    schema = client.get("/api/openapi.json").json()
    evaluation = schema["paths"]["/api/plans/{plan_id}/evaluations/{period}"]["get"]["responses"]["200"]
    assert evaluation["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/EvaluationOut"
    }
    found = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json")
                if content and not path.endswith("/observations/export"):
                    found += [f"{method} {path} {status}: {w}" for w in _free_form_objects(schema, content)]
    assert not found, found


def test_figures_are_json_numbers_in_every_response(client):
    """Decimals go out as JSON numbers everywhere (docs/interfaces.md §5), never as strings."""
    schema = client.get("/api/openapi.json").json()["components"]["schemas"]
    for name in ("ObservationOut", "ResultOut", "PartOut", "TargetOut", "TrajectoryOut"):
        for field, spec in schema[name]["properties"].items():
            types = {s.get("type") for s in spec.get("anyOf", [spec])}
            if types & {"number"}:
                assert "string" not in types, (name, field, spec)
    observation = schema["ObservationOut"]["properties"]
    assert {s.get("type") for s in observation["value"]["anyOf"]} == {"integer", "number", "null"}
