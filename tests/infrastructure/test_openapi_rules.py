"""The served document states the rules the models enforce: for each body below, the JSON Schema
of the document accepts it exactly when the model does (cross-field rules, nested JSON limits,
stripped text); and every create links to the operations on what it made."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

from tallyboard.logic import docs
from tallyboard.models.connections import CreateConnectionRequest
from tallyboard.models.dashboards.dashboards import CreateDashboardRequest
from tallyboard.models.dashboards.widgets import CreateWidgetRequest, UpdateWidgetRequest
from tallyboard.models.exports import CreateExportRequest, ExportScheduleRequest
from tallyboard_local.template import ROOT

SPEC = docs.openapi_schema(ROOT / "functions")
P = {"projectId": "proj_1"}


def _schema_accepts(component: str, body: Any) -> bool:
    schema = {**SPEC["components"]["schemas"][component], "components": SPEC["components"]}
    validator = jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return validator.is_valid(body)


def _model_accepts(model: Any, body: Any) -> bool:
    try:
        (
            model.model_validate
            if isinstance(model, type) and issubclass(model, BaseModel)
            else TypeAdapter(model).validate_python
        )(body)
    except ValidationError:
        return False
    return True


CASES = [
    # credentials by authType
    ("CreateConnectionRequest", CreateConnectionRequest, {**P, "service": "stripe", "authType": "none"}),
    ("CreateConnectionRequest", CreateConnectionRequest, {**P, "service": "stripe", "authType": "oauth2"}),
    (
        "CreateConnectionRequest",
        CreateConnectionRequest,
        {**P, "service": "s", "authType": "oauth2", "credentials": {"accessToken": "t"}},
    ),
    (
        "CreateConnectionRequest",
        CreateConnectionRequest,
        {**P, "service": "s", "authType": "basic", "credentials": {"username": "u"}},
    ),
    (
        "CreateConnectionRequest",
        CreateConnectionRequest,
        {**P, "service": "s", "authType": "basic", "credentials": {"username": "u", "password": "p"}},
    ),
    (
        "CreateConnectionRequest",
        CreateConnectionRequest,
        {**P, "service": "s", "authType": "api_key", "credentials": {"apiKey": "k", "a b": "x"}},
    ),
    (
        "CreateConnectionRequest",
        CreateConnectionRequest,
        {**P, "service": "s", "authType": "bearer_token", "credentials": {"token": "k", "extra": "x"}},
    ),
    # category only for type category
    ("CreateDashboardRequest", CreateDashboardRequest, {**P, "name": "x"}),
    ("CreateDashboardRequest", CreateDashboardRequest, {**P, "name": "x", "category": "payment"}),
    (
        "CreateDashboardRequest",
        CreateDashboardRequest,
        {**P, "name": "x", "type": "custom", "category": None},
    ),
    ("CreateDashboardRequest", CreateDashboardRequest, {**P, "name": "x", "type": "category"}),
    (
        "CreateDashboardRequest",
        CreateDashboardRequest,
        {**P, "name": "x", "type": "category", "category": "payment"},
    ),
    ("CreateDashboardRequest", CreateDashboardRequest, {**P, "name": "   "}),
    ("CreateDashboardRequest", CreateDashboardRequest, {**P, "name": "x", "tags": [" "]}),
    # at least one data type
    ("CreateExportRequest", CreateExportRequest, {**P}),
    ("CreateExportRequest", CreateExportRequest, {**P, "includeAll": False}),
    ("CreateExportRequest", CreateExportRequest, {**P, "includeMetrics": False}),
    ("CreateExportRequest", CreateExportRequest, {**P, "includeMetrics": False, "includeAll": True}),
    ("CreateExportRequest", CreateExportRequest, {**P, "includeMetrics": False, "includeDashboards": True}),
    ("CreateExportRequest", CreateExportRequest, {**P, "includeAll": False, "includeMetrics": None}),
    # nested JSON limits
    ("CreateWidgetRequest", CreateWidgetRequest, {"type": "text", "title": "t", "config": {"a": {"": 1}}}),
    ("CreateWidgetRequest", CreateWidgetRequest, {"type": "text", "title": "t", "config": {"a": [1e-16]}}),
    (
        "CreateWidgetRequest",
        CreateWidgetRequest,
        {"type": "text", "title": "t", "config": {"a": [0, 1.5, -2, None, True, "s"]}},
    ),
    (
        "CreateWidgetRequest",
        CreateWidgetRequest,
        {"type": "text", "title": "t", "config": {"a": {"b": {"c": {"d": {"e": 1}}}}}},
    ),
    (
        "CreateWidgetRequest",
        CreateWidgetRequest,
        {"type": "text", "title": "t", "config": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}},
    ),
    (
        "CreateWidgetRequest",
        CreateWidgetRequest,
        {"type": "text", "title": "t", "config": {"a": {"b": {"c": {"d": {"e": {}}}}}}},
    ),
    (
        "CreateWidgetRequest",
        CreateWidgetRequest,
        {"type": "text", "title": "t", "config": {"a": ["x" * 2001]}},
    ),
    ("UpdateWidgetRequest", UpdateWidgetRequest, {"config": {"k": [list(range(101))]}}),
    # an insight tile's settings
    ("UpdateWidgetRequest", UpdateWidgetRequest, {"config": {"metricId": "stripe_mrr", "timeRange": "90d"}}),
    ("UpdateWidgetRequest", UpdateWidgetRequest, {"config": {"metricId": -5}}),
    ("UpdateWidgetRequest", UpdateWidgetRequest, {"config": {"metricId": None}}),
    ("UpdateWidgetRequest", UpdateWidgetRequest, {"config": {"metricId": "a b"}}),
    ("UpdateWidgetRequest", UpdateWidgetRequest, {"config": {"timeRange": "2026-02-30"}}),
    ("UpdateWidgetRequest", UpdateWidgetRequest, {"config": {"timeRange": "10000d"}}),
    ("UpdateWidgetRequest", UpdateWidgetRequest, {"config": {"interval": "week", "aggregation": "latest"}}),
    ("UpdateWidgetRequest", UpdateWidgetRequest, {"config": {"aggregation": "median"}}),
]


@pytest.mark.parametrize(("component", "model", "body"), CASES)
def test_the_schema_accepts_what_the_model_accepts(component: str, model: Any, body: dict[str, Any]) -> None:
    assert _schema_accepts(component, body) == _model_accepts(model, body), body


def test_schedules_state_the_data_type_rule() -> None:
    weekly = {"frequency": "weekly", "includeMetrics": False}
    assert not _model_accepts(ExportScheduleRequest, weekly)
    assert not _schema_accepts("WeeklySchedule", weekly)
    assert _schema_accepts("WeeklySchedule", {**weekly, "includeConnections": True})


def test_every_create_links_to_the_operations_on_what_it_made() -> None:
    paths = SPEC["paths"]
    linked = {
        (path, link["operationId"])
        for path, operations in paths.items()
        for status, response in operations.get("post", {}).get("responses", {}).items()
        for link in (response.get("links") or {}).values()
    }
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    operation_ids = {op["operationId"] for ops in paths.values() for m, op in ops.items() if m in methods}
    assert {target for _, target in linked} <= operation_ids
    # each child of a collection with a POST is reached from that POST, e.g. the widget's PATCH and
    # DELETE from POST /dashboards/{dashboardId}/widgets, with the parent id from the create's path
    for path, operations in paths.items():
        if "post" not in operations:
            continue
        for child, child_operations in paths.items():
            rest = child[len(path) :]
            if child.startswith(path + "/{") and rest.count("/") == 1:
                for method, operation in child_operations.items():
                    if method not in methods:
                        continue  # a path item's own keys (parameters, summary)
                    assert (path, operation["operationId"]) in linked, (
                        f"POST {path} → {method.upper()} {child}"
                    )
    widget = paths["/dashboards/{dashboardId}/widgets"]["post"]["responses"]["201"]["links"]
    (update,) = [link for link in widget.values() if link["operationId"] == "updateWidget"]
    assert update["parameters"] == {
        "widgetId": "$response.body#/data/id",
        "dashboardId": "$request.path.dashboardId",
    }
