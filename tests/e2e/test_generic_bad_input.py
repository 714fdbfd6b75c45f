"""A bad-input corpus for every operation that takes a body, query parameters or path ids,
enumerated from the OpenAPI document: malformed JSON, wrong types, over 1 MB, NaN/Infinity,
unicode (RTL, emoji, NUL), huge and negative numbers, invalid dates, over-long strings and lists,
empty bodies. Each answer is a 4xx in the documented error shape (never a 5xx), and the
tenant's readable state and audit log are the same afterwards."""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import pytest

from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import (
    Examples,
    Operation,
    Resources,
    operations,
    served_spec_for_collection,
    tenant_state,
)

SPEC = served_spec_for_collection()
OPERATIONS = operations(SPEC)
UNICODE = "\u202e\u0645\u0631\u062d\u0628\u0627 🚀\u0000\u200d"  # RTL override, Arabic, emoji, NUL, ZWJ
MAX_FIELDS = 8  # field-level cases for at most this many fields per operation (bounded suite)


@dataclass(frozen=True)
class Case:
    label: str
    body: bytes | None = None  # raw bytes sent as application/json
    query: dict[str, str] | None = None  # replaces the example query
    path: str | None = None  # replaces the filled path
    must_fail: bool = True  # False: only "never a 5xx" (the value may be legitimately accepted)


def _json(value: Any) -> bytes:
    return json.dumps(value, allow_nan=True).encode()  # NaN/Infinity written as JS does


def _is_date(name: str, schema: dict[str, Any]) -> bool:
    lowered = name.lower()
    return (
        schema.get("format") in {"date", "date-time"} or lowered.endswith("date") or lowered in {"from", "to"}
    )


# DynamoDB holds numbers of magnitude 1e-130 to 9.99e125 with 38 significant digits: values a
# schema may accept must still never reach the table as a 500.
DYNAMO_EDGES_REFUSED = [("1e-131", 1e-131), ("1e126", 1e126), ("subnormal 5e-324", 5e-324)]
DYNAMO_EDGES_MAYBE = [("39 significant digits", 123456789012345678901234567890123456789), ("-0.0", -0.0)]


def _bad_values(name: str, schema: dict[str, Any], examples: Examples) -> Iterator[tuple[str, Any, bool]]:
    """Values for a field of this schema, and whether it must refuse them (else only: no 5xx)."""
    for label, value in _refused_values(name, schema, examples):
        yield label, value, True
    if schema.get("type") in {"integer", "number"}:
        for label, value in DYNAMO_EDGES_MAYBE:
            yield label, value, False


def _refused_lists(name: str, schema: dict[str, Any], examples: Examples) -> Iterator[tuple[str, Any]]:
    """Lists no array field of this schema should accept: the wrong type, too long, and (a list
    of objects) one item with a refused field or an unknown one."""
    yield "string for a list", "not-a-list"
    item = examples.value(schema.get("items") or {"type": "string"}, name.rstrip("s"))
    yield "over-long list", [item] * (schema.get("maxItems", 10_000) + 1)
    item_schema = examples.resolve(schema.get("items") or {})
    if isinstance(item, dict):
        for field, field_schema in list((item_schema.get("properties") or {}).items())[:MAX_FIELDS]:
            for label, bad in _refused_values(field, examples.resolve(field_schema), examples):
                if not label.startswith("over-long"):
                    yield f"item.{field} {label}", [{**item, field: bad}]
        yield "item with an unknown field", [{**item, "unexpectedField": 1}]


