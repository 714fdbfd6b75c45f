"""Clients over real HTTP (docs/api.md "Agency workspace"): create and list with limit,
offset and cursor; a client's projects (create with the seed's body, status filter); the team
assigned to a client; workspace-wide keys only; other workspaces' clients are 404."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tallyboard.data import audit, dynamo
from tallyboard.data.clients import CLIENT_PREFIX, clients_pk
from tallyboard.data.entities import workspace_pk
from tallyboard.settings import get_settings
from tallyboard.timeutil import MAX_TIMESTAMP_MS
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import random_id

CLIENT_FIELDS = {"id", "name", "email", "phone", "website", "status", "created_at", "updated_at"}
PROJECT_FIELDS = {
    "id",
    "name",
    "slug",
    "description",
    "status",
    "client_id",
    "budget",
    "start_date",
    "end_date",
    "created_at",
    "updated_at",
}
SEED_PROJECT_BODY = {
    "name": "Q1 Marketing Campaign",
    "description": "Social media & email marketing",
    "budget": 15000,
    "start_date": "2025-01-01",
    "end_date": "2025-03-31",
}


def create_client(tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = tenant.post("/clients", json={"name": "Acme Corp", **body})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def create_project(tenant: Tenant, client_id: str, **body: Any) -> dict[str, Any]:
    response = tenant.post(f"/clients/{client_id}/projects", json={"name": "Campaign", **body})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def stored(pk: str, sk: str) -> dict[str, Any] | None:
    return dynamo.get(get_settings().entities_table, dynamo.key(pk=pk, sk=sk), consistent=True)


def workspace_audit(tenant: Tenant, project_id: str | None = None) -> list[dict[str, Any]]:
    return audit.list_entries(tenant.workspace_id, project_id, 0, MAX_TIMESTAMP_MS)


# ------------------------------------------------------------------ clients


def test_create_returns_the_client_and_stores_it(tenant: Tenant) -> None:
    response = tenant.post(
        "/clients",
        json={"name": "  Acme Corp ", "email": "hello@acme.example", "phone": "+1 (555) 010-2030"},
    )

    assert response.status_code == 201, response.text
    assert response.headers["X-RateLimit-Limit"] == "1000"
    data = response.json()["data"]
    assert set(data) == CLIENT_FIELDS
    assert data["id"].startswith("client_")
    assert (data["name"], data["email"], data["phone"], data["website"], data["status"]) == (
        "Acme Corp",
        "hello@acme.example",
        "+1 (555) 010-2030",
        None,
        "active",
    )
    assert data["created_at"] == data["updated_at"] and data["created_at"].endswith("Z")
    item = stored(clients_pk(tenant.workspace_id), CLIENT_PREFIX + data["id"])
    assert item is not None
    assert (item["name"], item["workspaceId"], item["createdBy"], item["teamUserIds"]) == (
        "Acme Corp",
        tenant.workspace_id,
        tenant.user_id,
        [],
    )
    (entry,) = [e for e in workspace_audit(tenant) if e["action"] == "client_created"]
    assert (entry["resourceId"], entry["userId"], entry["metadata"]) == (
        data["id"],
        tenant.user_id,
        {"clientName": "Acme Corp"},
    )


def test_list_is_newest_first_with_a_default_limit_of_50(tenant: Tenant) -> None:
    made = [create_client(tenant, name=f"Client {i}") for i in range(3)]

    response = tenant.get("/clients")

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["data"] == list(reversed(made))
    assert body["pagination"] == {"total": 3, "limit": 50, "offset": 0, "hasMore": False, "nextCursor": None}


def test_offset_and_cursor_page_through_the_same_order(tenant: Tenant) -> None:
    made = [create_client(tenant, name=f"Client {i}")["id"] for i in range(5)]
    newest_first = list(reversed(made))

    by_offset = tenant.get("/clients", params={"limit": 2, "offset": 2}).json()
    first = tenant.get("/clients", params={"limit": 2}).json()
    second = tenant.get("/clients", params={"limit": 2, "cursor": first["pagination"]["nextCursor"]}).json()
    third = tenant.get("/clients", params={"limit": 2, "cursor": second["pagination"]["nextCursor"]}).json()

    assert [c["id"] for c in by_offset["data"]] == newest_first[2:4]
    assert by_offset["pagination"]["total"] == 5 and by_offset["pagination"]["hasMore"] is True
    pages = [first, second, third]
    assert [c["id"] for page in pages for c in page["data"]] == newest_first
    assert [p["pagination"]["offset"] for p in pages] == [0, 2, 4]
    assert third["pagination"]["hasMore"] is False and third["pagination"]["nextCursor"] is None


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": 501}, "limit"),
        ({"limit": 0}, "limit"),
        ({"offset": -1}, "offset"),
        ({"cursor": "x.y"}, "cursor"),
    ],
)
def test_bad_paging_is_a_400_naming_the_parameter(tenant: Tenant, params: dict[str, Any], field: str) -> None:
    body = assert_error(tenant.get("/clients", params=params), 400, "Bad Request")

    assert field in body["details"]


def test_limit_of_500_is_allowed(tenant: Tenant) -> None:
    create_client(tenant)

    response = tenant.get("/clients", params={"limit": 500})

    assert response.status_code == 200, response.text
    assert response.json()["pagination"]["limit"] == 500


def test_a_cursor_of_another_workspace_is_refused(tenant: Tenant, other_tenant: Tenant) -> None:
    for _ in range(2):
        create_client(other_tenant)
    cursor = other_tenant.get("/clients", params={"limit": 1}).json()["pagination"]["nextCursor"]

    body = assert_error(tenant.get("/clients", params={"cursor": cursor}), 400)

    assert "cursor" in body["details"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "Acme", "email": "not-an-email"}, "email"),
        ({"name": "Acme", "status": "gone"}, "status"),
        ({"name": "Acme", "unexpected": 1}, "unexpected"),
    ],
)
def test_invalid_client_is_a_400_naming_the_field(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    response = assert_error(tenant.post("/clients", json=body), 400, "Bad Request")

    assert field in response["details"], response
    assert tenant.get("/clients").json()["data"] == []


def test_project_restricted_key_gets_403_on_every_client_route(tenant: Tenant) -> None:
    client = create_client(tenant)
    restricted = tenant.create_key("owner", projectIds=[tenant.project_id])

    for method, path, body in [
        ("GET", "/clients", None),
        ("POST", "/clients", {"name": "Mine"}),
        ("GET", f"/clients/{client['id']}/projects", None),
        ("POST", f"/clients/{client['id']}/projects", {"name": "Mine"}),
        ("GET", f"/clients/{client['id']}/team", None),
        ("PUT", f"/clients/{client['id']}/team", {"user_ids": []}),
    ]:
        response = restricted.request(method, path, json=body)
        payload = assert_error(response, 403, "Forbidden")
        assert "workspace-wide" in payload["message"], (method, path, payload)
    assert [c["id"] for c in tenant.get("/clients").json()["data"]] == [client["id"]]


def test_roles_and_scopes(tenant: Tenant) -> None:
    client = create_client(tenant)
    viewer = tenant.create_key("viewer")
    workspace_scoped = tenant.create_key("owner", scopes=["workspace:read", "workspace:write"])

    assert viewer.get("/clients").status_code == 200
    assert viewer.get(f"/clients/{client['id']}/team").status_code == 200
    assert_error(viewer.post("/clients", json={"name": "No"}), 403)
    assert_error(viewer.put(f"/clients/{client['id']}/team", json={"user_ids": []}), 403)
    assert_error(workspace_scoped.get("/clients"), 403)
    project_scoped = tenant.create_key("editor", scopes=["project:read"])
    assert project_scoped.get("/clients").status_code == 200
    assert_error(project_scoped.post("/clients", json={"name": "No"}), 403)


def test_another_workspaces_client_is_404_like_a_missing_one(tenant: Tenant, other_tenant: Tenant) -> None:
    client = create_client(tenant)
    missing = random_id("id", "clients")

    for suffix, method, body in [
        ("projects", "GET", None),
        ("projects", "POST", {"name": "Stolen"}),
        ("team", "GET", None),
        ("team", "PUT", {"user_ids": [other_tenant.user_id]}),
    ]:
        foreign = other_tenant.request(method, f"/clients/{client['id']}/{suffix}", json=body)
        unknown = other_tenant.request(method, f"/clients/{missing}/{suffix}", json=body)
        assert (
            assert_error(foreign, 404)
            == assert_error(unknown, 404)
            == {
                "error": "Not Found",
                "message": "Client not found",
            }
        )
    assert tenant.get(f"/clients/{client['id']}/projects").json()["data"] == []
    assert tenant.get(f"/clients/{client['id']}/team").json()["data"] == []


# ------------------------------------------------------------------ a client's projects


def test_seed_create_project_body_sent_as_curl_does(tenant: Tenant) -> None:
    """Seed 001's request body, form-encoded as `curl -d` sends it without a Content-Type."""
    client = create_client(tenant)

    response = tenant.post(
        f"/clients/{client['id']}/projects",
        data=json.dumps(SEED_PROJECT_BODY),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )

    assert response.status_code == 201, response.text
    data = response.json()["data"]
    assert set(data) == PROJECT_FIELDS
    assert data["id"].startswith("proj_")
    assert {k: data[k] for k in SEED_PROJECT_BODY} == SEED_PROJECT_BODY
    assert (data["slug"], data["status"], data["client_id"]) == (
        "q1-marketing-campaign",
        "active",
        client["id"],
    )
    item = stored(workspace_pk(tenant.workspace_id), f"PROJECT#{data['id']}")
    assert item is not None
    assert (item["clientId"], item["budget"], item["startDate"], item["endDate"]) == (
        client["id"],
        15000,
        "2025-01-01",
        "2025-03-31",
    )
    assert item["gsi1pk"] == f"WS#{tenant.workspace_id}#CLIENT#{client['id']}#PROJ"
    claim = stored(workspace_pk(tenant.workspace_id), "SLUG#PROJECT#q1-marketing-campaign")
    assert claim is not None and claim["projectId"] == data["id"]
    (entry,) = [e for e in workspace_audit(tenant, data["id"]) if e["action"] == "project_created"]
    assert entry["metadata"]["clientId"] == client["id"]


