"""Tasks over real HTTP (docs/api.md "Agency workspace"): create (name required,
status default todo, priority case-insensitive to Low/Medium/High or null, assigned_to ids or
display names stored as display names), list with filters, read, partial update (completed_at
follows done), delete; other workspaces' and unreachable projects' tasks are 404."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tallyboard.data import audit, dynamo
from tallyboard.data.entities import workspace_pk
from tallyboard.settings import get_settings
from tallyboard.timeutil import MAX_TIMESTAMP_MS
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import random_id

TASK_FIELDS = {
    "id",
    "project_id",
    "name",
    "description",
    "status",
    "priority",
    "assigned_to",
    "task_list",
    "due_date",
    "start_date",
    "created_at",
    "updated_at",
    "completed_at",
}

# Seed 003 ends at "Example Request / Create a new task:" (the stored page lost the code block), so
# this is the request its "Create a new task" section documents: POST /projects/{projectId}/tasks
# with a bearer key, JSON body of name, status, priority in lower case, assigned_to mixing a user
# UUID and a display name, and ISO 8601 datetimes.
DOC_BASE_URL = "https://api.dashtrack.io/v1"
DOC_KEY = "dt_your_api_key"
DOC_PROJECT = "your_project_id"
DOC_USER = "a1b2c3d4-uuid-of-a-team-member"
SEED_CREATE_TASK = """\
curl -X POST "https://api.dashtrack.io/v1/projects/your_project_id/tasks" \\
  -H "Authorization: Bearer dt_your_api_key" \\
  -H "Content-Type: application/json" \\
  -d '{
    "name": "Design homepage mockup",
    "description": "Create wireframes and high-fidelity mockups",
    "status": "todo",
    "priority": "high",
    "assigned_to": ["a1b2c3d4-uuid-of-a-team-member", "Sarah Johnson"],
    "task_list": "Design",
    "due_date": "2025-02-15T17:00:00Z",
    "start_date": "2025-02-01T09:00:00Z"
  }'