def _refused_values(name: str, schema: dict[str, Any], examples: Examples) -> Iterator[tuple[str, Any]]:
    """Values no field of this schema should accept."""
    kind = schema.get("type")
    if kind in {"integer", "number"}:
        yield "string for a number", "twelve"
        yield "1e308", 1e308
        yield "-1e308", -1e308
        yield "10**40", 10**40
        yield "NaN", float("nan")
        yield "Infinity", float("inf")
        yield from DYNAMO_EDGES_REFUSED
        if schema.get("minimum", schema.get("exclusiveMinimum", -1)) >= 0:
            yield "negative", -1
    elif kind == "boolean":
        yield "string for a boolean", "maybe"
        yield "list for a boolean", [True]
    elif kind == "array":
        yield from _refused_lists(name, schema, examples)
    elif kind == "object" or "properties" in schema or "additionalProperties" in schema:
        yield "string for an object", "not-an-object"
        yield "list for an object", []
        yield "object with 5,000 keys", {f"k{i}": "v" * 100 for i in range(5_000)}
    elif kind == "string" or not kind:
        yield "number for a string", 12345
        yield "list for a string", ["x"]
        yield "over-long string", "x" * (schema.get("maxLength", 100_000) + 1)
        if _is_date(name, schema):
            yield "invalid date", "2024-13-45T25:61:00Z"
            yield "not a date", "yesterday"
        # A pattern that UNICODE matches (`\S`: not blank) does not refuse it.
        pattern = schema.get("pattern")
        if (pattern and not re.search(pattern, UNICODE)) or schema.get("enum") or schema.get("format"):
            yield "unicode", UNICODE


def _body_cases(op: Operation, examples: Examples) -> Iterator[Case]:
    schema = examples.resolve(op.body_schema or {})
    example = examples.body(op)
    yield Case("malformed JSON", b'{"name": ')
    yield Case("trailing comma", b'{"a": 1,}')
    yield Case("JSON array", b"[]")
    yield Case("JSON string (emoji)", _json("🚀"))
    yield Case("JSON null", b"null")
    yield Case("empty body", b"")
    yield Case("over 1 MB", _json({"padding": "x" * (1024 * 1024)}))
    yield Case("NaN literal", b'{"value": NaN}')
    yield Case("Infinity literal", b'{"value": -Infinity}')
    yield Case("invalid UTF-8", b'{"name": "\xff\xfe"}')
    if not isinstance(example, dict):
        return
    yield Case("unknown field", _json({**example, "unexpectedField": "x"}))
    yield Case("unicode unknown field", _json({**example, UNICODE: 1}))
    if schema.get("required") or schema.get("minProperties"):
        yield Case("empty object", b"{}")
    properties = schema.get("properties") or {}
    for name in list(properties)[:MAX_FIELDS]:
        field_schema = examples.resolve(properties[name])
        for label, bad, must_fail in _bad_values(name, field_schema, examples):
            yield Case(f"{name}: {label}", _json({**example, name: bad}), must_fail=must_fail)
        item_schema = examples.resolve(field_schema.get("items") or {})
        item = example.get(name, [None])[0] if isinstance(example.get(name), list) else None
        if field_schema.get("type") == "array" and isinstance(item, dict):
            for field, schema_of_field in list((item_schema.get("properties") or {}).items())[:MAX_FIELDS]:
                if examples.resolve(schema_of_field).get("type") in {"integer", "number"}:
                    for label, edge in DYNAMO_EDGES_MAYBE:
                        yield Case(
                            f"{name}.item.{field}: {label}",
                            _json({**example, name: [{**item, field: edge}]}),
                            must_fail=False,
                        )


def _query_cases(op: Operation, examples: Examples) -> Iterator[Case]:
    base = examples.query(op)
    for param in op.params("query")[:MAX_FIELDS]:
        name, schema = param["name"], examples.resolve(param.get("schema") or {})
        kind = schema.get("type")
        bad: list[tuple[str, str, bool]] = []
        if kind in {"integer", "number"}:
            bad += [("letters", "abc", True), ("1e308", "1e308", True), ("10**40", "1" + "0" * 40, True)]
            bad += [("NaN", "NaN", True), ("Infinity", "Infinity", True), ("subnormal", "5e-324", True)]
            bad += [("1e-131", "1e-131", False), ("-0.0", "-0.0", False), ("39 digits", "9" * 39, False)]
            if schema.get("minimum", schema.get("exclusiveMinimum", -1)) >= 0 or name in {"limit", "offset"}:
                bad.append(("negative", "-1", True))
            if "maximum" in schema:
                bad.append(("over the maximum", str(int(schema["maximum"]) + 1), True))
        elif _is_date(name, schema):
            bad += [("invalid date", "2024-13-45T25:61:00Z", True), ("not a date", "yesterday", True)]
            bad += [("unicode", UNICODE, True), ("huge year", "99999-01-01", True)]
        elif name == "projectId" or schema.get("pattern") or schema.get("enum"):
            bad += [("unicode", UNICODE, True), ("over-long", "x" * 5_000, True)]
        else:
            # free text (a filter, a comma list): odd values may be legitimate, never a 5xx
            bad += [("unicode", UNICODE, False), ("over-long", "x" * 5_000, False)]
        for label, value, must_fail in bad:
            yield Case(f"?{name}: {label}", query={**base, name: value}, must_fail=must_fail)


