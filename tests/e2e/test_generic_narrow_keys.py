"""Least privilege inside one workspace, for every operation of the OpenAPI document (a route
added tomorrow is covered without new code): keys narrower than the workspace's owner key —
an owner key restricted to project A, an owner key restricted by scopes, a viewer — aimed at the
resources of project B and at workspace-level resources get 403/404, nothing of B or of wider
keys in the answer, and nothing changed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import (
    Examples,
    Operation,
    Resources,
    answer_shape,
    find_id,
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

# A narrower key of the same workspace: the key's body for POST /api-keys (projectIds: A).
NARROW_KEYS: dict[str, dict[str, Any]] = {
    "other project's owner": {"role": "owner", "projectIds": ["<A>"]},
    "scoped owner": {"role": "owner", "scopes": ["workspace:read"]},
    "viewer": {"role": "viewer"},
}


@dataclass
class Workspace:
    owner: Tenant  # the workspace-wide owner key, acting on project B
    project_a: str
    marker: str
    resources: Resources  # B's resources, created by the owner
    state: dict[str, Any]
    narrow: dict[str, Tenant]

    def secrets_not_sent(self, sent: str, targets: bool) -> list[str]:
        """B's data and the wider key's id: never in the answer to a narrower key. A route that
        names no project or id answers the workspace's own directory (GET /team resolves every
        member for any key): there, only what was created in project B must not show."""
        own = (
            [self.owner.key_id, self.marker, *self.resources.created]
            if targets
            else [
                self.owner.key_id,
                *self.resources.in_project,
            ]
        )
        return [value for value in own if value not in sent]


@pytest.fixture(scope="module")
def workspace(make_tenant: Callable[..., Tenant]) -> Workspace:
    owner_a = make_tenant("agency")
    owner = owner_a.add_project("Project B")
    narrow = {}
    for label, body in NARROW_KEYS.items():
        body = {k: [owner_a.project_id] if v == ["<A>"] else v for k, v in body.items()}
        narrow[label] = owner_a.create_key(**body)
    marker = "zq" + secrets.token_hex(6)
    resources = Resources(owner, OPERATIONS, Examples(SPEC, owner.project_id, marker))
    for op in OPERATIONS:
        resources.fill(op.path)  # B's resources, before the first snapshot
    state = tenant_state(owner, OPERATIONS, resources)
    return Workspace(owner, owner_a.project_id, marker, resources, state, narrow)


def _labels(op: Operation) -> list[str]:
    # a viewer reads the whole workspace by design
    return [label for label in NARROW_KEYS if label != "viewer" or op.method in WRITES]


@pytest.mark.parametrize("op", PRIVATE, ids=str)
def test_narrower_keys_never_reach_further(op: Operation, workspace: Workspace) -> None:
    """Each narrower key in turn; then, for a write, B's state once (what all of them sent
    changed nothing)."""
    for label in _labels(op):
        _check_narrow_key(op, label, workspace)
    if op.method in WRITES:
        after = tenant_state(workspace.owner, OPERATIONS, workspace.resources)
        changed = [k for k in after if after[k] != workspace.state.get(k)]
        assert not changed, f"{op} by a narrower key ({', '.join(_labels(op))}) changed {changed}"


def _check_narrow_key(op: Operation, label: str, workspace: Workspace) -> None:
    key = workspace.narrow[label]
    examples = workspace.resources.examples  # project B in query and body
    path = workspace.resources.fill(op.path)
    query, body = examples.query(op), examples.body(op)

    response = key.request(op.method, path, params=query, json=body)

    sent = f"{path} {query} {body}"
    targets = targets_ids_or_a_project(op, examples) or label == "viewer"
    where = f"{op} by {label}"
    if response.status_code == 400 and targets and not op.path_params:
        # Validation precedes the access check: the same body aimed at project A is a 400 too.
        own = Examples(SPEC, workspace.project_a, "own")
        replay = key.request(op.method, path, params=own.query(op), json=own.body(op))
        assert replay.status_code in (400, 403), f"{where}: 400 for project B, {replay.status_code} for A"
        assert_error(response, 400)
    elif targets:
        assert response.status_code in (403, 404), f"{where}: {response.status_code} {response.text[:300]}"
        assert_error(response, response.status_code)
    else:
        assert response.status_code < 500, f"{where}: {response.status_code} {response.text[:300]}"
    if op.path_params and response.status_code == 404:
        # B's ids answer exactly like ids that exist nowhere (no existence leak).
        unknown = {p: random_id(p) for p in op.path_params}
        missing = key.request(op.method, workspace.resources.fill(op.path, unknown), params=query, json=body)
        assert answer_shape(missing, unknown.values()) == answer_shape(response, path.split("/")), where
    leaked = [value for value in workspace.secrets_not_sent(sent, targets) if value in response.text]
    assert not leaked, f"{op} answered a narrower key ({label}) data beyond its reach: {leaked}"


def test_every_narrow_key_was_refused_somewhere(workspace: Workspace) -> None:
    """The matrix above is not vacuous: each narrower key is live and is refused B's metrics."""
    for label, key in workspace.narrow.items():
        own = key.get("/metrics", params={"projectId": workspace.project_a})
        assert own.status_code in (200, 403), f"{label}: {own.status_code}"
        other = key.get("/metrics", params={"projectId": workspace.owner.project_id})
        if label != "viewer":
            assert other.status_code == 403, f"{label}: {other.status_code} {other.text[:200]}"