"""


def add_member(tenant: Tenant, name: str, email: str | None = None) -> str:
    response = tenant.post(
        "/team", json={"name": name, "email": email or f"{name.split()[0].lower()}@a.example"}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def create_task(tenant: Tenant, project_id: str | None = None, **body: Any) -> dict[str, Any]:
    response = tenant.post(
        f"/projects/{project_id or tenant.project_id}/tasks", json={"name": "Task", **body}
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


def stored_task(tenant: Tenant, task_id: str) -> dict[str, Any] | None:
    key = dynamo.key(pk=f"{workspace_pk(tenant.workspace_id)}#TASK#{task_id}", sk="TASK")
    return dynamo.get(get_settings().entities_table, key, consistent=True)


def project_audit(tenant: Tenant) -> list[dict[str, Any]]:
    return audit.list_entries(tenant.workspace_id, tenant.project_id, 0, MAX_TIMESTAMP_MS)


def test_seed_example_create_a_new_task(tenant: Tenant, tmp_path: Path) -> None:
    designer = add_member(tenant, "Alex Rivera")
    add_member(tenant, "Sarah Johnson")
    (tmp_path / ".curlrc").write_text('silent\nshow-error\nwrite-out = "\\n%{http_code}"\n')
    script = (
        SEED_CREATE_TASK.replace(DOC_BASE_URL, tenant.base_url)
        .replace(DOC_KEY, tenant.api_key)
        .replace(DOC_PROJECT, tenant.project_id)
        .replace(DOC_USER, designer)
    )

    completed = subprocess.run(
        ["bash", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=False,
    )

    assert completed.returncode == 0, completed.stderr
    body, _, status = completed.stdout.rpartition("\n")
    assert status == "201", body
    task = json.loads(body)["data"]
    assert set(task) == TASK_FIELDS
    assert task["project_id"] == tenant.project_id
    assert (task["name"], task["status"], task["priority"]) == ("Design homepage mockup", "todo", "High")
    assert task["assigned_to"] == ["Alex Rivera", "Sarah Johnson"]  # the UUID resolved to its display name
    assert task["task_list"] == "Design"
    assert (task["due_date"], task["start_date"]) == ("2025-02-15T17:00:00Z", "2025-02-01T09:00:00Z")
    assert task["completed_at"] is None
    assert tenant.get(f"/tasks/{task['id']}").json()["data"] == task


def test_create_returns_the_task_and_stores_it(tenant: Tenant) -> None:
    response = tenant.post(f"/projects/{tenant.project_id}/tasks", json={"name": "Write the brief"})

    assert response.status_code == 201, response.text
    assert response.headers["X-RateLimit-Limit"] == "1000"
    task = response.json()["data"]
    assert set(task) == TASK_FIELDS
    assert task["id"].startswith("task_")
    assert (task["status"], task["priority"], task["assigned_to"], task["task_list"]) == (
        "todo",
        None,
        [],
        None,
    )
    assert task["created_at"] == task["updated_at"] and task["created_at"].endswith("Z")
    stored = stored_task(tenant, task["id"])
    assert stored is not None
    assert stored["gsi1pk"] == f"WS#{tenant.workspace_id}#P#{tenant.project_id}#TASK"
    assert stored["name"] == "Write the brief" and stored["v"] == 1
    (entry,) = [e for e in project_audit(tenant) if e["action"] == "task_created"]
    assert entry["resourceId"] == task["id"]


@pytest.mark.parametrize(
    ("sent", "stored"),
    [("low", "Low"), ("MEDIUM", "Medium"), ("High", "High"), ("hIgH", "High"), (None, None)],
)
def test_priority_is_case_insensitive_and_stored_in_title_case(
    tenant: Tenant, sent: str | None, stored: str | None
) -> None:
    task = create_task(tenant, priority=sent)

    assert task["priority"] == stored
    assert (stored_task(tenant, task["id"]) or {}).get("priority") == stored


@pytest.mark.parametrize("priority", ["urgent", "", "lowest", 3, ["high"]])
def test_other_priorities_are_a_400_naming_the_allowed_values(tenant: Tenant, priority: Any) -> None:
    response = tenant.post(f"/projects/{tenant.project_id}/tasks", json={"name": "T", "priority": priority})

    payload = assert_error(response, 400, "Bad Request")
    assert "priority" in payload["details"]
    assert "Low, Medium, High" in payload["details"]["priority"], payload


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "T", "status": "blocked"}, "status"),
        ({"name": "T", "due_date": "next friday"}, "due_date"),
        ({"name": "T", "start_date": "2025-13-01"}, "start_date"),
        ({"name": "T", "assigned_to": "Alex"}, "assigned_to"),
        ({"name": "T", "estimate": 3}, "estimate"),
    ],
)
def test_invalid_task_is_a_400_naming_the_field(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    response = tenant.post(f"/projects/{tenant.project_id}/tasks", json=body)

    payload = assert_error(response, 400)
    assert field in payload["details"], payload
    assert tenant.get(f"/projects/{tenant.project_id}/tasks").json()["data"] == []


def test_status_is_case_insensitive_and_done_sets_completed_at(tenant: Tenant) -> None:
    task = create_task(tenant, status="In-Progress")
    done = create_task(tenant, status="done")

    assert task["status"] == "in-progress" and task["completed_at"] is None
    assert done["status"] == "done" and done["completed_at"] == done["created_at"]


def test_assigned_to_takes_ids_and_display_names_and_stores_names(tenant: Tenant) -> None:
    maya = add_member(tenant, "Maya Patel")
    add_member(tenant, "Jon Berg")

    task = create_task(tenant, assigned_to=[maya, "jon  berg", "Maya Patel", tenant.user_id])

    assert task["assigned_to"] == ["Maya Patel", "Jon Berg", "Owner"]  # each member once, in order
    stored = stored_task(tenant, task["id"])
    assert stored is not None and stored["assigned_to"] == ["Maya Patel", "Jon Berg", "Owner"]
    assert stored["assignee_ids"][0] == maya and stored["assignee_ids"][2] == tenant.user_id


def test_unknown_and_removed_assignees_are_a_404_ambiguous_ones_a_400_naming_them(tenant: Tenant) -> None:
    """An unknown member is an unknown id a body names: 404 naming the field, as for any other."""
    add_member(tenant, "Sam Lee", "sam1@a.example")
    add_member(tenant, "Sam Lee", "sam2@a.example")
    gone = add_member(tenant, "Gone Member")
    assert tenant.delete(f"/team/{gone}").status_code == 204
    task = create_task(tenant, name="Kept")

    for value, status, why in (
        ("Nobody Here", 404, "unknown team member"),
        (random_id("userId"), 404, "unknown team member"),
        (gone, 404, "unknown team member"),
        ("sam lee", 400, "more than one member"),
    ):
        created = tenant.post(
            f"/projects/{tenant.project_id}/tasks", json={"name": "T", "assigned_to": [value]}
        )
        updated = tenant.patch(f"/tasks/{task['id']}", json={"assigned_to": [value]})

        for response in (created, updated):
            payload = assert_error(response, status)
            assert why in payload["details"]["assigned_to"] and value in payload["message"], payload
    assert tenant.get(f"/projects/{tenant.project_id}/tasks").json()["pagination"]["total"] == 1
    assert not (stored_task(tenant, task["id"]) or {}).get("assigned_to")


def test_list_filters_by_status_assignee_and_task_list(tenant: Tenant) -> None:
    maya = add_member(tenant, "Maya Patel")
    first = create_task(tenant, name="A", status="todo", assigned_to=[maya], task_list="Design")
    second = create_task(tenant, name="B", status="done", assigned_to=["Maya Patel", "Owner"])
    third = create_task(tenant, name="C", status="in-progress", task_list="Design")
    path = f"/projects/{tenant.project_id}/tasks"

    def names(**params: Any) -> list[str]:
        response = tenant.get(path, params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["pagination"]["total"] == len(body["data"])
        return [t["name"] for t in body["data"]]

    assert names() == ["A", "B", "C"]  # oldest first
    assert names(status="done") == ["B"]
    assert names(assigned_to=maya) == ["A", "B"]
    assert names(assigned_to="maya patel") == ["A", "B"]
    assert names(assigned_to=tenant.user_id) == ["B"]
    assert names(task_list="Design") == ["A", "C"]
    assert names(task_list="Design", status="in-progress") == ["C"]
    assert names(status="todo", assigned_to="Owner") == []
    assert {first["id"], second["id"], third["id"]} == {t["id"] for t in tenant.get(path).json()["data"]}
    # a filter naming no member matches nothing: an empty page, as any other filter
    assert names(assigned_to="Nobody") == [] and names(assigned_to=random_id("userId")) == []
    assert "status" in assert_error(tenant.get(path, params={"status": "blocked"}), 400)["details"]


def test_list_pages_with_cursor(tenant: Tenant) -> None:
    for index in range(5):
        create_task(tenant, name=f"T{index}")
    path = f"/projects/{tenant.project_id}/tasks"

    first = tenant.get(path, params={"limit": 2}).json()
    second = tenant.get(path, params={"limit": 2, "cursor": first["pagination"]["nextCursor"]}).json()
    third = tenant.get(path, params={"limit": 2, "offset": 4}).json()

    assert [t["name"] for t in first["data"] + second["data"] + third["data"]] == [f"T{i}" for i in range(5)]
    assert first["pagination"]["total"] == 5 and third["pagination"]["hasMore"] is False


def test_update_is_partial_and_completed_at_follows_done(tenant: Tenant) -> None:
    task = create_task(tenant, name="Launch", priority="low", task_list="Go-live", description="Ship it")
    path = f"/tasks/{task['id']}"

    done = tenant.patch(path, json={"status": "DONE", "priority": "HIGH"})
    assert done.status_code == 200, done.text
    done_task = done.json()["data"]
    assert (done_task["status"], done_task["priority"], done_task["name"]) == ("done", "High", "Launch")
    assert done_task["completed_at"] is not None and done_task["completed_at"] == done_task["updated_at"]
    assert done_task["created_at"] == task["created_at"] and done_task["task_list"] == "Go-live"

    renamed = tenant.patch(path, json={"name": "Launch v2"}).json()["data"]
    assert renamed["completed_at"] == done_task["completed_at"]  # still done: unchanged

    reopened = tenant.patch(
        path, json={"status": "in-progress", "priority": None, "description": None}
    ).json()
    assert reopened["data"]["completed_at"] is None
    assert (reopened["data"]["priority"], reopened["data"]["description"]) == (None, None)
    stored = stored_task(tenant, task["id"])
    assert stored is not None and stored["v"] == 4
    assert "completedAt" not in stored and "priority" not in stored and "description" not in stored
    assert tenant.get(path).json()["data"] == reopened["data"]
    updates = [e for e in project_audit(tenant) if e["action"] == "task_updated"]
    assert len(updates) == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"name": None}, "name"),
        ({"status": None}, "status"),
        ({"assigned_to": None}, "assigned_to"),
        ({"priority": "critical"}, "priority"),
        ({"project_id": "proj_x"}, "project_id"),
    ],
)
def test_invalid_update_is_a_400_and_changes_nothing(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    task = create_task(tenant, name="Keep")

    payload = assert_error(tenant.patch(f"/tasks/{task['id']}", json=body), 400)

    assert field in payload["details"], payload
    assert (stored_task(tenant, task["id"]) or {})["v"] == 1


def test_delete_removes_the_task(tenant: Tenant) -> None:
    task = create_task(tenant)

    response = tenant.delete(f"/tasks/{task['id']}")

    assert response.status_code == 204 and response.content == b""
    assert stored_task(tenant, task["id"]) is None
    assert_error(tenant.get(f"/tasks/{task['id']}"), 404)
    assert_error(tenant.delete(f"/tasks/{task['id']}"), 404)
    assert [e["action"] for e in project_audit(tenant) if e["resourceId"] == task["id"]] == [
        "task_deleted",
        "task_created",
    ]


def test_other_workspaces_tasks_and_projects_are_404(tenant: Tenant, other_tenant: Tenant) -> None:
    foreign = create_task(other_tenant, name="Secret plan")

    for response in (
        tenant.get(f"/tasks/{foreign['id']}"),
        tenant.patch(f"/tasks/{foreign['id']}", json={"name": "Hijacked"}),
        tenant.delete(f"/tasks/{foreign['id']}"),
    ):
        assert assert_error(response, 404)["message"] == "Task not found"
    for response in (
        tenant.get(f"/projects/{other_tenant.project_id}/tasks"),
        tenant.post(f"/projects/{other_tenant.project_id}/tasks", json={"name": "Planted"}),
        tenant.get(f"/projects/{random_id('projectId')}/tasks"),
    ):
        assert assert_error(response, 404)["message"] == "Project not found"
    stored = stored_task(other_tenant, foreign["id"])
    assert stored is not None and stored["name"] == "Secret plan"
    assert other_tenant.get(f"/projects/{other_tenant.project_id}/tasks").json()["pagination"]["total"] == 1


def test_a_project_restricted_key_reaches_only_its_projects_tasks(tenant: Tenant) -> None:
    other = tenant.add_project("Other project")
    outside = create_task(other, name="Outside")
    inside = create_task(tenant, name="Inside")
    key = tenant.create_key("editor", projectIds=[tenant.project_id])

    assert key.get(f"/tasks/{inside['id']}").status_code == 200
    assert key.patch(f"/tasks/{inside['id']}", json={"status": "done"}).status_code == 200
    for response in (
        key.get(f"/tasks/{outside['id']}"),
        key.patch(f"/tasks/{outside['id']}", json={"status": "done"}),
        key.delete(f"/tasks/{outside['id']}"),
        key.get(f"/projects/{other.project_id}/tasks"),
        key.post(f"/projects/{other.project_id}/tasks", json={"name": "Planted"}),
    ):
        assert_error(response, 404)
    assert (stored_task(tenant, outside["id"]) or {})["status"] == "todo"


def test_viewers_read_and_only_editors_write(tenant: Tenant) -> None:
    task = create_task(tenant)
    viewer = tenant.create_key("viewer")
    read_only = tenant.create_key("editor", scopes=["project:read"])

    assert viewer.get(f"/tasks/{task['id']}").status_code == 200
    assert viewer.get(f"/projects/{tenant.project_id}/tasks").status_code == 200
    for key in (viewer, read_only):
        for response in (
            key.post(f"/projects/{tenant.project_id}/tasks", json={"name": "No"}),
            key.patch(f"/tasks/{task['id']}", json={"name": "No"}),
            key.delete(f"/tasks/{task['id']}"),
        ):
            assert_error(response, 403, "Forbidden")
    assert (stored_task(tenant, task["id"]) or {})["name"] == "Task"