def _path_cases(op: Operation, resources: Resources) -> Iterator[Case]:
    for param in op.path_params:
        for label, value in (
            ("unicode", quote(UNICODE, safe="")),
            ("over-long", "x" * 300),
            ("spaces", "a%20b"),
        ):
            yield Case(f"/{param}: {label}", path=resources.fill(op.path, {param: value}))


def corpus(op: Operation, resources: Resources) -> list[Case]:
    cases: list[Case] = []
    if op.body_schema is not None:
        cases += _body_cases(op, resources.examples)
    cases += _query_cases(op, resources.examples)
    cases += _path_cases(op, resources)
    return cases


TARGETS = [
    op
    for op in OPERATIONS
    if not op.public and (op.body_schema is not None or op.params("query") or op.path_params)
]


@dataclass
class Seeded:
    """A tenant with one of every resource, and what it could read when last looked at."""

    tenant: Tenant
    resources: Resources
    state: dict[str, Any] | None = None

    def read_state(self) -> dict[str, Any]:
        return tenant_state(self.tenant, OPERATIONS, self.resources)


def _seeded(make_tenant: Callable[..., Tenant]) -> Seeded:
    # far above what the module sends: no answer is a 429
    tenant = make_tenant("enterprise", rate_limit_per_hour=10_000_000)
    resources = Resources(tenant, OPERATIONS, Examples(SPEC, tenant.project_id, "zq" + secrets.token_hex(6)))
    for op in OPERATIONS:
        resources.fill(op.path)
    return Seeded(tenant, resources)


@pytest.fixture(scope="module")
def refused_only(make_tenant: Callable[..., Tenant]) -> Seeded:
    """Shared by the module's tests (seeding costs ~80 requests): it is sent only what every
    route must refuse, so its state never changes and each test compares against the last one."""
    seeded = _seeded(make_tenant)
    seeded.state = seeded.read_state()
    return seeded


@pytest.fixture(scope="module")
def scratch(make_tenant: Callable[..., Tenant]) -> Seeded:
    """For values a route may accept and store (only "never a 5xx" is asked of them)."""
    return _seeded(make_tenant)


@pytest.mark.parametrize("op", TARGETS, ids=str)
def test_bad_input_is_a_4xx_and_changes_nothing(op: Operation, refused_only: Seeded, scratch: Seeded) -> None:
    cases = corpus(op, refused_only.resources)
    failures = _send(op, refused_only, [c for c in cases if c.must_fail])
    failures += _send(op, scratch, [c for c in corpus(op, scratch.resources) if not c.must_fail])

    before, after = refused_only.state or {}, refused_only.read_state()
    refused_only.state = after  # a change is this test's failure, not the next one's
    assert not failures, f"{op}:\n  " + "\n  ".join(failures)
    changed = [k for k in after if after[k] != before.get(k)]
    assert not changed, f"{op}: bad input changed {changed}"


def _send(op: Operation, seeded: Seeded, cases: list[Case]) -> list[str]:
    tenant, resources = seeded.tenant, seeded.resources
    path, query = resources.fill(op.path), resources.examples.query(op)
    failures = []
    for case in cases:
        response = tenant.request(
            op.method,
            case.path or path,
            params=case.query if case.query is not None else query,
            data=case.body
            if case.body is not None
            else (_json(resources.examples.body(op)) if op.body_schema else None),
            headers={"Content-Type": "application/json"},
        )
        status = response.status_code
        if status >= 500 or (case.must_fail and not 400 <= status < 500):
            failures.append(f"{case.label}: {status} {response.text[:200]}")
            continue
        if status >= 400:
            try:
                assert_error(response, status)
            except AssertionError as error:
                failures.append(f"{case.label}: {status} not in the error shape: {error}")
            for header in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
                if header not in response.headers and status not in (401,):
                    failures.append(f"{case.label}: {status} without {header}")
    return failures
