"""Every sample event in events/ (the ones `sam local invoke -e` uses), replayed in-process
against the moto stack with the sample ids swapped for a real workspace's: a new function's
event is covered as soon as it exists."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tallyboard_local import samples
from tallyboard_local import template as tpl
from tallyboard_local.samples import EVENTS_DIR, SAMPLE_KEY
from tallyboard_local.stack import LocalStack
from tests.conftest import Tenant

RATE_LIMIT_HEADERS = ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset")


EVENT_FILES = samples.event_files()
FUNCTIONS = samples.function_by_event_name()


def _substituted(path: Path, tenant: Tenant) -> dict[str, Any]:
    text = path.read_text()
    for sample, real in (
        (SAMPLE_KEY, tenant.api_key),
        (samples.WORKSPACE, tenant.workspace_id),
        (samples.PROJECT, tenant.project_id),
        (samples.USER, tenant.user_id),
        (samples.KEY, tenant.key_id),
    ):
        text = text.replace(sample, real)
    return json.loads(text)


def _headers(result: dict[str, Any]) -> dict[str, str]:
    headers = {k: str(v) for k, v in (result.get("headers") or {}).items()}
    headers.update({k: str(v[-1]) for k, v in (result.get("multiValueHeaders") or {}).items() if v})
    return headers


def test_every_function_has_a_sample_event() -> None:
    assert EVENT_FILES, "events/ is empty"
    unknown = [p.name for p in EVENT_FILES if samples.event_name(p) not in FUNCTIONS]
    assert not unknown, f"events without a function: {unknown}"


def _is_api_event(path: Path) -> bool:
    return "httpMethod" in json.loads(path.read_text())


@pytest.mark.parametrize("event_file", [p for p in EVENT_FILES if _is_api_event(p)], ids=samples.event_name)
def test_sample_event_runs_against_a_real_workspace(
    event_file: Path, stack: LocalStack, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant("scale")
    event = _substituted(event_file, tenant)
    assert stack.functions

    result = stack.functions.invoke(FUNCTIONS[samples.event_name(event_file)], event)

    status = int(result["statusCode"])
    assert 200 <= status < 500, f"{event_file.name}: {status} {result.get('body')}"
    headers = _headers(result)
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if status == 204:
        assert not result.get("body")
    elif content_type.startswith("application/json"):
        body = json.loads(result["body"])
        if status >= 400:
            assert isinstance(body.get("error"), str) and isinstance(body.get("message"), str), body
            assert set(body) <= {"error", "message", "details", "retryAfter"}, body
        else:
            assert isinstance(body, dict) and body, body
    elif event.get("resource") in tpl.page_paths():  # a console page: HTML for a browser
        assert content_type.startswith("text/html"), content_type
        assert "<html" in result["body"]
    else:
        assert event_file.stem == "get_docs" and content_type.startswith("text/html"), content_type
        assert "swagger-ui" in result["body"]
    if (event.get("requestContext") or {}).get("authorizer"):
        for name in RATE_LIMIT_HEADERS:
            assert headers.get(name, "").isdigit(), f"{event_file.name}: {name} missing in {headers}"
        assert headers["X-RateLimit-Limit"] == "1000"


@pytest.mark.parametrize(
    "event_file",
    [p for p in EVENT_FILES if not _is_api_event(p) and p.stem != "authorizer"],
    ids=samples.event_name,
)
def test_task_sample_event_runs_against_a_real_workspace(
    event_file: Path, stack: LocalStack, make_tenant: Callable[..., Tenant]
) -> None:
    """Functions invoked by AWS services (workflow steps, schedule targets) take and return a
    JSON document; with the sample ids of a real workspace they run to the end."""
    tenant = make_tenant("scale")
    event = _substituted(event_file, tenant)
    assert stack.functions

    result = stack.functions.invoke(FUNCTIONS[samples.event_name(event_file)], event)

    assert isinstance(result, dict) and result, f"{event_file.name}: {result!r}"
    json.dumps(result)  # Step Functions and Scheduler pass JSON


def test_authorizer_event_allows_a_real_key(stack: LocalStack, make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant("scale")
    event = _substituted(EVENTS_DIR / "keys/authorizer.json", tenant)
    assert stack.functions

    decision = stack.functions.invoke("AuthorizerFunction", event)

    assert decision["principalId"] == tenant.key_id
    (statement,) = decision["policyDocument"]["Statement"]
    assert statement["Effect"] == "Allow" and statement["Action"] == "execute-api:Invoke"
    # The whole stage, so a cached decision covers every route the key calls.
    assert statement["Resource"].endswith("/v1/*")
    context = decision["context"]
    assert context["workspaceId"] == tenant.workspace_id
    assert context["userId"] == tenant.user_id
    assert context["keyId"] == tenant.key_id
    assert context["role"] == "owner" and context["plan"] == "scale"
    assert context["rateLimit"] == 1000
    assert context["projectIds"] == "" and context["scopes"] == ""
    # API Gateway passes context values on as strings, numbers or booleans only.
    assert all(isinstance(v, str | int | bool) for v in context.values())
    assert decision["usageIdentifierKey"] == f"{stack.environment['GATEWAY_KEY_PREFIX']}-scale"
    assert tenant.api_key not in json.dumps(decision)


def test_authorizer_event_with_a_bogus_key_raises(stack: LocalStack) -> None:
    event = json.loads((EVENTS_DIR / "keys/authorizer.json").read_text())  # the sample key exists nowhere
    assert stack.functions

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        stack.functions.invoke("AuthorizerFunction", event)


def test_authorizer_event_with_a_revoked_key_raises(
    stack: LocalStack, make_tenant: Callable[..., Tenant]
) -> None:
    tenant = make_tenant("scale")
    second = tenant.create_key("owner")
    assert tenant.delete(f"/api-keys/{tenant.key_id}").status_code == 204
    event = _substituted(EVENTS_DIR / "keys/authorizer.json", tenant)
    assert stack.functions

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        stack.functions.invoke("AuthorizerFunction", event)
    event["authorizationToken"] = f"Bearer {second.api_key}"
    assert (
        stack.functions.invoke("AuthorizerFunction", event)["context"]["workspaceId"] == tenant.workspace_id
    )
