"""GET /audit-logs over real HTTP: newest first, filters, exact pagination, plan and role rules,
and entries that never show what they should not (the key id, a secret)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.conftest import Tenant, assert_error


def _dashboards(tenant: Tenant, count: int) -> list[str]:
    ids = []
    for index in range(count):
        created = tenant.post(
            "/dashboards", json={"projectId": tenant.project_id, "name": f"D{index}", "type": "custom"}
        )
        assert created.status_code == 201, created.text
        ids.append(created.json()["data"]["id"])
    return ids


def logs(tenant: Tenant, **params: Any) -> Any:
    return tenant.get("/audit-logs", params={"projectId": tenant.project_id, **params})


def test_entries_are_newest_first_with_exact_pagination(tenant: Tenant) -> None:
    ids = _dashboards(tenant, 5)

    first, second = logs(tenant, limit=3).json(), logs(tenant, limit=3, offset=3).json()
    by_cursor = logs(tenant, limit=3, cursor=first["pagination"]["nextCursor"]).json()

    assert [e["resourceId"] for e in first["data"] + second["data"]] == ids[::-1]
    cursor = first["pagination"].pop("nextCursor")
    assert cursor and first["pagination"] == {"total": 5, "limit": 3, "offset": 0, "hasMore": True}
    assert second["pagination"] == {"total": 5, "limit": 3, "offset": 3, "hasMore": False, "nextCursor": None}
    assert by_cursor == second
    entry = first["data"][0]
    assert set(entry) == {
        "id", "userId", "action", "resource", "resourceId", "metadata", "ipAddress", "userAgent", "createdAt"
    }  # fmt: skip
    assert entry["action"] == "dashboard_created" and entry["userId"] == tenant.user_id
    assert tenant.key_id not in str(first)


def test_action_and_date_filters(tenant: Tenant) -> None:
    _dashboards(tenant, 2)
    created = tenant.post(
        "/connections", json={"projectId": tenant.project_id, "service": "stripe", "authType": "none"}
    )
    assert created.status_code == 201

    only = logs(tenant, action="connection_created").json()
    future = logs(tenant, startDate="2100-01-01T00:00:00Z").json()

    assert [e["action"] for e in only["data"]] == ["connection_created"] and only["pagination"]["total"] == 1
    assert future["data"] == [] and future["pagination"]["total"] == 0


@pytest.mark.parametrize(
    "params",
    [{"limit": 501}, {"limit": 0}, {"offset": 10_001}, {"startDate": "yesterday"}, {"action": "DROP TABLE"}],
)
def test_bad_parameters_are_400_naming_them(tenant: Tenant, params: dict[str, Any]) -> None:
    body = assert_error(logs(tenant, **params), 400, "Bad Request")

    assert list(body["details"]) == list(params)


def test_plans_without_audit_logs_are_403_naming_them(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant("professional")

    assert "Audit logs" in assert_error(logs(tenant), 403, "Forbidden")["message"]


def test_viewers_and_other_projects_keys_are_refused(tenant: Tenant) -> None:
    viewer = tenant.create_key("viewer")
    other = tenant.add_project()
    elsewhere = tenant.create_key("editor", projectIds=[other.project_id])

    assert "editor" in assert_error(logs(viewer), 403)["message"]
    assert assert_error(logs(elsewhere), 403)["message"] == "No access to this project"


def test_entries_speak_the_export_documents_vocabulary(tenant: Tenant) -> None:
    # Issue #16: a note was `note.create` on `note` with metadata {}.
    agent = {"User-Agent": "Mozilla/5.0 (audit test)"}
    note = tenant.post(
        f"/projects/{tenant.project_id}/notes",
        json={"title": "Kick-off", "notes": "Scope agreed"},
        headers=agent,
    )
    assert note.status_code == 201, note.text
    dashboard = tenant.post(
        "/dashboards",
        json={"projectId": tenant.project_id, "name": "Revenue Dashboard", "type": "custom"},
        headers=agent,
    )
    assert dashboard.status_code == 201, dashboard.text

    entries = {e["resourceId"]: e for e in logs(tenant).json()["data"]}
    created = logs(tenant, action="dashboard_created").json()["data"]

    noted = entries[note.json()["data"]["id"]]
    assert (noted["action"], noted["resource"], noted["metadata"]) == (
        "note_created",
        "notes",
        {"noteTitle": "Kick-off"},
    )
    board = entries[dashboard.json()["data"]["id"]]
    assert (board["action"], board["resource"]) == ("dashboard_created", "dashboards")
    assert board["metadata"] == {"dashboardName": "Revenue Dashboard", "type": "custom"}
    for entry in (noted, board):
        assert (entry["ipAddress"], entry["userAgent"]) == ("127.0.0.1", "Mozilla/5.0 (audit test)")
        assert entry["userId"] == tenant.user_id
    assert [e["resourceId"] for e in created] == [board["resourceId"]]
