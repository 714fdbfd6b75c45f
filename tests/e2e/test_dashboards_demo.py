"""The local demo's connections and dashboards, as a client sees them."""

from __future__ import annotations

from tallyboard.logic import connections
from tallyboard_local import demo_dashboards
from tests.conftest import Tenant


def test_demo_seed_creates_the_documented_dashboards(tenant: Tenant) -> None:
    demo_dashboards.seed(tenant.workspace_id, tenant.project_id, tenant.user_id)

    listed = tenant.get("/connections", params={"projectId": tenant.project_id}).json()["data"]
    assert [(c["id"], c["service"], c["category"]) for c in listed] == [
        ("conn_demo_stripe", "stripe", "payment"),
        ("conn_demo_github", "github", "development"),
    ]
    assert "sk_test_demo" not in str(listed)
    assert connections.credentials_of(tenant.workspace_id, "conn_demo_stripe") == {
        "apiKey": "sk_test_demo_only_not_a_real_key"
    }

    boards = tenant.get("/dashboards", params={"projectId": tenant.project_id}).json()["data"]
    assert [(d["name"], d["slug"], d["type"], d.get("category"), d["isDefault"]) for d in boards] == [
        ("Executive Summary", "executive-summary", "custom", None, False),
        ("Payments", "payments", "category", "payment", True),
    ]
    assert all(d["createdBy"] == tenant.user_id for d in boards)

    summary = tenant.get(f"/dashboards/{boards[0]['id']}").json()["data"]
    mrr, revenue, commits = summary["widgets"]
    assert (mrr["type"], mrr["title"], mrr["position"]) == ("metric", "MRR", {"x": 0, "y": 0, "w": 3, "h": 2})
    assert mrr["config"] == {"metricId": "stripe_mrr", "connectionId": "conn_demo_stripe", "timeRange": "30d"}
    assert (revenue["type"], revenue["title"], revenue["config"]["metricId"]) == (
        "chart",
        "Revenue Trend",
        "stripe_revenue",
    )
    assert commits["config"]["connectionId"] == "conn_demo_github"
    payments = tenant.get(f"/dashboards/{boards[1]['id']}").json()["data"]
    assert [w["title"] for w in payments["widgets"]] == [
        "MRR",
        "Revenue Trend",
        "Custom Sales",
        "How to read this dashboard",
    ]
    sales, note = payments["widgets"][2:]
    assert (sales["type"], sales["config"]["metricId"]) == ("metric", "custom_sales")
    assert note["type"] == "text" and note["config"]["body"]
    (theme,) = tenant.get(f"/projects/{tenant.project_id}/data_color_themes").json()["data"]
    assert theme["name"] == "Tallyboard"
    assert [(d["tags"], d["data_color_theme_id"]) for d in (summary, payments)] == [
        (["executive", "daily"], theme["id"]),
        (["payments"], theme["id"]),
    ]


def test_demo_insights_show_real_figures_and_a_push_moves_them(tenant: Tenant) -> None:
    """The README's flow on the demo: run_insights, snapshot, the documented custom_sales push,
    analyze_refresh_result names the Custom Sales tile with the pushed value as its change."""
    from tallyboard.logic import metrics
    from tallyboard_local import demo_metrics

    demo_dashboards.seed(tenant.workspace_id, tenant.project_id, tenant.user_id)
    metrics.record_points(tenant.workspace_id, tenant.project_id, demo_metrics.points(days=40))
    payments = tenant.get("/dashboards", params={"projectId": tenant.project_id}).json()["data"][1]
    path = f"/dashboards/{payments['id']}"

    tiles = tenant.get(f"{path}/run_insights").json()["tiles"]
    assert [t["status"] for t in tiles] == ["ok", "ok", "metric_not_found", "text"]
    assert all(t["value"] > 0 and t["series"] for t in tiles[:2])
    key = tenant.post(f"{path}/snapshot").json()["cache_key"]
    pushed = tenant.post(
        "/metrics/custom",
        json={"projectId": tenant.project_id, "metricId": "custom_sales", "value": 5000, "unit": "USD"},
    )
    assert pushed.status_code == 201
    analysis = tenant.post(f"{path}/analyze_refresh_result", json={"cache_key": key}).json()
    changed = [
        (t["title"], t["direction"], t["after"]) for t in analysis["tiles"] if t["direction"] != "unchanged"
    ]
    assert changed == [("Custom Sales", "appeared", 5000)]
    assert "1 tile(s) now have data: Custom Sales." in analysis["summary"]
    again = tenant.post(f"{path}/snapshot").json()["cache_key"]
    tenant.post(
        "/metrics/custom", json={"projectId": tenant.project_id, "metricId": "custom_sales", "value": 500}
    )
    moved = tenant.post(f"{path}/analyze_refresh_result", json={"cache_key": again}).json()
    assert "Biggest mover: Custom Sales rose 10% (5,000 USD → 5,500 USD)." in moved["summary"]
