"""Fault injection: DynamoDB throttling, a 5xx and a timeout — each outliving botocore's own
retries — on a read, a write, a transactional push, the rate-limit counter and the authorizer.
The client gets 503 with Retry-After in the documented error shape (never a 500), and nothing
partial is stored; once the fault clears the same request succeeds."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError
from botocore.retries.standard import ExponentialBackoff
from moto.core.models import botocore_stubber

from tallyboard_local.stack import LocalStack
from tests.conftest import Tenant, assert_error

FAULTS = {
    "throttle": (400, {"__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException"}),
    "5xx": (500, {"__type": "com.amazon.coral.service#InternalFailure"}),
    "timeout": None,
}


ATTEMPTS: dict[str, int] = {}


@pytest.fixture
def fault(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, str, str], Callable[[], None]]:
    """fault(kind, operation, marker): every `operation` (a JSON-protocol service's) whose request
    mentions `marker` (a workspace id, a key hash, an item type) fails with `kind` at the service
    (moto, answering in this process), on every botocore attempt, until the test ends or the
    returned function clears it. The service itself fails, so nothing of the request is applied."""
    active: list[tuple[str, str, str]] = []
    # botocore still makes every attempt; only its backoff sleeps are skipped, to keep this fast.
    monkeypatch.setattr(ExponentialBackoff, "delay_amount", lambda self, context: 0)
    serve = botocore_stubber.process_request

    def failing(request: Any) -> Any:
        target = request.headers.get("X-Amz-Target", b"")
        target = target.decode() if isinstance(target, bytes) else target
        body = request.body or b""
        body = body.decode() if isinstance(body, bytes) else body
        for kind, operation, marker in list(active):
            if target.endswith("." + operation) and marker in body:
                ATTEMPTS[operation] = ATTEMPTS.get(operation, 0) + 1
                if FAULTS[kind] is None:
                    raise ReadTimeoutError(endpoint_url=request.url)
                status, payload = FAULTS[kind]
                return status, {}, json.dumps(payload)
        return serve(request)

    monkeypatch.setattr(botocore_stubber, "process_request", failing)

    def install(kind: str, operation: str, marker: str) -> Callable[[], None]:
        entry = (kind, operation, marker)
        active.append(entry)
        return lambda: active.remove(entry)

    return install  # monkeypatch undoes the rest when the test ends


def _assert_unavailable(response: Any) -> None:
    body = assert_error(response, 503, "Service Unavailable")
    assert "Traceback" not in body["message"]
    assert int(response.headers["Retry-After"]) >= 1


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_failing_read_is_503(tenant: Tenant, fault: Callable[..., None], kind: str) -> None:
    fault(kind, "Query", tenant.workspace_id)

    _assert_unavailable(tenant.get("/dashboards", params={"projectId": tenant.project_id}))


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_failing_write_is_503_and_stores_nothing(
    tenant: Tenant, fault: Callable[..., None], kind: str
) -> None:
    body = {"projectId": tenant.project_id, "name": "Faulty", "type": "custom"}
    fault(kind, "PutItem", '"DASHBOARD"')

    _assert_unavailable(tenant.post("/dashboards", json=body))

    listed = tenant.get("/dashboards", params={"projectId": tenant.project_id})
    assert listed.status_code == 200 and listed.json()["data"] == []


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_failing_transactional_push_is_503_and_stores_nothing(
    tenant: Tenant, fault: Callable[..., None], kind: str
) -> None:
    body = {"projectId": tenant.project_id, "metricId": "faulty", "value": 3, "timestamp": 1_700_000_000_000}
    fault(kind, "TransactWriteItems", tenant.workspace_id)
    before = ATTEMPTS.get("TransactWriteItems", 0)

    _assert_unavailable(tenant.post("/metrics/custom", json=body))

    assert ATTEMPTS["TransactWriteItems"] - before >= 4  # botocore's attempts, all refused

    listed = tenant.get("/metrics", params={"projectId": tenant.project_id})
    assert listed.json()["pagination"]["total"] == 0


def test_the_rate_limit_counter_fails_closed(tenant: Tenant, fault: Callable[..., None]) -> None:
    """Decision: when the counter cannot be written the request is not served (503), rather than
    served without a limit; the counter is the first write of every request."""
    fault("throttle", "UpdateItem", tenant.workspace_id)

    response = tenant.get("/api-keys")

    _assert_unavailable(response)


@pytest.mark.parametrize("kind", list(FAULTS))
def test_a_failing_key_store_makes_the_authorizer_answer_503(
    tenant: Tenant, fault: Callable[..., None], kind: str
) -> None:
    from tallyboard.logic.keys import hash_key

    fault(kind, "GetItem", hash_key(tenant.api_key))

    _assert_unavailable(tenant.get("/api-keys"))


def test_requests_succeed_again_once_the_fault_clears(tenant: Tenant, fault: Callable[..., Any]) -> None:
    body = {"projectId": tenant.project_id, "metricId": "faulty", "value": 3, "timestamp": 1_700_000_000_000}
    clear = fault("throttle", "TransactWriteItems", tenant.workspace_id)
    _assert_unavailable(tenant.post("/metrics/custom", json=body))

    clear()

    assert tenant.post("/metrics/custom", json=body).status_code == 201
    assert tenant.get("/metrics", params={"projectId": tenant.project_id}).json()["pagination"]["total"] == 1


def test_every_authenticated_answer_is_not_cached_and_not_sniffed(tenant: Tenant) -> None:
    for response in (tenant.get("/api-keys"), tenant.get("/metrics", params={"projectId": "proj_nope"})):
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("route", ["/metrics/custom", "/metrics/custom/batch"])
def test_a_push_that_failed_transiently_can_be_retried_with_its_idempotency_key(
    tenant: Tenant, fault: Callable[..., Any], route: str
) -> None:
    """The failed attempt's in-progress idempotency record is deleted, so the retry runs (it is
    not a 409 "still in progress") and stores the point once."""
    point = {"metricId": "retried", "value": 1, "timestamp": 1_700_000_000_000}
    body = {"projectId": tenant.project_id, **(point if route == "/metrics/custom" else {"points": [point]})}
    key = {"Idempotency-Key": f"retry-{tenant.workspace_id}"}
    clear = fault("throttle", "TransactWriteItems", tenant.workspace_id)
    _assert_unavailable(tenant.post(route, json=body, headers=key))
    clear()

    retried = tenant.post(route, json=body, headers=key)

    assert retried.status_code == 201, retried.text
    assert tenant.get("/metrics", params={"projectId": tenant.project_id}).json()["pagination"]["total"] == 1


def test_an_export_whose_workflow_cannot_start_releases_its_lock(
    stack: LocalStack, tenant: Tenant, fault: Callable[..., Any]
) -> None:
    clear = fault("5xx", "StartExecution", tenant.workspace_id)

    _assert_unavailable(tenant.post("/exports", json={"projectId": tenant.project_id}))
    assert stack.functions
    payload = {
        "workspaceId": tenant.workspace_id,
        "projectId": tenant.project_id,
        "userId": tenant.user_id,
        "schedule": {
            "frequency": "weekly",
            "dayOfWeek": "monday",
            "dayOfMonth": None,
            "hour": 0,
            "format": "json",
            "dateRange": "last_7_days",
            "dataTypes": ["metrics"],
        },
        "updatedAt": 0,
    }
    with pytest.raises(ClientError):  # the scheduled run fails: Scheduler retries it, then dead-letters
        stack.functions.invoke("RunScheduledExportFunction", payload)
    clear()

    jobs = tenant.get("/exports", params={"projectId": tenant.project_id}).json()["data"]
    assert [job["status"] for job in jobs] == ["failed", "failed"]
    assert tenant.post("/exports", json={"projectId": tenant.project_id}).status_code == 202