def test_a_client_project_is_an_analytics_project(tenant: Tenant) -> None:
    project = create_project(tenant, create_client(tenant)["id"], name="Campaign")

    dashboard = tenant.post("/dashboards", json={"projectId": project["id"], "name": "Campaign board"})
    pushed = tenant.post(
        "/metrics/custom", json={"projectId": project["id"], "metricId": "leads", "value": 3}
    )
    listed = tenant.get("/projects").json()["data"]

    assert dashboard.status_code == 201, dashboard.text
    assert pushed.status_code == 201, pushed.text
    assert project["id"] in [p["id"] for p in listed]


def test_slugs_are_unique_in_the_workspace(tenant: Tenant, other_tenant: Tenant) -> None:
    client = create_client(tenant)

    first = create_project(tenant, client["id"], name="Spring Launch")
    second = create_project(tenant, client["id"], name="Spring  launch!")
    elsewhere = create_project(other_tenant, create_client(other_tenant)["id"], name="Spring Launch")
    taken = tenant.post(f"/clients/{client['id']}/projects", json={"name": "Other", "slug": "spring-launch"})

    assert (first["slug"], second["slug"], elsewhere["slug"]) == (
        "spring-launch",
        "spring-launch-2",
        "spring-launch",
    )
    assert "slug" in assert_error(taken, 409, "Conflict")["details"]


