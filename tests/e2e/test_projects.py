"""Projects over real HTTP (docs/api.md "Agency workspace"): the analytics project
with its agency fields; list (non-archived, what the key can see, `?id=`), read, partial update,
archive and un-archive, unique slugs, and the campaign figures with their arithmetic."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.data import audit, dynamo
from tallyboard.data.entities import workspace_pk
from tallyboard.settings import get_settings
from tallyboard.timeutil import MAX_TIMESTAMP_MS
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import random_id
from tests.e2e.test_clients import PROJECT_FIELDS, create_client, create_project

# Seed 001's example response of GET /projects/{id}/metrics.
SEED_METRICS_EXAMPLE = {
    "project_id": "uuid",
    "roi": 320,
    "leads_generated": 145,
    "cost_per_lead": 103.45,
    "conversion_rate": 12.3,
    "revenue_generated": 45000,
}


def stored_project(tenant: Tenant, project_id: str) -> dict[str, Any] | None:
    key = dynamo.key(pk=workspace_pk(tenant.workspace_id), sk=f"PROJECT#{project_id}")
    return dynamo.get(get_settings().entities_table, key, consistent=True)


def slug_claim(tenant: Tenant, slug: str) -> dict[str, Any] | None:
    key = dynamo.key(pk=workspace_pk(tenant.workspace_id), sk=f"SLUG#PROJECT#{slug}")
    return dynamo.get(get_settings().entities_table, key, consistent=True)


def actions(tenant: Tenant, project_id: str) -> list[str]:
    return [e["action"] for e in audit.list_entries(tenant.workspace_id, project_id, 0, MAX_TIMESTAMP_MS)]


def add_lead(tenant: Tenant, project_id: str, status: str, value: float | None = None) -> None:
    body: dict[str, Any] = {"name": "Lead", "status": status, "project_id": project_id}
    if value is not None:
        body["value"] = value
    response = tenant.post("/leads", json=body)
    assert response.status_code == 201, response.text


# ------------------------------------------------------------------ list and read


def test_the_bootstrap_project_is_listed_with_its_agency_fields(tenant: Tenant) -> None:
    response = tenant.get("/projects")

    assert response.status_code == 200, response.text
    body = response.json()
    (project,) = body["data"]
    assert set(project) == PROJECT_FIELDS
    assert (project["id"], project["name"], project["slug"], project["status"]) == (
        tenant.project_id,
        "My project",
        "my-project",
        "active",
    )
    assert project["client_id"] is None and project["budget"] is None
    assert body["pagination"] == {"total": 1, "limit": 100, "offset": 0, "hasMore": False, "nextCursor": None}
    claim = slug_claim(tenant, "my-project")
    assert claim is not None and claim["projectId"] == tenant.project_id


def test_list_hides_archived_and_is_in_id_order(tenant: Tenant) -> None:
    client = create_client(tenant)
    made = [create_project(tenant, client["id"], name=f"P{i}")["id"] for i in range(3)]
    assert tenant.delete(f"/projects/{made[1]}").status_code == 200

    first = tenant.get("/projects", params={"limit": 2}).json()
    second = tenant.get("/projects", params={"limit": 2, "cursor": first["pagination"]["nextCursor"]}).json()

    listed = [p["id"] for p in first["data"] + second["data"]]
    assert listed == sorted([tenant.project_id, made[0], made[2]])
    assert first["pagination"]["total"] == 3 and first["pagination"]["hasMore"] is True
    assert second["pagination"]["hasMore"] is False


def test_id_parameter_fetches_one_project_archived_too(tenant: Tenant, other_tenant: Tenant) -> None:
    project = create_project(tenant, create_client(tenant)["id"], name="Old")
    tenant.delete(f"/projects/{project['id']}")

    one = tenant.get("/projects", params={"id": project["id"]})
    foreign = other_tenant.get("/projects", params={"id": project["id"]})
    missing = other_tenant.get("/projects", params={"id": random_id("projectId")})

    assert one.status_code == 200, one.text
    assert [p["id"] for p in one.json()["data"]] == [project["id"]]
    assert one.json()["data"][0]["status"] == "archived"
    assert (
        assert_error(foreign, 404)
        == assert_error(missing, 404)
        == {
            "error": "Not Found",
            "message": "Project not found",
        }
    )


def test_a_project_restricted_key_sees_only_its_projects(tenant: Tenant) -> None:
    second = tenant.add_project("Second")
    restricted = tenant.create_key("viewer", projectIds=[second.project_id])

    listed = restricted.get("/projects").json()
    own = restricted.get(f"/projects/{second.project_id}")
    other = restricted.get(f"/projects/{tenant.project_id}")
    by_id = restricted.get("/projects", params={"id": tenant.project_id})

    assert [p["id"] for p in listed["data"]] == [second.project_id]
    assert listed["pagination"]["total"] == 1
    assert own.status_code == 200 and own.json()["data"]["name"] == "Second"
    assert assert_error(other, 404)["message"] == "Project not found"
    assert_error(by_id, 404)


def test_get_returns_the_project(tenant: Tenant) -> None:
    client = create_client(tenant)
    project = create_project(tenant, client["id"], name="Launch", budget=2500.5, start_date="2025-02-01")

    response = tenant.get(f"/projects/{project['id']}")

    assert response.status_code == 200, response.text
    assert response.json() == {"data": project}
    assert (
        project["budget"] == 2500.5 and project["start_date"] == "2025-02-01" and project["end_date"] is None
    )


def test_another_workspaces_project_is_404_on_every_project_route(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    missing = random_id("projectId")
    for method, suffix, body in [
        ("GET", "", None),
        ("PATCH", "", {"name": "Mine now"}),
        ("DELETE", "", None),
        ("GET", "/metrics", None),
    ]:
        foreign = other_tenant.request(method, f"/projects/{tenant.project_id}{suffix}", json=body)
        unknown = other_tenant.request(method, f"/projects/{missing}{suffix}", json=body)
        assert assert_error(foreign, 404) == assert_error(unknown, 404), (method, suffix)
    assert tenant.get(f"/projects/{tenant.project_id}").json()["data"]["name"] == "My project"


def test_roles_and_scopes(tenant: Tenant) -> None:
    viewer = tenant.create_key("viewer")
    dashboards_only = tenant.create_key("owner", scopes=["dashboard:read"])

    assert viewer.get("/projects").status_code == 200
    assert viewer.get(f"/projects/{tenant.project_id}/metrics").status_code == 200
    assert_error(viewer.patch(f"/projects/{tenant.project_id}", json={"name": "No"}), 403)
    assert_error(viewer.delete(f"/projects/{tenant.project_id}"), 403)
    assert_error(dashboards_only.get("/projects"), 403)
    assert_error(dashboards_only.get(f"/projects/{tenant.project_id}"), 403)
    assert tenant.get(f"/projects/{tenant.project_id}").json()["data"]["status"] == "active"


# ------------------------------------------------------------------ update, archive


def test_patch_changes_only_the_fields_sent(tenant: Tenant) -> None:
    project = create_project(
        tenant, create_client(tenant)["id"], name="Launch", description="First", budget=100
    )

    response = tenant.patch(f"/projects/{project['id']}", json={"budget": 250.75, "description": None})

    assert response.status_code == 200, response.text
    data = response.json()["data"]
    expected = {**project, "budget": 250.75, "description": None, "updated_at": data["updated_at"]}
    assert data == expected
    assert data["updated_at"] >= project["updated_at"]
    assert tenant.get(f"/projects/{project['id']}").json() == {"data": data}
    item = stored_project(tenant, project["id"])
    assert item is not None and "description" not in item and item["budget"] == 250.75
    assert item["version"] == 1
    assert actions(tenant, project["id"]) == ["project_updated", "project_created"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "body"),
        ({"name": None}, "name"),
        ({"status": None}, "status"),
        ({"slug": None}, "slug"),
        ({"status": "paused"}, "status"),
        ({"unknown": 1}, "unknown"),
        ({"end_date": "2024-12-31"}, "end_date"),
        ({"start_date": "2025-04-01"}, "start_date"),
        ({"start_date": "2025-13-01"}, "start_date"),
        ({"budget": 1e-131}, "budget"),
    ],
)
def test_invalid_patch_is_a_400_naming_the_field_and_changes_nothing(
    tenant: Tenant, body: dict[str, Any], field: str
) -> None:
    project = create_project(
        tenant, create_client(tenant)["id"], name="Q1", start_date="2025-01-01", end_date="2025-03-31"
    )

    response = assert_error(tenant.patch(f"/projects/{project['id']}", json=body), 400, "Bad Request")

    assert field in response["details"], response
    assert tenant.get(f"/projects/{project['id']}").json() == {"data": project}


def test_an_unknown_or_foreign_client_is_a_404_naming_the_field_and_changes_nothing(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    project = create_project(tenant, create_client(tenant)["id"], name="Q1")
    foreign = create_client(other_tenant)["id"]

    for client_id in ("client_000000000000aaaaaaaaaaaaaaaa", foreign):
        response = tenant.patch(f"/projects/{project['id']}", json={"client_id": client_id})
        assert "client_id" in assert_error(response, 404, "Not Found")["details"]
    assert tenant.get(f"/projects/{project['id']}").json() == {"data": project}


def test_a_new_slug_is_claimed_and_the_old_one_released(tenant: Tenant) -> None:
    client = create_client(tenant)
    project = create_project(tenant, client["id"], name="Launch")
    other = create_project(tenant, client["id"], name="Other")

    renamed = tenant.patch(f"/projects/{project['id']}", json={"slug": "spring-launch", "name": "Spring"})
    taken = tenant.patch(f"/projects/{other['id']}", json={"slug": "spring-launch"})
    reused = tenant.patch(f"/projects/{other['id']}", json={"slug": "launch"})

    assert renamed.status_code == 200, renamed.text
    assert (renamed.json()["data"]["slug"], renamed.json()["data"]["name"]) == ("spring-launch", "Spring")
    assert "slug" in assert_error(taken, 409, "Conflict")["details"]
    assert reused.status_code == 200, reused.text  # the old slug was released
    assert (slug_claim(tenant, "spring-launch") or {}).get("projectId") == project["id"]
    assert (slug_claim(tenant, "launch") or {}).get("projectId") == other["id"]
    assert slug_claim(tenant, "other") is None


def test_linking_a_client_moves_the_project_between_client_lists(tenant: Tenant) -> None:
    first, second = create_client(tenant, name="First"), create_client(tenant, name="Second")
    project = create_project(tenant, first["id"], name="Moving")

    moved = tenant.patch(f"/projects/{project['id']}", json={"client_id": second["id"]})
    unlinked = tenant.patch(f"/projects/{tenant.project_id}", json={"client_id": None})
    linked = tenant.patch(f"/projects/{tenant.project_id}", json={"client_id": first["id"]})

    assert moved.status_code == 200 and moved.json()["data"]["client_id"] == second["id"]
    assert unlinked.status_code == 200 and unlinked.json()["data"]["client_id"] is None
    assert linked.status_code == 200, linked.text
    ids = {
        c["id"]: [p["id"] for p in tenant.get(f"/clients/{c['id']}/projects").json()["data"]]
        for c in (first, second)
    }
    assert ids == {first["id"]: [tenant.project_id], second["id"]: [project["id"]]}


def test_a_project_restricted_key_updates_its_project_but_links_no_client(tenant: Tenant) -> None:
    client = create_client(tenant)
    restricted = tenant.create_key("editor", projectIds=[tenant.project_id])

    renamed = restricted.patch(f"/projects/{tenant.project_id}", json={"description": "Ours"})
    link = restricted.patch(f"/projects/{tenant.project_id}", json={"client_id": client["id"]})

    assert renamed.status_code == 200 and renamed.json()["data"]["description"] == "Ours"
    assert_error(link, 403, "Forbidden")
    assert tenant.get(f"/projects/{tenant.project_id}").json()["data"]["client_id"] is None


def test_delete_archives_and_patch_status_active_restores(tenant: Tenant) -> None:
    response = tenant.delete(f"/projects/{tenant.project_id}")

    assert response.status_code == 200, response.text
    assert response.json()["data"]["status"] == "archived"
    assert tenant.get("/projects").json()["data"] == []
    assert tenant.get(f"/projects/{tenant.project_id}").json()["data"]["status"] == "archived"
    # analytics routes keep working on an archived project
    assert tenant.get("/dashboards", params={"projectId": tenant.project_id}).status_code == 200
    again = tenant.delete(f"/projects/{tenant.project_id}")
    assert again.status_code == 200 and again.json()["data"]["status"] == "archived"

    restored = tenant.patch(f"/projects/{tenant.project_id}", json={"status": "active"})

    assert restored.status_code == 200 and restored.json()["data"]["status"] == "active"
    assert [p["id"] for p in tenant.get("/projects").json()["data"]] == [tenant.project_id]
    assert actions(tenant, tenant.project_id) == ["project_updated", "project_archived"]


# ------------------------------------------------------------------ campaign figures


def test_seed_metrics_response_shape(tenant: Tenant) -> None:
    """Seed 001's example: the same keys with the same JSON types."""
    project = create_project(tenant, create_client(tenant)["id"], name="Campaign", budget=1000)
    add_lead(tenant, project["id"], "Closed", 4200)
    add_lead(tenant, project["id"], "proposal sent", 100)

    response = tenant.get(f"/projects/{project['id']}/metrics")

    assert response.status_code == 200, response.text
    body = response.json()
    assert list(body) == list(SEED_METRICS_EXAMPLE)
    for key, example in SEED_METRICS_EXAMPLE.items():
        assert isinstance(body[key], (int, float) if isinstance(example, int | float) else str), key
    assert body["project_id"] == project["id"]


