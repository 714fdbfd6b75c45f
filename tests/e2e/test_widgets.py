"""Widgets over real HTTP: add, partial update, remove; each bumps the dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.data import audit, dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.data.dashboards.dashboards import WIDGET_PREFIX, dashboard_pk
from tallyboard.ids import now_ms
from tallyboard.logic.dashboards.widgets import MAX_WIDGETS_PER_DASHBOARD
from tallyboard.settings import get_settings
from tests.conftest import Tenant, assert_error
from tests.e2e.test_dashboards import add_project, create_dashboard, set_flag, stored_dashboard

MRR_WIDGET = {
    "type": "metric",
    "title": "MRR",
    "position": {"x": 0, "y": 0, "w": 3, "h": 2},
    "visible": True,
    "config": {"metricId": "stripe_mrr", "connectionId": "conn_456", "timeRange": "30d"},
}
WIDGET_FIELDS = {
    "id",
    "dashboardId",
    "type",
    "title",
    "position",
    "visible",
    "config",
    "createdAt",
    "updatedAt",
}


def add_widget(tenant: Tenant, dashboard_id: str, **overrides: Any) -> dict[str, Any]:
    response = tenant.post(f"/dashboards/{dashboard_id}/widgets", json={**MRR_WIDGET, **overrides})
    assert response.status_code == 201, response.text
    return response.json()["data"]


def widget_items(tenant: Tenant, dashboard_id: str) -> list[dict[str, Any]]:
    return [
        item
        for item in dynamo.query(
            get_settings().entities_table,
            KeyConditionExpression="pk = :p AND begins_with(sk, :w)",
            ExpressionAttributeValues={
                ":p": {"S": dashboard_pk(tenant.workspace_id, dashboard_id)},
                ":w": {"S": WIDGET_PREFIX},
            },
        )
    ]


@pytest.fixture
def dashboard(tenant: Tenant) -> dict[str, Any]:
    return create_dashboard(tenant, name="Executive Summary")


def test_add_widget_returns_it_and_bumps_the_dashboard(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    response = tenant.post(f"/dashboards/{dashboard['id']}/widgets", json=MRR_WIDGET)

    assert response.status_code == 201, response.text
    widget = response.json()["data"]
    assert set(widget) == WIDGET_FIELDS
    assert widget["id"].startswith("widget_") and widget["dashboardId"] == dashboard["id"]
    assert {k: widget[k] for k in MRR_WIDGET} == MRR_WIDGET
    assert widget["createdAt"] == widget["updatedAt"] >= dashboard["createdAt"]
    shown = tenant.get(f"/dashboards/{dashboard['id']}").json()["data"]
    assert shown["widgets"] == [widget]
    assert shown["updatedAt"] == widget["createdAt"]
    assert stored_dashboard(tenant, dashboard["id"])["widgetCount"] == 1


def test_defaults_and_creation_order(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    first = add_widget(tenant, dashboard["id"])
    second = tenant.post(f"/dashboards/{dashboard['id']}/widgets", json={"type": "text", "title": "Notes"})
    assert second.status_code == 201, second.text
    second_widget = second.json()["data"]
    chart = add_widget(
        tenant,
        dashboard["id"],
        type="chart",
        title="Revenue Trend",
        position={"x": 3, "y": 0, "w": 6, "h": 3},
        config={"metricId": "stripe_revenue", "chartType": "line", "timeRange": "90d", "aggregation": "sum"},
    )

    assert second_widget["position"] == {"x": 0, "y": 0, "w": 3, "h": 2}
    assert second_widget["visible"] is True and second_widget["config"] == {}
    widgets = tenant.get(f"/dashboards/{dashboard['id']}").json()["data"]["widgets"]
    assert [w["id"] for w in widgets] == [first["id"], second_widget["id"], chart["id"]]


def test_patch_changes_only_the_fields_sent(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    widget = add_widget(tenant, dashboard["id"])

    response = tenant.patch(
        f"/dashboards/{dashboard['id']}/widgets/{widget['id']}",
        json={
            "title": "Monthly Recurring Revenue",
            "position": {"x": 1, "y": 2, "w": 4, "h": 2},
            "visible": False,
        },
    )

    assert response.status_code == 200, response.text
    updated = response.json()["data"]
    assert updated == {
        **widget,
        "title": "Monthly Recurring Revenue",
        "position": {"x": 1, "y": 2, "w": 4, "h": 2},
        "visible": False,
        "updatedAt": updated["updatedAt"],
    }
    assert updated["updatedAt"] >= widget["updatedAt"]
    shown = tenant.get(f"/dashboards/{dashboard['id']}").json()["data"]
    assert shown["widgets"] == [updated]
    assert shown["updatedAt"] == updated["updatedAt"]

    config = {"metricId": "stripe_revenue", "chartType": "bar", "nested": {"series": [1, 2.5, None, "x"]}}
    again = tenant.patch(f"/dashboards/{dashboard['id']}/widgets/{widget['id']}", json={"config": config})
    assert again.status_code == 200, again.text
    assert again.json()["data"]["config"] == config
    assert again.json()["data"]["title"] == "Monthly Recurring Revenue"


def test_delete_removes_the_widget(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    keep = add_widget(tenant, dashboard["id"])
    gone = add_widget(tenant, dashboard["id"], title="Gone")

    response = tenant.delete(f"/dashboards/{dashboard['id']}/widgets/{gone['id']}")

    assert response.status_code == 204 and not response.content
    assert [w["id"] for w in tenant.get(f"/dashboards/{dashboard['id']}").json()["data"]["widgets"]] == [
        keep["id"]
    ]
    assert [i["id"] for i in widget_items(tenant, dashboard["id"])] == [keep["id"]]
    assert stored_dashboard(tenant, dashboard["id"])["widgetCount"] == 1
    body = assert_error(tenant.delete(f"/dashboards/{dashboard['id']}/widgets/{gone['id']}"), 404)
    assert body["message"] == "Widget not found"


def test_widget_of_another_dashboard_is_404(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    other = create_dashboard(tenant, name="Other")
    widget = add_widget(tenant, other["id"])
    path = f"/dashboards/{dashboard['id']}/widgets/{widget['id']}"

    assert assert_error(tenant.patch(path, json={"title": "x"}), 404)["message"] == "Widget not found"
    assert assert_error(tenant.delete(path), 404)["message"] == "Widget not found"
    assert tenant.get(f"/dashboards/{other['id']}").json()["data"]["widgets"] == [widget]


def test_foreign_unbound_and_deleted_dashboards_are_404(
    tenant: Tenant, other_tenant: Tenant, dashboard: dict[str, Any]
) -> None:
    widget = add_widget(tenant, dashboard["id"])
    bound = tenant.create_key("owner", projectIds=[add_project(tenant)])
    widget_path = f"/dashboards/{dashboard['id']}/widgets/{widget['id']}"

    for caller in (other_tenant, bound):
        for response in (
            caller.post(f"/dashboards/{dashboard['id']}/widgets", json=MRR_WIDGET),
            caller.patch(widget_path, json={"title": "mine"}),
            caller.delete(widget_path),
        ):
            assert assert_error(response, 404)["message"] == "Dashboard not found"
    set_flag(tenant, dashboard["id"], "deleted", True)
    assert assert_error(tenant.post(f"/dashboards/{dashboard['id']}/widgets", json=MRR_WIDGET), 404)
    assert assert_error(tenant.patch(widget_path, json={"title": "x"}), 404)
    assert [(i["id"], i["title"]) for i in widget_items(tenant, dashboard["id"])] == [(widget["id"], "MRR")]


def test_roles_and_scopes(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    widget = add_widget(tenant, dashboard["id"])
    viewer = tenant.create_key("viewer")
    reader = tenant.create_key("editor", scopes=["dashboard:read"])
    path = f"/dashboards/{dashboard['id']}/widgets"

    for caller in (viewer, reader):
        assert_error(caller.post(path, json=MRR_WIDGET), 403, "Forbidden")
        assert_error(caller.patch(f"{path}/{widget['id']}", json={"title": "x"}), 403, "Forbidden")
        assert_error(caller.delete(f"{path}/{widget['id']}"), 403, "Forbidden")
    assert [(i["id"], i["title"]) for i in widget_items(tenant, dashboard["id"])] == [(widget["id"], "MRR")]


def test_a_full_dashboard_refuses_more_widgets(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    add_widget(tenant, dashboard["id"])
    dynamodb().update_item(
        TableName=get_settings().entities_table,
        Key=dynamo.key(pk=dashboard_pk(tenant.workspace_id, dashboard["id"]), sk="DASHBOARD"),
        UpdateExpression="SET widgetCount = :n",
        ExpressionAttributeValues={":n": {"N": str(MAX_WIDGETS_PER_DASHBOARD)}},
    )

    response = tenant.post(f"/dashboards/{dashboard['id']}/widgets", json=MRR_WIDGET)

    assert str(MAX_WIDGETS_PER_DASHBOARD) in assert_error(response, 409, "Conflict")["message"]
    assert len(widget_items(tenant, dashboard["id"])) == 1


def test_writes_are_audited(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    widget = add_widget(tenant, dashboard["id"])
    path = f"/dashboards/{dashboard['id']}/widgets/{widget['id']}"
    assert tenant.patch(path, json={"visible": False, "title": "x"}).status_code == 200
    assert tenant.delete(path).status_code == 204

    entries = audit.list_entries(tenant.workspace_id, tenant.project_id, 0, now_ms())

    mine = [(e["action"], e["metadata"]) for e in entries if e["resourceId"] == widget["id"]]
    assert sorted(mine, key=lambda m: m[0]) == [
        (
            "widget_created",
            {"widgetTitle": widget["title"], "dashboardId": dashboard["id"], "type": "metric"},
        ),
        ("widget_deleted", {"dashboardId": dashboard["id"]}),
        ("widget_updated", {"dashboardId": dashboard["id"], "fields": ["title", "visible"]}),
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"type": "gauge"}, "type"),
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"position": {"x": -1, "y": 0, "w": 3, "h": 2}}, "position.x"),
        ({"position": {"x": 0, "y": 0, "w": 0, "h": 2}}, "position.w"),
        ({"position": {"x": 0, "y": 0, "w": 3, "h": 10**12}}, "position.h"),
        ({"position": {"x": 1.5, "y": 0, "w": 3, "h": 2}}, "position.x"),
        ({"position": {"x": "1", "y": 0, "w": 3, "h": 2}}, "position.x"),
        ({"position": {"x": 0, "y": 0, "w": 3}}, "position.h"),
        ({"position": {"x": 0, "y": 0, "w": 3, "h": 2, "z": 1}}, "position.z"),
        ({"position": [0, 0, 3, 2]}, "position"),
        ({"visible": "true"}, "visible"),
        ({"config": "stripe_mrr"}, "config"),
        ({"config": {"v": 10**30}}, "config"),
        ({"config": {"a": {"b": {"c": {"d": {"e": {"f": {}}}}}}}}, "config"),
        ({"config": {"list": list(range(101))}}, "config"),
        ({"config": {"s": "x" * 2001}}, "config"),
        ({"config": {f"k{i}": "x" * 1000 for i in range(17)}}, "config"),
        ({"config": {"": 1}}, "config"),
        # an insight tile's settings: what it could not compute is refused, not stored
        ({"config": {"metricId": None}}, "config.metricId"),
        ({"config": {"metricId": []}}, "config.metricId"),
        ({"config": {"metricId": -5}}, "config.metricId"),
        ({"config": {"metricId": ""}}, "config.metricId"),
        ({"config": {"metricId": "mrr\x1b[31m"}}, "config.metricId"),
        ({"config": {"metricId": "m" * 129}}, "config.metricId"),
        ({"config": {"timeRange": True}}, "config.timeRange"),
        ({"config": {"timeRange": []}}, "config.timeRange"),
        ({"config": {"timeRange": "2026-02-30"}}, "config.timeRange"),
        ({"config": {"timeRange": "0d"}}, "config.timeRange"),
        ({"config": {"timeRange": 30}}, "config.timeRange"),
        ({"config": {"interval": "minute"}}, "config.interval"),
        ({"config": {"interval": None}}, "config.interval"),
        ({"config": {"aggregation": "median"}}, "config.aggregation"),
        ({"config": {"aggregation": 1}}, "config.aggregation"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_widget_bodies_are_400(
    tenant: Tenant, dashboard: dict[str, Any], body: dict[str, Any], field: str
) -> None:
    widget = add_widget(tenant, dashboard["id"])

    created = tenant.post(f"/dashboards/{dashboard['id']}/widgets", json={**MRR_WIDGET, **body})
    patched = tenant.patch(f"/dashboards/{dashboard['id']}/widgets/{widget['id']}", json=body)

    assert field in assert_error(created, 400, "Bad Request")["details"]
    assert field in assert_error(patched, 400, "Bad Request")["details"]
    assert [(i["id"], i["title"], i["updatedAt"]) for i in widget_items(tenant, dashboard["id"])] == [
        (widget["id"], "MRR", widget["updatedAt"])
    ]
    assert tenant.get(f"/dashboards/{dashboard['id']}").json()["data"]["widgets"] == [widget]


@pytest.mark.parametrize("widget_type", ["metric", "text"])
def test_every_tile_setting_is_accepted_on_any_widget_type(
    tenant: Tenant, dashboard: dict[str, Any], widget_type: str
) -> None:
    """The settings hold whatever the type: a PATCH may turn a text tile into a metric tile."""
    config = {"metricId": "a.b:c-d_9", "timeRange": "9999y", "interval": "hour", "aggregation": "latest"}
    widget = add_widget(tenant, dashboard["id"], type=widget_type, config=config)
    assert widget["config"] == config
    assert tenant.get(f"/dashboards/{dashboard['id']}").json()["data"]["widgets"] == [widget]


def test_patch_needs_a_field_and_refuses_nulls(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    widget = add_widget(tenant, dashboard["id"])
    path = f"/dashboards/{dashboard['id']}/widgets/{widget['id']}"

    assert "body" in assert_error(tenant.patch(path, json={}), 400)["details"]
    for field in ("config", "position", "visible", "type"):
        assert field in assert_error(tenant.patch(path, json={field: None}), 400)["details"]
    assert_error(tenant.patch(path, data="{oops", headers={"Content-Type": "application/json"}), 400)
    assert tenant.get(f"/dashboards/{dashboard['id']}").json()["data"]["widgets"] == [widget]


def test_create_needs_type_and_title(tenant: Tenant, dashboard: dict[str, Any]) -> None:
    for missing in ("type", "title"):
        body = {k: v for k, v in MRR_WIDGET.items() if k != missing}
        response = tenant.post(f"/dashboards/{dashboard['id']}/widgets", json=body)
        assert missing in assert_error(response, 400)["details"]
    assert widget_items(tenant, dashboard["id"]) == []
