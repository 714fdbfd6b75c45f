"""The per-request wrapper: body read as JSON whatever its Content-Type, size limit, validation
errors in the documented shape, plan gate, and the rate-limit headers on every answer."""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any, Literal

import pytest
from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query
from pydantic import BaseModel, Field

from tallyboard import http, rate_limit
from tallyboard.errors import BadRequest, NotFound, PayloadTooLarge, RateLimited
from tallyboard.models.common import RequestModel
from tallyboard_local.functions import LambdaContext

ONE_MB = 1_048_576


def _event(
    body: str | None = None,
    method: str = "POST",
    path: str = "/things",
    content_type: str | None = "application/json",
    base64_encoded: bool = False,
    query: dict[str, str] | None = None,
    plan: str = "scale",
) -> dict[str, Any]:
    headers = {"Content-Type": content_type} if content_type else {}
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": None,
        "requestContext": {
            "resourcePath": path,
            "httpMethod": method,
            "requestId": "req-1",
            "stage": "v1",
            "identity": {"sourceIp": "203.0.113.1", "userAgent": "pytest"},
            "authorizer": {
                "workspaceId": "ws_1",
                "userId": "user_1",
                "keyId": "key_1",
                "role": "owner",
                "scopes": "",
                "projectIds": "",
                "plan": plan,
                "rateLimit": "1000",
            },
        },
        "body": body,
        "isBase64Encoded": base64_encoded,
    }


# ------------------------------------------------------------------ _read_body_as_json


def test_form_encoded_body_is_read_as_json() -> None:
    event = _event('{"name": "x"}', content_type="application/x-www-form-urlencoded")

    http._read_body_as_json(event)

    assert event["body"] == '{"name": "x"}'
    assert event["headers"]["Content-Type"] == "application/json"
    assert event["multiValueHeaders"]["Content-Type"] == ["application/json"]
    assert [k for k in event["headers"] if k.lower() == "content-type"] == ["Content-Type"]


def test_lowercase_content_type_header_is_replaced_not_duplicated() -> None:
    event = _event('{"a": 1}', content_type=None)
    event["headers"] = {"content-type": "text/plain"}
    event["multiValueHeaders"] = {"content-type": ["text/plain"]}

    http._read_body_as_json(event)

    assert event["headers"] == {"Content-Type": "application/json"}
    assert event["multiValueHeaders"] == {"Content-Type": ["application/json"]}


def test_base64_body_is_decoded() -> None:
    event = _event(base64.b64encode('{"name": "Zoë 🚀"}'.encode()).decode(), base64_encoded=True)

    http._read_body_as_json(event)

    assert event["isBase64Encoded"] is False
    assert json.loads(event["body"]) == {"name": "Zoë 🚀"}


def test_no_body_is_left_alone() -> None:
    event = _event(None, method="GET")

    http._read_body_as_json(event)

    assert event["body"] is None


def test_body_over_one_megabyte_is_413() -> None:
    exactly = json.dumps({"blob": "x" * (ONE_MB - 12)})
    assert len(exactly) == ONE_MB
    http._read_body_as_json(_event(exactly))

    with pytest.raises(PayloadTooLarge) as raised:
        http._read_body_as_json(_event(json.dumps({"blob": "x" * (ONE_MB - 11)})))
    assert raised.value.status == 413


def test_size_counts_bytes_not_characters() -> None:
    # 600k two-byte characters: under 1M characters, over 1 MB.
    with pytest.raises(PayloadTooLarge):
        http._read_body_as_json(_event(json.dumps({"blob": "é" * 600_000}, ensure_ascii=False)))


@pytest.mark.parametrize(
    "body",
    ['{"value": NaN}', '{"value": Infinity}', '{"value": -Infinity}', "{not json", "{'a': 1}", '{"a": 1'],
)
def test_not_json_is_400(body: str) -> None:
    with pytest.raises(BadRequest) as raised:
        http._read_body_as_json(_event(body))
    assert raised.value.body() == {"error": "Bad Request", "message": "Request body is not valid JSON"}