@pytest.mark.parametrize(
    ("budget", "leads", "expected"),
    [
        # 4 leads, 1 Closed at 45,000, spend 15,000
        (
            15000,
            [("Closed", 45000), ("Proposal Sent", 9000), ("Dead Leads", None), ("Chaser", 500)],
            {
                "roi": 200,
                "leads_generated": 4,
                "cost_per_lead": 3750,
                "conversion_rate": 25,
                "revenue_generated": 45000,
            },
        ),
        # two decimals: 1,000 / 3 leads, 1 of 3 closed, (1234.5 - 1000) / 1000
        (
            1000,
            [("closed", 1234.5), ("needs closing", 800), ("no response", None)],
            {
                "roi": 23.45,
                "leads_generated": 3,
                "cost_per_lead": 333.33,
                "conversion_rate": 33.33,
                "revenue_generated": 1234.5,
            },
        ),
        # a loss: 2 Closed of 2 at 300 + 100.25, spend 800
        (
            800,
            [("Closed", 300), ("CLOSED", 100.25)],
            {
                "roi": -49.97,
                "leads_generated": 2,
                "cost_per_lead": 400,
                "conversion_rate": 100,
                "revenue_generated": 400.25,
            },
        ),
        # no budget: no ROI; cost per lead 0
        (
            None,
            [("Closed", 50)],
            {
                "roi": None,
                "leads_generated": 1,
                "cost_per_lead": 0,
                "conversion_rate": 100,
                "revenue_generated": 50,
            },
        ),
        # no leads: every per-lead figure null
        (
            500,
            [],
            {
                "roi": -100,
                "leads_generated": 0,
                "cost_per_lead": None,
                "conversion_rate": None,
                "revenue_generated": 0,
            },
        ),
    ],
)
def test_campaign_figures_follow_the_documented_formulas(
    tenant: Tenant, budget: float | None, leads: list[tuple[str, float | None]], expected: dict[str, Any]
) -> None:
    client = create_client(tenant)
    project = create_project(tenant, client["id"], name="Campaign", **({"budget": budget} if budget else {}))
    elsewhere = create_project(tenant, client["id"], name="Elsewhere", budget=1)
    for status, value in leads:
        add_lead(tenant, project["id"], status, value)
    add_lead(tenant, elsewhere["id"], "Closed", 999_999)  # another project's lead counts there only
    assert tenant.post("/leads", json={"name": "Unlinked", "status": "Closed", "value": 5}).status_code == 201

    response = tenant.get(f"/projects/{project['id']}/metrics")

    assert response.status_code == 200, response.text
    assert response.json() == {"project_id": project["id"], **expected}


def test_figures_follow_lead_changes(tenant: Tenant) -> None:
    project = create_project(tenant, create_client(tenant)["id"], name="Campaign", budget=100)
    lead = tenant.post(
        "/leads", json={"name": "L", "status": "Chaser", "value": 300, "project_id": project["id"]}
    )
    lead_id = lead.json()["data"]["id"]
    path = f"/projects/{project['id']}/metrics"

    before = tenant.get(path).json()
    tenant.patch(f"/leads/{lead_id}", json={"status": "Closed"})
    closed = tenant.get(path).json()
    tenant.patch(f"/leads/{lead_id}", json={"project_id": None})
    unlinked = tenant.get(path).json()

    assert (before["revenue_generated"], before["conversion_rate"], before["roi"]) == (0, 0, -100)
    assert (closed["revenue_generated"], closed["conversion_rate"], closed["roi"]) == (300, 100, 200)
    assert (unlinked["leads_generated"], unlinked["cost_per_lead"]) == (0, None)
