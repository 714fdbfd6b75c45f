"""The served document as a product: short verb-first operationIds, tags and descriptions, a
request and a response example on every operation that validate against their schemas, only the
errors an operation can answer, the rate-limit headers declared, projectId optional where a key
bound to one project may omit it, and oneOf/anyOf branches that are whole models."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest

from tallyboard.logic import docs
from tallyboard_local.template import ROOT

SPEC = docs.openapi_schema(ROOT / "functions")
METHODS = ("get", "post", "put", "patch", "delete")
OPERATIONS = [
    (f"{method.upper()} {path}", operation)
    for path, item in SPEC["paths"].items()
    for method, operation in item.items()
    if method in METHODS
]


def _by_id(operation_id: str) -> dict[str, Any]:
    (found,) = [op for _, op in OPERATIONS if op["operationId"] == operation_id]
    return found


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(
        {**schema, "components": SPEC["components"]},
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


def _examples() -> list[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) of every example in the document."""
    found = []
    for label, operation in OPERATIONS:
        for parameter in operation.get("parameters", []):
            if "example" in parameter:
                found.append((f"{label} {parameter['name']}", parameter["schema"], parameter["example"]))
        body = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
        if "example" in body:
            found.append((f"{label} body", body["schema"], body["example"]))
        for status, response in operation["responses"].items():
            media = (response.get("content") or {}).get("application/json") or {}
            if "example" in media:
                found.append((f"{label} {status}", media["schema"], media["example"]))
    return found


def test_operation_ids_are_short_verb_first_camel_case_and_unique() -> None:
    ids = [operation["operationId"] for _, operation in OPERATIONS]
    assert len(ids) == len(set(ids))
    verbs = [
        "list",
        "get",
        "create",
        "update",
        "delete",
        "copy",
        "move",
        "reorder",
        "run",
        "snapshot",
        "stream",
        "analyze",
        "generate",
        "bulk",
        "push",
        "replace",
        "set",
        "cancel",
        "revoke",
        "archive",
    ]
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(?:[A-Z][a-z0-9]+)*", operation_id), operation_id
        assert re.match(rf"(?:{'|'.join(verbs)})[A-Z]", operation_id), operation_id
        assert len(operation_id) <= 30, operation_id
    # the names the SDK's users and the generated clients see, pinned
    assert {_by_id(i)["summary"] is not None for i in ("listMetrics", "getMetricTimeseries")} == {True}
    pinned = {
        "GET /metrics": "listMetrics",
        "GET /metrics/{metricId}/timeseries": "getMetricTimeseries",
        "POST /dashboards/{dashboardId}/copy_tile": "copyDashboardTile",
        "POST /api-keys": "createApiKey",
        "DELETE /api-keys/{keyId}": "revokeApiKey",
        "PUT /exports/schedule": "setExportSchedule",
        "POST /metrics/custom/batch": "pushCustomMetrics",
        "GET /openapi.json": "getOpenApiDocument",
    }
    by_label = {label: operation["operationId"] for label, operation in OPERATIONS}
    assert {label: by_label[label] for label in pinned} == pinned


def test_every_operation_has_a_described_tag_and_a_description() -> None:
    described = {tag["name"] for tag in SPEC["tags"] if tag.get("description")}
    for label, operation in OPERATIONS:
        assert operation.get("description"), label
        assert operation["tags"] and set(operation["tags"]) <= described, label


def test_every_operation_has_a_request_and_a_response_example() -> None:
    for label, operation in OPERATIONS:
        body = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json")
        required = [p for p in operation.get("parameters", []) if p.get("required")]
        assert body is None or "example" in body, label
        assert all("example" in p for p in required), label
        answers = [r for s, r in operation["responses"].items() if s.startswith("2")]
        for answer in answers:
            media = (answer.get("content") or {}).get("application/json")
            assert media is None or "example" in media, label