def test_invalid_utf8_is_400() -> None:
    event = _event(base64.b64encode(b'{"name": "\xff\xfe"}').decode(), base64_encoded=True)

    with pytest.raises(BadRequest, match="not valid JSON"):
        http._read_body_as_json(event)


# ------------------------------------------------------------------ the wrapper around a resolver


class Thing(RequestModel):
    name: Annotated[str, Field(min_length=1, max_length=10)]
    count: Annotated[int, Field(ge=0, le=100)] = 0


class Spot(RequestModel):
    x: Annotated[int, Field(ge=0)]


class ThingPatch(RequestModel):
    kind: Literal["a", "b"] | None = None
    label: Annotated[str, Field(min_length=1)] | None = None
    spot: Spot | None = None
    spots: list[Spot] | None = None


class ThingOut(BaseModel):
    name: str
    count: int


app = APIGatewayRestResolver(enable_validation=True)
http.install_api_defaults(app)


@app.post("/things", status_code=201)
def create_thing(thing: Thing) -> ThingOut:
    return ThingOut(**thing.model_dump())


@app.get("/things")
def list_things(limit: Annotated[int, Query(ge=1, le=10)] = 5) -> dict:
    return {"limit": limit}


@app.patch("/things")
def patch_thing(patch: ThingPatch) -> dict:
    return patch.model_dump(exclude_none=True)


@app.get("/missing")
def missing() -> dict:
    raise NotFound("Thing not found")


@app.get("/boom")
def boom() -> dict:
    raise RuntimeError("secret internal detail")


handler = http.api_handler(app)
HEADERS = {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "998", "X-RateLimit-Reset": "1767229200"}


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """rate_limit.consume replaced: records each caller's binding and answers fixed headers."""
    seen: list[str] = []

    def consume(caller: Any, now: float | None = None) -> dict[str, str]:
        seen.append(caller.rate_limit_binding)
        return dict(HEADERS)

    monkeypatch.setattr(rate_limit, "consume", consume)
    return seen


def _call(event: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
    result = handler(event, LambdaContext("UnitFunction"))
    headers = {k: v[-1] for k, v in (result.get("multiValueHeaders") or {}).items()}
    headers.update(result.get("headers") or {})
    return result["statusCode"], headers, json.loads(result["body"]) if result.get("body") else {}


def _assert_rate_headers(headers: dict[str, str]) -> None:
    for name, value in HEADERS.items():
        assert headers.get(name) == value, (name, headers)


def test_valid_request_passes_with_rate_limit_headers(counted: list[str]) -> None:
    status, headers, body = _call(_event('{"name": "a", "count": 3}'))

    assert (status, body) == (201, {"name": "a", "count": 3})
    _assert_rate_headers(headers)
    assert counted == ["workspace:ws_1"]


def test_form_encoded_request_passes(counted: list[str]) -> None:
    status, _, body = _call(_event('{"name": "a"}', content_type="application/x-www-form-urlencoded"))

    assert (status, body) == (201, {"name": "a", "count": 0})


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('{"count": 1}', "name"),
        ('{"name": ""}', "name"),
        ('{"name": "a", "count": -1}', "count"),
        ('{"name": "a", "count": 1e308}', "count"),
        ('{"name": "a", "count": "many"}', "count"),
        ('{"name": "a", "colour": "red"}', "colour"),
        ("[]", "body"),
    ],
)
def test_validation_error_is_400_naming_the_field(counted: list[str], body: str, field: str) -> None:
    status, headers, payload = _call(_event(body))

    assert status == 400
    assert payload["error"] == "Bad Request"
    assert field in payload["details"], payload
    assert payload["message"].startswith("Invalid parameter: ")
    assert field in payload["message"]
    _assert_rate_headers(headers)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "z"}, "kind"),
        ({"label": ""}, "label"),
        ({"spot": {"x": -1}}, "spot.x"),
        ({"spot": {}}, "spot.x"),
        ({"spot": {"x": 1, "y": 2}}, "spot.y"),
        ({"spot": "here"}, "spot"),
        ({"spots": [{"x": 1}, {"x": "far"}]}, "spots.1.x"),
    ],
)
def test_optional_fields_are_named_without_union_member_tags(
    counted: list[str], body: dict[str, Any], field: str
) -> None:
    # pydantic reports `X | None` failures once per member, with loc (field, "literal[...]"),
    # (field, "none"), (field, "Spot", "x"): the client only knows the field.
    status, _, payload = _call(_event(json.dumps(body), method="PATCH"))

    assert status == 400
    assert field in payload["details"], payload
    assert all("[" not in name and "none" not in name.split(".") for name in payload["details"]), payload
    assert payload["message"].startswith(f"Invalid parameter: {field}: ")


