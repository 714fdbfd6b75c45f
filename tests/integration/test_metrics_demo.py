"""The local demo's metrics load through the real write path and read back as documented."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from tallyboard_local import demo_metrics
from tests.conftest import Tenant


def test_demo_metrics_read_back(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant("scale")
    demo_metrics.seed(tenant.workspace_id, tenant.project_id)
    expected = demo_metrics.points()
    last_mrr = [p for p in expected if p["metricId"] == "stripe_mrr"][-1]

    listed = tenant.get(
        "/metrics", params={"projectId": tenant.project_id, "metricIds": "stripe_mrr", "limit": 1}
    )
    assert listed.status_code == 200
    (newest,) = listed.json()["data"]
    assert newest["service"] == "stripe" and newest["connectionId"] == "conn_demo_stripe"
    assert newest["value"] == last_mrr["value"] and newest["unit"] == "USD"
    assert listed.json()["pagination"]["total"] == demo_metrics.DAYS

    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    window = {
        "projectId": tenant.project_id,
        "startDate": (today - timedelta(days=30)).isoformat(),
        "endDate": today.isoformat(),
    }
    mrr = tenant.get("/metrics/stripe_mrr/timeseries", params={**window, "interval": "week"}).json()
    assert mrr["metric"] == {
        "id": "stripe_mrr",
        "name": "Monthly Recurring Revenue",
        "unit": "USD",
        "service": "stripe",
    }
    assert mrr["data"][-1]["value"] == last_mrr["value"]  # a gauge reads as its last value
    commits = tenant.get("/metrics/github_commits/timeseries", params={**window, "interval": "month"}).json()
    assert commits["metric"]["service"] == "github"
    total = sum(p["value"] for p in commits["data"])
    month_starts = {datetime.fromtimestamp(p["timestamp"] / 1000, UTC) for p in commits["data"]}
    first = min(month_starts)
    assert total == sum(
        p["value"]
        for p in expected
        if p["metricId"] == "github_commits" and p["timestamp"] >= int(first.timestamp() * 1000)
    )
