"""Time entries, meeting notes and project stats over real HTTP (docs/api.md
"Agency workspace": time, notes, projects' stats): hours more than 0 and at most 24, the
from/to/user_id filters, `notes` required, and stats kept by every task and time write."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.data import audit, dynamo
from tallyboard.data.entities import workspace_pk
from tallyboard.settings import get_settings
from tallyboard.timeutil import MAX_TIMESTAMP_MS
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import random_id

ENTRY_FIELDS = {
    "id",
    "project_id",
    "user_id",
    "user_name",
    "task_id",
    "date",
    "hours",
    "description",
    "billable",
    "created_at",
}
NOTE_FIELDS = {
    "id",
    "project_id",
    "title",
    "notes",
    "meeting_date",
    "attendees",
    "action_items",
    "created_by",
    "created_at",
}


def add_member(tenant: Tenant, name: str) -> str:
    response = tenant.post("/team", json={"name": name, "email": f"{name.split()[0].lower()}@a.example"})
    assert response.status_code == 201, response.text
    return response.json()["data"]["id"]


def log_time(tenant: Tenant, project_id: str | None = None, **body: Any) -> dict[str, Any]:
    response = tenant.post(f"/projects/{project_id or tenant.project_id}/time", json={"hours": 1, **body})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def entries(tenant: Tenant, **params: Any) -> dict[str, Any]:
    response = tenant.get(f"/projects/{tenant.project_id}/time", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def time_partition(tenant: Tenant) -> list[dict[str, Any]]:
    return list(
        dynamo.query(
            get_settings().entities_table,
            KeyConditionExpression="pk = :p",
            ExpressionAttributeValues={
                ":p": {"S": f"{workspace_pk(tenant.workspace_id)}#P#{tenant.project_id}#TIME"}
            },
        )
    )


def project_audit(tenant: Tenant) -> list[dict[str, Any]]:
    return audit.list_entries(tenant.workspace_id, tenant.project_id, 0, MAX_TIMESTAMP_MS)


# ------------------------------------------------------------------ time


def test_log_time_returns_the_entry_and_stores_it(tenant: Tenant) -> None:
    maya = add_member(tenant, "Maya Patel")
    task = tenant.post(f"/projects/{tenant.project_id}/tasks", json={"name": "Brief"}).json()["data"]

    response = tenant.post(
        f"/projects/{tenant.project_id}/time",
        json={
            "hours": 2.5,
            "date": "2026-03-02",
            "user_id": maya,
            "task_id": task["id"],
            "description": "Workshop",
            "billable": False,
        },
    )

    assert response.status_code == 201, response.text
    entry = response.json()["data"]
    assert set(entry) == ENTRY_FIELDS
    assert entry["id"].startswith("time_")
    assert (entry["user_id"], entry["user_name"], entry["task_id"]) == (maya, "Maya Patel", task["id"])
    assert (entry["date"], entry["hours"], entry["billable"]) == ("2026-03-02", 2.5, False)
    (stored,) = time_partition(tenant)
    assert stored["sk"].startswith("2026-03-02#") and stored["hours"] == 2.5
    (audited,) = [e for e in project_audit(tenant) if e["action"] == "time_entry_created"]
    assert audited["resourceId"] == entry["id"]


def test_time_defaults_to_the_keys_user_today_and_billable(tenant: Tenant) -> None:
    from datetime import UTC, datetime

    entry = log_time(tenant, hours=8)

    assert (entry["user_id"], entry["user_name"]) == (tenant.user_id, "Owner")
    assert entry["date"] == datetime.now(UTC).date().isoformat()
    assert entry["billable"] is True and entry["task_id"] is None and entry["hours"] == 8


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "hours"),
        ({"hours": 0}, "hours"),
        ({"hours": -1}, "hours"),
        ({"hours": 24.01}, "hours"),
        ({"hours": 25}, "hours"),
        ({"hours": 0.001}, "hours"),
        ({"hours": "2"}, "hours"),
        ({"hours": 1, "date": "2026-02-30"}, "date"),
        ({"hours": 1, "date": "02/03/2026"}, "date"),
        ({"hours": 1, "billable": "yes"}, "billable"),
        ({"hours": 1, "minutes": 30}, "minutes"),
    ],
)
def test_invalid_time_is_a_400_naming_the_field(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    payload = assert_error(tenant.post(f"/projects/{tenant.project_id}/time", json=body), 400)

    assert field in payload["details"], payload
    assert time_partition(tenant) == []


def test_hours_from_a_hundredth_to_exactly_24(tenant: Tenant) -> None:
    assert log_time(tenant, hours=24)["hours"] == 24
    assert log_time(tenant, hours=0.25)["hours"] == 0.25
    assert log_time(tenant, hours=1.234)["hours"] == 1.234  # kept as sent
    assert log_time(tenant, hours=0.01)["hours"] == 0.01


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"hours": 1, "user_id": "user_nobody"}, "user_id"),
        ({"hours": 1, "task_id": "task_nothing"}, "task_id"),
    ],
)
def test_an_unknown_member_or_task_is_a_404_naming_the_field(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    payload = assert_error(tenant.post(f"/projects/{tenant.project_id}/time", json=body), 404)

    assert field in payload["details"], payload
    assert time_partition(tenant) == []


def test_a_task_of_another_project_is_a_404(tenant: Tenant) -> None:
    other = tenant.add_project("Other")
    elsewhere = other.post(f"/projects/{other.project_id}/tasks", json={"name": "Elsewhere"}).json()["data"]

    payload = assert_error(
        tenant.post(f"/projects/{tenant.project_id}/time", json={"hours": 1, "task_id": elsewhere["id"]}), 404
    )

    assert "task_id" in payload["details"]
    assert time_partition(tenant) == []


def test_time_filters_from_to_and_user(tenant: Tenant) -> None:
    maya = add_member(tenant, "Maya Patel")
    for day, user in (("2026-01-05", tenant.user_id), ("2026-01-06", maya), ("2026-01-31", maya)):
        log_time(tenant, date=day, user_id=user, hours=2)
    log_time(tenant, date="2026-02-01", hours=3)

    def days(**params: Any) -> list[str]:
        body = entries(tenant, **params)
        assert body["pagination"]["total"] == len(body["data"])
        return [e["date"] for e in body["data"]]

    assert days() == ["2026-02-01", "2026-01-31", "2026-01-06", "2026-01-05"]  # newest day first
    assert days(**{"from": "2026-01-06"}) == ["2026-02-01", "2026-01-31", "2026-01-06"]
    assert days(to="2026-01-31") == ["2026-01-31", "2026-01-06", "2026-01-05"]
    assert days(**{"from": "2026-01-06", "to": "2026-01-06"}) == ["2026-01-06"]
    assert days(user_id=maya) == ["2026-01-31", "2026-01-06"]
    assert days(user_id=maya, to="2026-01-30") == ["2026-01-06"]
    assert days(user_id=random_id("userId")) == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-01", "to": "2026-01-01"}, "to"),
        ({"from": "2026-1-5"}, "from"),
        ({"to": "2026-02-30"}, "to"),
        ({"from": "yesterday"}, "from"),
    ],
)
def test_bad_time_filters_are_a_400(tenant: Tenant, params: dict[str, str], field: str) -> None:
    payload = assert_error(tenant.get(f"/projects/{tenant.project_id}/time", params=params), 400)

    assert field in payload["details"], payload


def test_time_pages_with_cursor(tenant: Tenant) -> None:
    for day in range(1, 6):
        log_time(tenant, date=f"2026-04-0{day}")

    first = entries(tenant, limit=2)
    second = entries(tenant, limit=2, cursor=first["pagination"]["nextCursor"])
    last = entries(tenant, limit=2, offset=4)

    assert [e["date"][-2:] for e in first["data"] + second["data"] + last["data"]] == [
        "05",
        "04",
        "03",
        "02",
        "01",
    ]
    assert last["pagination"] == {**last["pagination"], "total": 5, "hasMore": False, "nextCursor": None}


# ------------------------------------------------------------------ notes


def test_write_and_list_notes(tenant: Tenant) -> None:
    first = tenant.post(f"/projects/{tenant.project_id}/notes", json={"notes": "Quick sync."})
    second = tenant.post(
        f"/projects/{tenant.project_id}/notes",
        json={
            "title": "Kick-off",
            "notes": "Agreed the Q1 goals.",
            "meeting_date": "2026-01-15",
            "attendees": ["Maya Patel", "Client CEO"],
            "action_items": ["Send the brief", "Book the shoot"],
        },
    )

    assert first.status_code == 201 and second.status_code == 201, second.text
    note = second.json()["data"]
    assert set(note) == NOTE_FIELDS
    assert note["id"].startswith("note_") and note["created_by"] == tenant.user_id
    assert (note["title"], note["meeting_date"]) == ("Kick-off", "2026-01-15")
    assert note["action_items"] == ["Send the brief", "Book the shoot"]
    assert first.json()["data"]["attendees"] == [] and first.json()["data"]["title"] is None
    listed = tenant.get(f"/projects/{tenant.project_id}/notes").json()
    assert [n["id"] for n in listed["data"]] == [note["id"], first.json()["data"]["id"]]  # newest first
    assert listed["pagination"]["total"] == 2
    assert len([e for e in project_audit(tenant) if e["action"] == "note_created"]) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "notes"),
        ({"title": "No notes"}, "notes"),
        ({"notes": ""}, "notes"),
        ({"notes": "x", "meeting_date": "soon"}, "meeting_date"),
        ({"notes": "x", "attendees": "Maya"}, "attendees"),
        ({"notes": "x", "summary": "y"}, "summary"),
    ],
)
def test_invalid_note_is_a_400_naming_the_field(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    payload = assert_error(tenant.post(f"/projects/{tenant.project_id}/notes", json=body), 400)

    assert field in payload["details"], payload
    assert tenant.get(f"/projects/{tenant.project_id}/notes").json()["data"] == []


# ------------------------------------------------------------------ tenancy and keys


@pytest.mark.parametrize("resource", ["time", "notes", "stats"])
def test_other_workspaces_and_unreachable_projects_are_404(
    tenant: Tenant, other_tenant: Tenant, resource: str
) -> None:
    other_project = tenant.add_project("Other")
    restricted = tenant.create_key("editor", projectIds=[tenant.project_id])
    body = {"time": {"hours": 1}, "notes": {"notes": "planted"}, "stats": None}[resource]

    for key, project_id in (
        (tenant, other_tenant.project_id),
        (tenant, random_id("projectId")),
        (restricted, other_project.project_id),
    ):
        read = key.get(f"/projects/{project_id}/{resource}")
        assert assert_error(read, 404)["message"] == "Project not found"
        if body is not None:
            assert_error(key.post(f"/projects/{project_id}/{resource}", json=body), 404)
    assert restricted.get(f"/projects/{tenant.project_id}/{resource}").status_code == 200
    assert other_tenant.get(f"/projects/{other_tenant.project_id}/time").json()["data"] == []
    assert other_tenant.get(f"/projects/{other_tenant.project_id}/notes").json()["data"] == []


def test_viewers_read_time_and_notes_but_do_not_write(tenant: Tenant) -> None:
    viewer = tenant.create_key("viewer")

    assert viewer.get(f"/projects/{tenant.project_id}/time").status_code == 200
    assert viewer.get(f"/projects/{tenant.project_id}/notes").status_code == 200
    assert viewer.get(f"/projects/{tenant.project_id}/stats").status_code == 200
    assert_error(viewer.post(f"/projects/{tenant.project_id}/time", json={"hours": 1}), 403)
    assert_error(viewer.post(f"/projects/{tenant.project_id}/notes", json={"notes": "x"}), 403)
    assert time_partition(tenant) == []


# ------------------------------------------------------------------ stats


def test_stats_count_tasks_time_and_team(tenant: Tenant) -> None:
    maya = add_member(tenant, "Maya Patel")
    jon = add_member(tenant, "Jon Berg")
    path = f"/projects/{tenant.project_id}"
    empty = tenant.get(f"{path}/stats")
    assert empty.status_code == 200, empty.text
    assert empty.json()["data"] == {
        "project_id": tenant.project_id,
        "tasks": {"total": 0, "todo": 0, "in_progress": 0, "done": 0},
        "time": {"total_hours": 0, "billable_hours": 0, "entries": 0},
        "team": [],
    }
    first = tenant.post(f"{path}/tasks", json={"name": "A", "assigned_to": [maya, jon]}).json()["data"]
    second = tenant.post(f"{path}/tasks", json={"name": "B", "status": "in-progress"}).json()["data"]
    tenant.post(f"{path}/tasks", json={"name": "C", "status": "done", "assigned_to": ["Jon Berg"]})
    tenant.patch(f"/tasks/{first['id']}", json={"status": "in-progress", "assigned_to": [maya]})
    tenant.delete(f"/tasks/{second['id']}")
    log_time(tenant, hours=2.5, user_id=maya)
    log_time(tenant, hours=1.25, user_id=maya, billable=False)
    log_time(tenant, hours=0.1, user_id=tenant.user_id)
    log_time(tenant, hours=0.2, user_id=tenant.user_id)
    tenant.delete(f"/team/{jon}")  # removed: their work stays counted

    stats = tenant.get(f"{path}/stats").json()["data"]

    assert stats["tasks"] == {"total": 2, "todo": 0, "in_progress": 1, "done": 1}
    assert stats["time"] == {"total_hours": 4.05, "billable_hours": 2.8, "entries": 4}
    assert stats["team"] == [
        {"id": jon, "name": "Jon Berg", "removed": True, "assigned_tasks": 1, "hours": 0},
        {"id": maya, "name": "Maya Patel", "removed": False, "assigned_tasks": 1, "hours": 3.75},
        {"id": tenant.user_id, "name": "Owner", "removed": False, "assigned_tasks": 0, "hours": 0.3},
    ]