def test_query_validation_error_names_the_parameter(counted: list[str]) -> None:
    status, _, payload = _call(_event(None, method="GET", query={"limit": "1000"}))

    assert status == 400
    assert list(payload["details"]) == ["limit"]


def test_malformed_json_is_400_with_rate_limit_headers(counted: list[str]) -> None:
    status, headers, payload = _call(_event('{"name": '))

    assert (status, payload) == (400, {"error": "Bad Request", "message": "Request body is not valid JSON"})
    _assert_rate_headers(headers)


def test_oversized_body_is_413_with_rate_limit_headers(counted: list[str]) -> None:
    status, headers, payload = _call(_event(json.dumps({"name": "x" * (ONE_MB + 1)})))

    assert status == 413 and payload["error"] == "Payload Too Large"
    _assert_rate_headers(headers)


def test_domain_error_keeps_its_status_and_headers(counted: list[str]) -> None:
    status, headers, payload = _call(_event(None, method="GET", path="/missing"))

    assert (status, payload) == (404, {"error": "Not Found", "message": "Thing not found"})
    _assert_rate_headers(headers)


def test_unexpected_error_is_500_without_internal_detail(counted: list[str]) -> None:
    status, headers, payload = _call(_event(None, method="GET", path="/boom"))

    assert status == 500
    assert payload == {
        "error": "Internal Server Error",
        "message": "An unexpected error occurred. Please try again later.",
    }
    assert "secret" not in json.dumps(payload)
    _assert_rate_headers(headers)


def test_unknown_route_is_404_in_the_error_shape(counted: list[str]) -> None:
    status, _, payload = _call(_event(None, method="GET", path="/nowhere"))

    assert status == 404 and payload["error"] == "Not Found"


@pytest.mark.parametrize("plan", ["free", "pro"])
def test_plan_without_api_is_403_and_not_counted(counted: list[str], plan: str) -> None:
    status, _, payload = _call(_event('{"name": "a"}', plan=plan))

    assert status == 403
    assert payload["error"] == "Forbidden"
    assert payload["message"].startswith("API access requires Scale or Agency plan")
    assert counted == []


def test_missing_authorizer_context_is_401(counted: list[str]) -> None:
    event = _event('{"name": "a"}')
    event["requestContext"].pop("authorizer")

    status, headers, payload = _call(event)

    assert (status, payload) == (401, {"error": "Unauthorized", "message": "Invalid or missing API key"})
    assert "X-RateLimit-Limit" not in headers
    assert counted == []


def test_rate_limited_request_never_reaches_the_route(monkeypatch: pytest.MonkeyPatch) -> None:
    reached: list[bool] = []
    monkeypatch.setattr(app, "resolve", lambda *a: reached.append(True))

    def consume(caller: Any, now: float | None = None) -> dict[str, str]:
        error = RateLimited(1000, retry_after=42)
        error.headers.update({**HEADERS, "X-RateLimit-Remaining": "0"})
        raise error

    monkeypatch.setattr(rate_limit, "consume", consume)

    status, headers, payload = _call(_event('{"name": "a"}'))

    assert status == 429 and reached == []
    assert payload == {
        "error": "Rate limit exceeded",
        "message": "You have exceeded the rate limit of 1000 requests per hour",
        "retryAfter": 42,
    }
    assert headers["Retry-After"] == "42" and headers["X-RateLimit-Remaining"] == "0"