def test_concurrent_creates_never_share_a_slug(tenant: Tenant) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = create_client(tenant)
    path = f"/clients/{client['id']}/projects"

    with ThreadPoolExecutor(max_workers=8) as pool:
        explicit = list(
            pool.map(lambda _: tenant.post(path, json={"name": "Race", "slug": "race"}), range(8))
        )
        derived = list(pool.map(lambda _: tenant.post(path, json={"name": "Derived"}), range(8)))

    assert sorted(r.status_code for r in explicit) == [201] + [409] * 7
    slugs = [r.json()["data"]["slug"] for r in derived]
    assert all(r.status_code == 201 for r in derived)
    assert sorted(slugs) == sorted(["derived", *(f"derived-{n}" for n in range(2, 9))])
    listed = tenant.get(path, params={"limit": 500}).json()["data"]
    assert len({p["slug"] for p in listed}) == len(listed) == 9


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "X", "start_date": "2025-03-01", "end_date": "2025-02-28"}, "end_date"),
        ({"name": "X", "start_date": "2025-02-30"}, "start_date"),
        ({"name": "X", "start_date": "2025-01-01T00:00:00Z"}, "start_date"),
        ({"name": "X", "end_date": "01/31/2025"}, "end_date"),
        ({"name": "X", "budget": -1}, "budget"),
        ({"name": "X", "budget": "15000"}, "budget"),
        ({"name": "X", "status": "paused"}, "status"),
        ({"name": "X", "slug": "Not A Slug"}, "slug"),
        ({"name": "X", "client_id": "client_1"}, "client_id"),
        ({"description": "no name"}, "name"),
    ],
)
def test_invalid_project_is_a_400_naming_the_field(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    client = create_client(tenant)

    response = assert_error(tenant.post(f"/clients/{client['id']}/projects", json=body), 400, "Bad Request")

    assert field in response["details"], response
    assert tenant.get(f"/clients/{client['id']}/projects").json()["pagination"]["total"] == 0


def test_client_projects_newest_first_with_status_filter(tenant: Tenant) -> None:
    client = create_client(tenant)
    other = create_client(tenant, name="Other")
    active = create_project(tenant, client["id"], name="Active one")
    done = create_project(tenant, client["id"], name="Done one", status="completed")
    archived = create_project(tenant, client["id"], name="Archived one")
    assert tenant.delete(f"/projects/{archived['id']}").status_code == 200
    create_project(tenant, other["id"], name="Not this client's")

    everything = tenant.get(f"/clients/{client['id']}/projects").json()
    only = {
        status: [
            p["id"]
            for p in tenant.get(f"/clients/{client['id']}/projects", params={"status": status}).json()["data"]
        ]
        for status in ("active", "completed", "archived")
    }

    assert [p["id"] for p in everything["data"]] == [archived["id"], done["id"], active["id"]]
    assert everything["pagination"] == {
        "total": 3,
        "limit": 50,
        "offset": 0,
        "hasMore": False,
        "nextCursor": None,
    }
    assert only == {"active": [active["id"]], "completed": [done["id"]], "archived": [archived["id"]]}
    assert (
        "status"
        in assert_error(tenant.get(f"/clients/{client['id']}/projects", params={"status": "paused"}), 400)[
            "details"
        ]
    )
    assert (
        "limit"
        in assert_error(tenant.get(f"/clients/{client['id']}/projects", params={"limit": 501}), 400)[
            "details"
        ]
    )


def test_client_projects_page_with_a_cursor(tenant: Tenant) -> None:
    client = create_client(tenant)
    made = [create_project(tenant, client["id"], name=f"P{i}")["id"] for i in range(3)]
    path = f"/clients/{client['id']}/projects"

    first = tenant.get(path, params={"limit": 2}).json()
    second = tenant.get(path, params={"limit": 2, "cursor": first["pagination"]["nextCursor"]}).json()
    filtered = tenant.get(
        path, params={"limit": 2, "status": "active", "cursor": first["pagination"]["nextCursor"]}
    )

    assert [p["id"] for p in first["data"] + second["data"]] == list(reversed(made))
    assert "cursor" in assert_error(filtered, 400)["details"]  # sealed for the unfiltered list


# ------------------------------------------------------------------ the client's team


def test_team_is_set_and_read_in_order(tenant: Tenant) -> None:
    from tallyboard.data import entities
    from tallyboard.ids import new_id, now_ms

    client = create_client(tenant)
    colleague = new_id("user")
    entities.put_user(
        tenant.workspace_id,
        {
            "id": colleague,
            "name": "Sam Lee",
            "email": "sam@x.example",
            "role": "editor",
            "createdAt": now_ms(),
        },
    )

    empty = tenant.get(f"/clients/{client['id']}/team")
    response = tenant.put(
        f"/clients/{client['id']}/team", json={"user_ids": [colleague, tenant.user_id, colleague]}
    )
    read = tenant.get(f"/clients/{client['id']}/team")

    assert empty.status_code == 200 and empty.json() == {"data": []}
    assert response.status_code == 200, response.text
    members = response.json()["data"]
    assert [(m["id"], m["name"], m["role"]) for m in members] == [
        (colleague, "Sam Lee", "editor"),
        (tenant.user_id, "Owner", "owner"),
    ]
    assert set(members[0]) == {"id", "name", "email", "role", "title", "created_at"}
    assert read.json() == response.json()
    item = stored(clients_pk(tenant.workspace_id), CLIENT_PREFIX + client["id"])
    assert item is not None and item["teamUserIds"] == [colleague, tenant.user_id]
    (entry,) = [e for e in workspace_audit(tenant) if e["action"] == "client_team_updated"]
    assert entry["metadata"] == {"userIds": [colleague, tenant.user_id]}

    cleared = tenant.put(f"/clients/{client['id']}/team", json={"user_ids": []})
    assert cleared.status_code == 200 and cleared.json() == {"data": []}


def test_unknown_user_is_a_404_naming_it(tenant: Tenant, other_tenant: Tenant) -> None:
    client = create_client(tenant)

    response = tenant.put(
        f"/clients/{client['id']}/team", json={"user_ids": [tenant.user_id, other_tenant.user_id]}
    )

    body = assert_error(response, 404, "Not Found")
    assert other_tenant.user_id in body["message"] and other_tenant.user_id in body["details"]["user_ids"]
    assert tenant.get(f"/clients/{client['id']}/team").json() == {"data": []}
    for bad in ({}, {"user_ids": "user_1"}, {"user_ids": ["bad id"]}, {"user_ids": [], "extra": 1}):
        assert_error(tenant.put(f"/clients/{client['id']}/team", json=bad), 400)