# ------------------------------------------------------------------ ids inside conflict answers
# A uniqueness answer (409 "already exists") may name the thing it collided with. A key of project
# A that sends exactly the writes project B already made must collide, if at all, with nothing
# of B's: no id of B (nor B itself) in any answer.

REWRITES = [op for op in PRIVATE if op.method in {"POST", "PUT", "PATCH"} and op.body_schema]


@dataclass
class Rivals:
    key_a: Tenant  # an owner key restricted to project A
    resources_a: Resources
    ids_of_b: list[str]


@pytest.fixture(scope="module")
def rivals(make_tenant: Callable[..., Tenant]) -> Rivals:
    owner = make_tenant("agency")
    owner_b = owner.add_project("Project B")
    marker = "zq" + secrets.token_hex(6)  # the same free text on both sides: names and tags collide
    resources_b = Resources(owner_b, OPERATIONS, Examples(SPEC, owner_b.project_id, marker))
    ids_of_b = [owner_b.project_id]
    for op in REWRITES:
        examples = resources_b.examples
        answer = owner_b.request(
            op.method, resources_b.fill(op.path), params=examples.query(op), json=examples.body(op)
        )
        made = find_id(answer.json(), "id") if answer.status_code < 300 and answer.content else None
        ids_of_b += [made] if made else []
    ids_of_b += resources_b.in_project
    key_a = owner.create_key("owner", projectIds=[owner.project_id])
    resources_a = Resources(key_a, OPERATIONS, Examples(SPEC, owner.project_id, marker))
    return Rivals(key_a, resources_a, ids_of_b)


@pytest.mark.parametrize("op", REWRITES, ids=str)
def test_a_conflict_names_nothing_beyond_the_key(op: Operation, rivals: Rivals) -> None:
    examples = rivals.resources_a.examples
    path = rivals.resources_a.fill(op.path)
    for attempt in range(2):  # the second meets the first, as B's met nothing
        response = rivals.key_a.request(op.method, path, params=examples.query(op), json=examples.body(op))
        assert response.status_code < 500, f"{op}: {response.status_code} {response.text[:300]}"
        leaked = [value for value in rivals.ids_of_b if value in response.text]
        assert not leaked, f"{op} (attempt {attempt + 1}) named project B's ids to a key of A: {leaked}"


def test_conflict_case_is_not_vacuous(rivals: Rivals) -> None:
    """Project B holds what A's key collides with: its unlisted dashboard and its ids."""
    assert len(rivals.ids_of_b) > 10, rivals.ids_of_b
    assert any(value.startswith("dash_") for value in rivals.ids_of_b), rivals.ids_of_b
