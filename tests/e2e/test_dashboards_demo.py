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
    assert [w["title"] for w in payments["widgets"]] == ["MRR", "Revenue Trend"]