@pytest.mark.parametrize(
    ("where", "schema", "example"), _examples(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_every_example_validates_against_its_schema(where: str, schema: dict[str, Any], example: Any) -> None:
    errors = [
        f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(schema).iter_errors(example)
    ]
    assert errors == [], where


def test_the_documents_own_examples_are_used() -> None:
    push = _by_id("pushCustomMetric")["requestBody"]["content"]["application/json"]["example"]
    assert push["metricId"] == "custom_metric_name" and push["metadata"] == {
        "source": "custom_system",
        "category": "revenue",
    }


def test_each_operation_lists_only_the_errors_it_can_answer() -> None:
    def statuses(operation_id: str) -> set[str]:
        return set(_by_id(operation_id)["responses"])

    # no body: no 413; nothing read by id: no 404; no conflict: no 409
    assert statuses("listApiKeys") == {"200", "400", "401", "403", "405", "429", "500", "503"}
    assert statuses("listMetrics") >= {"400", "404"} and "413" not in statuses("listMetrics")
    assert "409" in statuses("createExport") and "409" not in statuses("getExport")
    assert {"404", "413"} <= statuses("createWidget")
    assert statuses("getOpenApiDocument") == {"200", "405"}
    for label, operation in OPERATIONS:
        has_body = "requestBody" in operation
        assert ("413" in operation["responses"]) == has_body, label
        if label.startswith("GET"):
            assert "413" not in operation["responses"], label


def test_rate_limit_and_retry_headers_are_declared_once_and_referenced() -> None:
    headers = SPEC["components"]["headers"]
    assert {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset", "Retry-After", "Allow"} <= set(
        headers
    )
    for label, operation in OPERATIONS:
        if operation.get("security") == []:
            continue
        for status, response in operation["responses"].items():
            if "$ref" in response:
                assert response["$ref"] == "#/components/responses/MethodNotAllowed", label
                continue
            declared = response.get("headers", {})
            if status != "401":
                assert declared["X-RateLimit-Limit"] == {"$ref": "#/components/headers/X-RateLimit-Limit"}
            assert ("Retry-After" in declared) == (status in {"429", "503"}), (label, status)
    not_allowed = SPEC["components"]["responses"]["MethodNotAllowed"]
    assert not_allowed["headers"] == {"Allow": {"$ref": "#/components/headers/Allow"}}


def test_project_id_is_never_required_and_says_when_it_may_be_omitted() -> None:
    """A key bound to one project may omit it (access.project_for): 9 query parameters, 7 bodies."""
    queries = bodies = 0
    for label, operation in OPERATIONS:
        for parameter in operation.get("parameters", []):
            if parameter["name"] == "projectId" and parameter["in"] == "query":
                queries += 1
                assert parameter["required"] is False, label
                assert "bound to exactly one project" in parameter["description"]
    for _, operation in OPERATIONS:
        body = ((operation.get("requestBody") or {}).get("content") or {}).get("application/json") or {}
        schema = body.get("schema", {})
        component = SPEC["components"]["schemas"].get(schema.get("$ref", "").rsplit("/", 1)[-1], {})
        variants = [
            SPEC["components"]["schemas"][v["$ref"].rsplit("/", 1)[-1]]
            for v in component.get("oneOf", []) + component.get("anyOf", [])
        ] or [component]
        if any("projectId" in v.get("properties", {}) for v in variants):
            bodies += 1
            assert all("projectId" not in v.get("required", []) for v in variants)
    assert (queries, bodies) == (9, 7)


def test_one_of_branches_are_whole_models_with_a_discriminator_where_one_exists() -> None:
    schemas = SPEC["components"]["schemas"]
    connection = schemas["CreateConnectionRequest"]
    assert connection["discriminator"]["propertyName"] == "authType"
    assert set(connection["discriminator"]["mapping"]) == {
        "none",
        "oauth2",
        "api_key",
        "basic",
        "bearer_token",
    }
    for name, schema in schemas.items():
        for branch in schema.get("oneOf", []) + schema.get("anyOf", []):
            target = schemas.get(branch.get("$ref", "").rsplit("/", 1)[-1])
            if target is None or target.get("type") != "object":
                continue
            # every field of the object and its required ones are in the branch itself
            assert {"properties", "required"} <= set(target), (name, branch)
    basic = schemas["CreateConnectionRequestBasic"]
    assert basic["required"] == ["service", "authType", "credentials"]
    assert basic["properties"]["credentials"]["required"] == ["username", "password"]
    export = schemas["CreateExportRequestIncludeMetrics"]
    assert {"format", "dateRange", "projectId", "includeMetrics"} <= set(export["properties"])


def test_the_built_document_is_served_from_its_file(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """`make build` / `make run` write the document once; the docs function serves that file and
    imports no handler (a file that is not the merge's is served as it is), else merges."""
    built = tmp_path / "openapi.json"
    docs.write_document(ROOT / "functions", built)
    assert json.loads(built.read_text()) == SPEC
    marked = tmp_path / "marked.json"
    marked.write_text('{"openapi": "3.1.0", "marker": true}')
    monkeypatch.setenv(docs.BUILT_FILE_ENV, str(marked))
    assert docs.served_document(ROOT / "functions") == marked.read_text()
    monkeypatch.setenv(docs.BUILT_FILE_ENV, str(tmp_path / "absent.json"))
    assert json.loads(docs.served_document(ROOT / "functions")) == SPEC
