"""Dashboards over real HTTP: create, list, read with widgets, tenancy, roles and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.data import audit, dynamo, entities
from tallyboard.data.aws import dynamodb
from tallyboard.data.dashboards.dashboards import DASHBOARD_SK, dashboard_pk
from tallyboard.ids import new_id, now_ms
from tallyboard.settings import get_settings
from tests.conftest import Tenant, assert_error

DASHBOARD_FIELDS = {
    "id",
    "projectId",
    "name",
    "slug",
    "type",
    "isDefault",
    "createdBy",
    "createdAt",
    "updatedAt",
}


def create_dashboard(tenant: Tenant, **body: Any) -> dict[str, Any]:
    response = tenant.post("/dashboards", json={"projectId": tenant.project_id, "name": "Board", **body})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def stored_dashboard(tenant: Tenant, dashboard_id: str) -> dict[str, Any] | None:
    key = dynamo.key(pk=dashboard_pk(tenant.workspace_id, dashboard_id), sk=DASHBOARD_SK)
    return dynamo.get(get_settings().entities_table, key, consistent=True)


def set_flag(tenant: Tenant, dashboard_id: str, name: str, value: bool) -> None:
    dynamodb().update_item(
        TableName=get_settings().entities_table,
        Key=dynamo.key(pk=dashboard_pk(tenant.workspace_id, dashboard_id), sk=DASHBOARD_SK),
        UpdateExpression="SET #f = :v",
        ExpressionAttributeNames={"#f": name},
        ExpressionAttributeValues={":v": {"BOOL": value}},
    )


def add_project(tenant: Tenant) -> str:
    project_id = new_id("proj")
    entities.put_project(
        tenant.workspace_id,
        {"id": project_id, "workspaceId": tenant.workspace_id, "name": "Second", "status": "active"},
    )
    return project_id


def test_create_returns_the_documented_shape(tenant: Tenant) -> None:
    before = now_ms()
    response = tenant.post(
        "/dashboards", json={"projectId": tenant.project_id, "name": "Executive Summary", "type": "custom"}
    )

    assert response.status_code == 201, response.text
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.headers["X-RateLimit-Limit"] == "1000"
    data = response.json()["data"]
    assert set(data) >= DASHBOARD_FIELDS
    assert "category" not in data and "description" not in data
    assert data["id"].startswith("dash_")
    assert data["projectId"] == tenant.project_id
    assert (data["name"], data["slug"], data["type"]) == ("Executive Summary", "executive-summary", "custom")
    assert data["isDefault"] is False and data["tags"] == []
    assert data["createdBy"] == tenant.user_id
    assert before <= data["createdAt"] == data["updatedAt"] <= now_ms()
    stored = stored_dashboard(tenant, data["id"])
    assert stored is not None
    assert stored["deleted"] is False and stored["unlisted"] is False and stored["pinned"] is False
    assert stored["gsi1pk"] == f"WS#{tenant.workspace_id}#P#{tenant.project_id}#DASH"


def test_category_dashboard_with_description_and_tags(tenant: Tenant) -> None:
    data = create_dashboard(
        tenant,
        name="  Payments  ",
        type="category",
        category="payment",
        isDefault=True,
        description="Money in",
        tags=["finance", "finance", "weekly"],
    )

    assert (data["name"], data["slug"], data["category"], data["isDefault"]) == (
        "Payments",
        "payments",
        "payment",
        True,
    )
    assert data["description"] == "Money in"
    assert data["tags"] == ["finance", "weekly"]


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Café Überblick", "cafe-uberblick"),
        ("Q3 -- KPIs!!", "q3-kpis"),
        ("Панель", "панель"),
        ("!!!", "dashboard"),
    ],
)
def test_slug_is_derived_from_the_name(tenant: Tenant, name: str, slug: str) -> None:
    assert create_dashboard(tenant, name=name)["slug"] == slug


def test_list_is_oldest_first_and_hides_deleted_and_unlisted(tenant: Tenant) -> None:
    first = create_dashboard(tenant, name="Executive Summary")
    second = create_dashboard(tenant, name="Payments", type="category", category="payment", isDefault=True)
    deleted = create_dashboard(tenant, name="Old")
    unlisted = create_dashboard(tenant, name="Hidden")
    set_flag(tenant, deleted["id"], "deleted", True)
    set_flag(tenant, unlisted["id"], "unlisted", True)

    response = tenant.get("/dashboards", params={"projectId": tenant.project_id})

    assert response.status_code == 200, response.text
    assert response.json() == {
        "data": [first, second],
        "pagination": {"total": 2, "limit": 100, "offset": 0, "hasMore": False, "nextCursor": None},
    }


def test_get_returns_the_dashboard_with_widgets(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant, name="Executive Summary")

    response = tenant.get(f"/dashboards/{dashboard['id']}")

    assert response.status_code == 200, response.text
    assert response.json() == {"data": {**dashboard, "widgets": []}}


def test_unlisted_dashboard_is_still_readable_by_id(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    set_flag(tenant, dashboard["id"], "unlisted", True)

    assert tenant.get(f"/dashboards/{dashboard['id']}").status_code == 200


def test_missing_deleted_and_foreign_dashboards_answer_the_same_404(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    deleted = create_dashboard(tenant)
    set_flag(tenant, deleted["id"], "deleted", True)
    foreign = create_dashboard(other_tenant)

    bodies = [
        assert_error(tenant.get(f"/dashboards/{dashboard_id}"), 404, "Not Found")
        for dashboard_id in ("dash_doesnotexist", deleted["id"], foreign["id"])
    ]

    assert bodies == [{"error": "Not Found", "message": "Dashboard not found"}] * 3
    assert other_tenant.get(f"/dashboards/{foreign['id']}").status_code == 200


def test_key_bound_to_another_project_cannot_see_the_dashboard(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    second_project = add_project(tenant)
    bound = tenant.create_key("editor", projectIds=[second_project])

    body = assert_error(bound.get(f"/dashboards/{dashboard['id']}"), 404)
    assert body["message"] == "Dashboard not found"
    forbidden = assert_error(bound.get("/dashboards", params={"projectId": tenant.project_id}), 403)
    assert forbidden["message"] == "No access to this project"
    # A key bound to one project may omit projectId.
    own = bound.post("/dashboards", json={"name": "Second board"})
    assert own.status_code == 201, own.text
    assert own.json()["data"]["projectId"] == second_project
    assert [d["id"] for d in bound.get("/dashboards").json()["data"]] == [own.json()["data"]["id"]]


def test_foreign_or_unknown_project_is_403(tenant: Tenant, other_tenant: Tenant) -> None:
    for project_id in (other_tenant.project_id, "proj_doesnotexist"):
        for response in (
            tenant.get("/dashboards", params={"projectId": project_id}),
            tenant.post("/dashboards", json={"projectId": project_id, "name": "x"}),
        ):
            assert assert_error(response, 403, "Forbidden")["message"] == "No access to this project"
    assert other_tenant.get("/dashboards", params={"projectId": other_tenant.project_id}).json()["data"] == []


def test_project_id_is_required_for_a_workspace_wide_key(tenant: Tenant) -> None:
    body = assert_error(tenant.get("/dashboards"), 400, "Bad Request")
    assert "projectId" in body["details"]


def test_roles_and_scopes(tenant: Tenant) -> None:
    viewer = tenant.create_key("viewer")
    read_only_editor = tenant.create_key("editor", scopes=["dashboard:read"])
    metrics_only = tenant.create_key("editor", scopes=["metrics:read"])
    dashboard = create_dashboard(tenant)
    body = {"projectId": tenant.project_id, "name": "Nope"}

    assert viewer.get(f"/dashboards/{dashboard['id']}").status_code == 200
    assert "role" in assert_error(viewer.post("/dashboards", json=body), 403)["message"]
    assert "dashboard:write" in assert_error(read_only_editor.post("/dashboards", json=body), 403)["message"]
    assert read_only_editor.get("/dashboards", params={"projectId": tenant.project_id}).status_code == 200
    assert (
        "dashboard:read" in assert_error(metrics_only.get(f"/dashboards/{dashboard['id']}"), 403)["message"]
    )
    assert [
        d["id"] for d in tenant.get("/dashboards", params={"projectId": tenant.project_id}).json()["data"]
    ] == [dashboard["id"]]


def test_create_is_audited(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant, name="Audited")

    entries = audit.list_entries(tenant.workspace_id, tenant.project_id, 0, now_ms())

    (entry,) = [e for e in entries if e["resourceId"] == dashboard["id"]]
    assert entry["action"] == "dashboard_created" and entry["resource"] == "dashboards"
    assert entry["userId"] == tenant.user_id
    assert entry["ipAddress"] == "127.0.0.1"
    assert entry["userAgent"].startswith("python-requests")
    assert entry["metadata"] == {"dashboardName": "Audited", "type": "custom"}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "name"),
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"name": 42}, "name"),
        ({"name": "x", "type": "fancy"}, "type"),
        ({"name": "x", "type": "category"}, "category"),
        ({"name": "x", "type": "custom", "category": "payment"}, "category"),
        ({"name": "x", "type": "category", "category": "Pay Ment"}, "category"),
        ({"name": "x", "isDefault": "yes"}, "isDefault"),
        ({"name": "x", "isDefault": 1}, "isDefault"),
        ({"name": "x", "description": "d" * 2001}, "description"),
        ({"name": "x", "tags": "finance"}, "tags"),
        ({"name": "x", "tags": ["t"] * 51}, "tags"),
        ({"name": "x", "tags": [""]}, "tags.0"),
        ({"name": "x", "tags": [7]}, "tags.0"),
        ({"name": "x", "owner": "me"}, "owner"),
        ({"name": "x", "projectId": 123}, "projectId"),
        ({"name": "x", "projectId": "proj/../x"}, "projectId"),
    ],
)
def test_bad_bodies_are_400_and_store_nothing(tenant: Tenant, body: dict[str, Any], field: str) -> None:
    response = tenant.post("/dashboards", json={"projectId": tenant.project_id, **body})

    error = assert_error(response, 400, "Bad Request")
    assert field in error["details"], error
    assert tenant.get("/dashboards", params={"projectId": tenant.project_id}).json()["data"] == []


@pytest.mark.parametrize("raw", ["{not json", '{"name": NaN}', '{"name": "x", "tags": [Infinity]}', "[1, 2]"])
def test_bodies_that_are_not_a_json_object_are_400(tenant: Tenant, raw: str) -> None:
    response = tenant.post("/dashboards", data=raw, headers={"Content-Type": "application/json"})

    assert_error(response, 400, "Bad Request")
    assert tenant.get("/dashboards", params={"projectId": tenant.project_id}).json()["data"] == []


def test_bad_dashboard_id_is_400(tenant: Tenant) -> None:
    assert_error(tenant.get("/dashboards/" + "x" * 65), 400, "Bad Request")
    assert_error(tenant.get("/dashboards/dash%20x"), 400, "Bad Request")
