"""Every operation of the OpenAPI document, enumerated (a route added tomorrow is covered
without new code): no key → 401; another workspace's key aimed at this workspace's ids and
project → 403/404, nothing of this workspace in the answer, and nothing changed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tallyboard_local.stack import LocalStack
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import (
    Examples,
    Operation,
    Resources,
    answer_shape,
    operations,
    random_id,
    served_spec_for_collection,
    targets_ids_or_a_project,
    tenant_state,
)

SPEC = served_spec_for_collection()
OPERATIONS = operations(SPEC)
PRIVATE = [op for op in OPERATIONS if not op.public]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def spec(stack: LocalStack) -> dict[str, Any]:
    response = requests.get(f"{stack.base_url}/openapi.json", timeout=30)
    assert response.status_code == 200
    return response.json()


def test_served_spec_lists_the_collected_operations(spec: dict[str, Any]) -> None:
    assert {str(op) for op in operations(spec)} == {str(op) for op in OPERATIONS}
    for path in ("/openapi.json", "/docs"):
        assert spec["paths"][path]["get"]["security"] == []


# ------------------------------------------------------------------ no key


@pytest.mark.parametrize("op", PRIVATE, ids=str)
@pytest.mark.parametrize("authorization", [None, "Bearer tb_" + "q" * 43], ids=["missing", "unknown"])
def test_every_route_without_a_valid_key_is_401(
    stack: LocalStack, op: Operation, authorization: str | None
) -> None:
    path = op.path
    for param in op.path_params:
        path = path.replace("{" + param + "}", random_id(param))
    headers = {"Authorization": authorization} if authorization else {}

    response = requests.request(
        op.method, f"{stack.base_url}{path}", headers=headers, json={} if op.body_schema else None, timeout=30
    )

    assert assert_error(response, 401) == {"error": "Unauthorized", "message": "Invalid or missing API key"}
    assert "X-RateLimit-Limit" not in response.headers


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.public], ids=str)
def test_public_routes_need_no_key(stack: LocalStack, op: Operation) -> None:
    response = requests.request(op.method, f"{stack.base_url}{op.path}", timeout=30)

    assert response.status_code == 200


# ------------------------------------------------------------------ another workspace's key


@dataclass
class Victim:
    tenant: Tenant
    marker: str
    resources: Resources
    state: dict[str, Any]

    def secrets_not_sent(self, sent: str) -> list[str]:
        """This workspace's ids and data that a foreign caller must never read back."""
        own = [self.tenant.workspace_id, self.tenant.user_id, self.tenant.key_id, self.marker]
        own += self.resources.created
        return [value for value in own if value not in sent]


@pytest.fixture(scope="module")
def victim(make_tenant: Callable[..., Tenant]) -> Victim:
    tenant = make_tenant("agency")
    marker = "zq" + secrets.token_hex(6)
    resources = Resources(tenant, OPERATIONS, Examples(SPEC, tenant.project_id, marker))
    for op in OPERATIONS:
        resources.fill(op.path)  # create what can be created, before the first snapshot
    return Victim(tenant, marker, resources, tenant_state(tenant, OPERATIONS, resources))


@pytest.fixture(scope="module")
def attacker(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant("agency")


@pytest.mark.parametrize("op", PRIVATE, ids=str)
def test_foreign_key_never_reaches_this_workspace(op: Operation, victim: Victim, attacker: Tenant) -> None:
    examples = victim.resources.examples  # this workspace's project id in query and body
    path = victim.resources.fill(op.path)
    query, body = examples.query(op), examples.body(op)

    response = attacker.request(op.method, path, params=query, json=body)

    sent = f"{path} {query} {body}"
    targets = targets_ids_or_a_project(op, examples)
    if response.status_code == 400 and targets and not op.path_params:
        # The example body may be invalid for reasons of its own (validation precedes the
        # project check): then the same body aimed at the caller's own project is a 400 too.
        own = Examples(SPEC, attacker.project_id, "own")
        replay = attacker.request(op.method, path, params=own.query(op), json=own.body(op))
        assert replay.status_code == 400, f"{op}: 400 for a foreign project, {replay.status_code} for its own"
        assert_error(response, 400)
    elif targets:
        assert response.status_code in (403, 404), f"{op}: {response.status_code} {response.text[:300]}"
        payload = assert_error(response, response.status_code)
        if response.status_code == 403 and "projectId" in sent and not op.path_params:
            assert payload["message"] == "No access to this project", payload
    else:
        assert response.status_code < 500, f"{op}: {response.status_code} {response.text[:300]}"
    if op.path_params and response.status_code in (403, 404):
        # Another workspace's ids answer exactly like ids that exist nowhere (no existence leak).
        unknown = {p: random_id(p) for p in op.path_params}
        missing = attacker.request(
            op.method, victim.resources.fill(op.path, unknown), params=query, json=body
        )
        assert answer_shape(missing, unknown.values()) == answer_shape(response, path.split("/")), str(op)
    leaked = [value for value in victim.secrets_not_sent(sent) if value in response.text]
    assert not leaked, f"{op} answered another workspace's data: {leaked}"
    if op.method in WRITES:
        after = tenant_state(victim.tenant, OPERATIONS, victim.resources)
        changed = [k for k in after if after[k] != victim.state.get(k)]
        assert not changed, f"{op} by another workspace changed {changed}"


def test_path_ids_point_at_real_resources(victim: Victim) -> None:
    """Where a collection route can create the resource a path id names, the cross-tenant
    requests above used a real one (so a 404 there proves isolation, not absence)."""
    resources = victim.resources
    creatable = {c for c in resources.by_collection if c in resources.posts}
    made = {c for c in creatable if resources.by_collection[c] in resources.created}
    assert made == creatable, f"could not create through POST {sorted(creatable - made)}"
    real = {victim.tenant.project_id, victim.tenant.key_id, *resources.created}
    for op in OPERATIONS:
        path = resources.fill(op.path)
        if op.method == "GET" and op.path_params and all(part in real for part in path.split("/")[2::2]):
            response = victim.tenant.get(path, params=resources.examples.query(op))
            assert response.status_code == 200, f"{op} for its own workspace: {response.status_code}"
