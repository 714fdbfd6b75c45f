"""The SDK's written models and route table against the served OpenAPI spec: every path and
method it calls exists, every query parameter and body field it sends is declared, and every
field its models read exists in the component it reads, with a type the model accepts (and,
where the model counts on it, required and not nullable). No stack needed."""

from __future__ import annotations

import copy
import types
import typing
from typing import Any

import pytest
from tallyboard_client._routes import LIST_ITEMS, ROUTES
from tallyboard_client.models import ALL_MODELS, Model

from tests.e2e.generic_spec import served_spec_for_collection

SPEC = served_spec_for_collection()
PY_TYPES = {str: {"string"}, int: {"integer"}, float: {"number", "integer"}, bool: {"boolean"}}


def _schema(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _types(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    """The JSON types a property may hold ("$Name" for a component)."""
    if "$ref" in schema:
        return {"$" + schema["$ref"].rsplit("/", 1)[-1]}
    found: set[str] = set()
    for combinator in ("anyOf", "oneOf"):
        for option in schema.get(combinator, []):
            found |= _types(spec, option)
    if "type" in schema:
        found |= set(schema["type"]) if isinstance(schema["type"], list) else {schema["type"]}
    elif "const" in schema and not found:
        found |= {type(schema["const"]).__name__.replace("str", "string").replace("bool", "boolean")}
    elif not found:
        found = {"number"} if "minimum" in schema or "maximum" in schema else {"any"}
    return found


def _accepts(hint: Any) -> tuple[set[str], bool]:
    """The JSON types a model's annotation takes, and whether it takes null."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        accepted: set[str] = set()
        nullable = False
        for arg in typing.get_args(hint):
            if arg is type(None):
                nullable = True
            else:
                accepted |= _accepts(arg)[0]
        return accepted, nullable
    origin = typing.get_origin(hint) or hint
    if isinstance(origin, type) and issubclass(origin, Model):
        return {"$" + origin.SCHEMA, "object"}, False
    if origin is list:
        return {"array"}, False
    if origin is dict:
        return {"object"}, False
    if hint is typing.Any:
        return {"any", "string", "integer", "number", "boolean", "object", "array", "null"}, True
    return PY_TYPES[origin], False


def model_drift(spec: dict[str, Any], model: type[Model]) -> list[str]:
    component = spec["components"]["schemas"].get(model.SCHEMA)
    if component is None:
        return [f"{model.__name__}: no component {model.SCHEMA} in the spec"]
    properties, required = component.get("properties", {}), set(component.get("required", []))
    problems = []
    for name, (attribute, hint) in model.api_fields().items():
        where = f"{model.__name__}.{attribute} ({model.SCHEMA}.{name})"
        if name not in properties:
            problems.append(f"{where}: not in the spec")
            continue
        spec_types = _types(spec, properties[name])
        accepted, nullable = _accepts(hint)
        if "any" in spec_types:
            continue
        wrong = {t for t in spec_types - accepted if t != "null"}
        if wrong:
            problems.append(f"{where}: the spec says {sorted(spec_types)}, the SDK reads {sorted(accepted)}")
        if "null" in spec_types and not nullable:
            problems.append(f"{where}: nullable in the spec, not in the SDK")
        if not nullable and name not in required:
            problems.append(f"{where}: the SDK counts on it; the spec does not require it")
    return problems


def _body_properties(spec: dict[str, Any], schema: dict[str, Any]) -> set[str]:
    schema = _schema(spec, schema)
    names = set(schema.get("properties", {}))
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        names |= _body_properties(spec, option)
    return names


def _ok_component(operation: dict[str, Any]) -> str | None:
    for status, response in operation["responses"].items():
        if status.startswith("2"):
            schema = ((response.get("content") or {}).get("application/json") or {}).get("schema") or {}
            if "$ref" in schema:
                return schema["$ref"].rsplit("/", 1)[-1]
    return None


def route_drift(spec: dict[str, Any], name: str) -> list[str]:
    route = ROUTES[name]
    operation = spec["paths"].get(route.path, {}).get(route.method.lower())
    if operation is None:
        return [f"{name}: {route.method} {route.path} is not in the spec"]
    problems = []
    declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    problems += [
        f"{name}: query parameter {q!r} is not declared" for q in sorted(set(route.query) - declared)
    ]
    body = (
        ((operation.get("requestBody") or {}).get("content") or {}).get("application/json", {}).get("schema")
    )
    if route.body:
        fields = _body_properties(spec, body) if body else set()
        problems += [f"{name}: body field {f!r} is not declared" for f in sorted(set(route.body) - fields)]
    if route.response and _ok_component(operation) != route.response:
        problems.append(f"{name}: answers {_ok_component(operation)}, the SDK reads {route.response}")
    return problems


def wrapper_drift(spec: dict[str, Any]) -> list[str]:
    """Lists' items and `{data: X}` envelopes are the components the models read."""
    by_schema = {m.SCHEMA for m in ALL_MODELS}
    problems = []
    for list_name, item in LIST_ITEMS.items():
        data = spec["components"]["schemas"][list_name]["properties"]["data"]
        if _types(spec, data.get("items", {})) != {"$" + item}:
            problems.append(f"{list_name}.data holds {data.get('items')}, the SDK reads {item}")
        if item not in by_schema:
            problems.append(f"no model reads {item}")
    return problems


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_every_model_field_is_in_the_spec_with_its_type(model: type[Model]) -> None:
    assert model_drift(SPEC, model) == []


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_every_route_the_sdk_calls_is_in_the_spec(name: str) -> None:
    assert route_drift(SPEC, name) == []


def test_list_items_are_the_components_the_models_read() -> None:
    assert wrapper_drift(SPEC) == []


def test_the_drift_checks_see_a_spec_change() -> None:
    """The checks fail on a spec that drifted: a renamed field, a changed type, a field made
    optional, a removed route, an undeclared parameter."""
    from tallyboard_client.models import ExportJob, MetricPoint

    spec = copy.deepcopy(SPEC)
    schemas = spec["components"]["schemas"]
    schemas["MetricPoint"]["properties"]["metricValue"] = schemas["MetricPoint"]["properties"].pop("value")
    schemas["ExportJob"]["properties"]["progress"] = {"type": "string"}
    schemas["ExportJob"]["required"].remove("status")
    del spec["paths"]["/exports/{exportJobId}"]["get"]
    spec["paths"]["/metrics"]["get"]["parameters"] = [
        p for p in spec["paths"]["/metrics"]["get"]["parameters"] if p["name"] != "cursor"
    ]
    schemas["CustomMetricRequest"]["properties"].pop("unit")

    assert model_drift(spec, MetricPoint) == ["MetricPoint.value (MetricPoint.value): not in the spec"]
    assert sorted(model_drift(spec, ExportJob)) == [
        "ExportJob.progress (ExportJob.progress): the spec says ['string'], the SDK reads ['integer']",
        "ExportJob.status (ExportJob.status): the SDK counts on it; the spec does not require it",
    ]
    assert route_drift(spec, "exports.get") == ["exports.get: GET /exports/{exportJobId} is not in the spec"]
    assert route_drift(spec, "metrics.list") == ["metrics.list: query parameter 'cursor' is not declared"]
    assert route_drift(spec, "metrics.push") == ["metrics.push: body field 'unit' is not declared"]
