"""The examples of the analytics source document, run as written against the local server.

The curl commands are the document's text, run by a shell, changed only in the base URL, the
key, the project id and (for GET /dashboards/{id}) the dashboard id, which the API generates.
A `.curlrc` in a private HOME adds only `--silent` and a trailing status-code line, so each
command line stays exactly as documented. The Python `get_metrics` example is executed as
written, with the same substitutions. Responses are checked against the documented examples'
shapes (the same keys with the same JSON types) and, where the demo data fixes them, values."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tallyboard_local import demo_dashboards
from tests.conftest import Tenant

DOC_BASE_URL = "https://api.dashtray.com/v1"
DOC_KEYS = ("pp_your_api_key_here", "pp_your_api_key")  # longest first: one is a prefix of the other
DOC_PROJECT = "proj_123"
DOC_DASHBOARD = "dash_abc123"

# ---------------------------------------------------------------- the document's examples, verbatim

CURL_OVERVIEW = """\
curl -H "Authorization: Bearer pp_your_api_key_here" \\
  https://api.dashtray.com/v1/metrics
"""
CURL_GET_METRICS = """\
curl -H "Authorization: Bearer pp_your_api_key" \\
  "https://api.dashtray.com/v1/metrics?projectId=proj_123&metricIds=stripe_mrr,github_commits&startDate=2024-01-01T00:00:00Z&limit=100"
"""
CURL_TIMESERIES = """\
curl -H "Authorization: Bearer pp_your_api_key" \\
  "https://api.dashtray.com/v1/metrics/stripe_mrr/timeseries?projectId=proj_123&startDate=2024-01-01T00:00:00Z&endDate=2024-01-31T23:59:59Z&interval=day"
"""
CURL_DASHBOARDS = """\
curl -H "Authorization: Bearer pp_your_api_key" \\
  "https://api.dashtray.com/v1/dashboards?projectId=proj_123"
"""
CURL_DASHBOARD = """\
curl -H "Authorization: Bearer pp_your_api_key" \\
  "https://api.dashtray.com/v1/dashboards/dash_abc123"
"""
CURL_PUSH_CUSTOM = """\
curl -X POST \\
  -H "Authorization: Bearer pp_your_api_key" \\
  -H "Content-Type: application/json" \\
  -d '{
    "projectId": "proj_123",
    "metricId": "custom_sales",
    "value": 5000,
    "timestamp": 1704067200000,
    "unit": "USD"
  }' \\
  https://api.dashtray.com/v1/metrics/custom
"""
CURL_SECTION_GET_METRICS = """\
# Get metrics
curl -H "Authorization: Bearer pp_your_api_key" \\
  "https://api.dashtray.com/v1/metrics?projectId=proj_123&limit=100"
"""
CURL_SECTION_TIMESERIES = """\
# Get time series
curl -H "Authorization: Bearer pp_your_api_key" \\
  "https://api.dashtray.com/v1/metrics/stripe_mrr/timeseries?projectId=proj_123&startDate=2024-01-01T00:00:00Z&endDate=2024-01-31T23:59:59Z"
"""
CURL_SECTION_PUSH = """\
# Push custom metric
curl -X POST \\
  -H "Authorization: Bearer pp_your_api_key" \\
  -H "Content-Type: application/json" \\
  -d '{"projectId":"proj_123","metricId":"custom_sales","value":5000}' \\
  https://api.dashtray.com/v1/metrics/custom
"""
PYTHON_GET_METRICS = """\
import requests

API_KEY = 'pp_your_api_key'
BASE_URL = 'https://api.dashtray.com/v1'

def get_metrics(project_id):
    headers = {
        'Authorization': f'Bearer {API_KEY}'
    }
    params = {
        'projectId': project_id,
        'limit': 100
    }

    response = requests.get(f'{BASE_URL}/metrics', headers=headers, params=params)

    if response.status_code == 200:
        print('Metrics:', response.json())
        return response.json()
    else:
        print('Error:', response.json())

get_metrics('proj_123')
"""

# ---------------------------------------------------------------- the documented example responses

METRICS_EXAMPLE: dict[str, Any] = {
    "data": [
        {
            "id": "metric_abc123",
            "projectId": "proj_123",
            "connectionId": "conn_456",
            "service": "stripe",
            "metricId": "stripe_mrr",
            "metricName": "Monthly Recurring Revenue",
            "value": 15000,
            "unit": "USD",
            "timestamp": 1704067200000,
            "metadata": {"currency": "USD", "subscriptionCount": 150},
            "createdAt": 1704067200000,
        }
    ],
    "pagination": {"total": 250, "limit": 100, "offset": 0, "hasMore": True},
}
TIMESERIES_EXAMPLE: dict[str, Any] = {
    "data": [{"timestamp": 1704067200000, "value": 14500}],
    "metric": {"id": "stripe_mrr", "name": "Monthly Recurring Revenue", "unit": "USD", "service": "stripe"},
    "interval": "day",
    "startDate": "2024-01-01T00:00:00Z",
    "endDate": "2024-01-31T23:59:59Z",
}
DASHBOARDS_EXAMPLE: list[dict[str, Any]] = [
    {
        "id": "dash_abc123",
        "projectId": "proj_123",
        "name": "Executive Summary",
        "slug": "executive-summary",
        "type": "custom",
        "isDefault": False,
        "createdBy": "user_456",
        "createdAt": 1704067200000,
        "updatedAt": 1704067200000,
    },
    {
        "id": "dash_def456",
        "projectId": "proj_123",
        "name": "Payments",
        "slug": "payments",
        "type": "category",
        "category": "payment",
        "isDefault": True,
        "createdBy": "user_456",
        "createdAt": 1704067200000,
        "updatedAt": 1704067200000,
    },
]
WIDGETS_EXAMPLE: list[dict[str, Any]] = [
    {
        "id": "widget_123",
        "dashboardId": "dash_abc123",
        "type": "metric",
        "title": "MRR",
        "position": {"x": 0, "y": 0, "w": 3, "h": 2},
        "visible": True,
        "config": {"metricId": "stripe_mrr", "connectionId": "conn_456", "timeRange": "30d"},
        "createdAt": 1704067200000,
        "updatedAt": 1704067200000,
    },
    {
        "id": "widget_456",
        "dashboardId": "dash_abc123",
        "type": "chart",
        "title": "Revenue Trend",
        "position": {"x": 3, "y": 0, "w": 6, "h": 3},
        "visible": True,
        "config": {
            "metricId": "stripe_revenue",
            "connectionId": "conn_456",
            "chartType": "line",
            "timeRange": "90d",
            "aggregation": "sum",
        },
        "createdAt": 1704067200000,
        "updatedAt": 1704067200000,
    },
]
PUSH_EXAMPLE: dict[str, Any] = {
    "success": True,
    "metricId": "metric_xyz789",
    "message": "Custom metric created successfully",
}
# A custom metric has no connection and may have no unit: these may be null where the example has a value.
NULLABLE = {"connectionId", "unit"}
# Free-form objects: the example's keys are illustrations, not a schema.
FREE_FORM = {"metadata"}
# Values that name ids, times or amounts differ by nature; these keys must match exactly.
SAME_VALUES = ("name", "slug", "type", "category", "isDefault", "title", "position", "visible", "interval")


def assert_same_shape(actual: Any, example: Any, where: str = "$") -> None:
    """`actual` has every key of `example`, with values of the same JSON type, recursively."""
    if isinstance(example, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in example.items():
            assert key in actual, f"{where}: missing {key!r} in {sorted(actual)}"
            if key in FREE_FORM:
                assert isinstance(actual[key], dict), f"{where}.{key}: {actual[key]!r}"
            elif not (key in NULLABLE and actual[key] is None):
                assert_same_shape(actual[key], value, f"{where}.{key}")
    elif isinstance(example, list):
        assert isinstance(actual, list), f"{where}: expected a list, got {actual!r}"
        if example:
            for index, item in enumerate(actual):
                assert_same_shape(item, example[0], f"{where}[{index}]")
    elif isinstance(example, bool):
        assert isinstance(actual, bool), f"{where}: expected a boolean, got {actual!r}"
    elif isinstance(example, int | float):
        assert isinstance(actual, int | float) and not isinstance(actual, bool), f"{where}: {actual!r}"
    else:
        assert isinstance(actual, type(example)), (
            f"{where}: expected {type(example).__name__}, got {actual!r}"
        )


def assert_same_values(actual: dict[str, Any], example: dict[str, Any]) -> None:
    for key in SAME_VALUES:
        if key in example:
            assert actual.get(key) == example[key], f"{key}: {actual.get(key)!r} != {example[key]!r}"


# ---------------------------------------------------------------- running the examples


def adapt(text: str, tenant: Tenant, **ids: str) -> str:
    text = text.replace(DOC_BASE_URL, tenant.base_url)
    for key in DOC_KEYS:
        text = text.replace(key, tenant.api_key)
    text = text.replace(DOC_PROJECT, tenant.project_id)
    for documented, real in ids.items():
        text = text.replace(documented, real)
    return text


@pytest.fixture
def curl_home(tmp_path: Path) -> Path:
    # Only output options: quiet progress, and the status code on a last line of its own.
    (tmp_path / ".curlrc").write_text('silent\nshow-error\nwrite-out = "\\n%{http_code}"\n')
    return tmp_path


@pytest.fixture
def run_curl(curl_home: Path) -> Callable[..., tuple[int, Any]]:
    def run(command: str, tenant: Tenant, **ids: str) -> tuple[int, Any]:
        script = adapt(command, tenant, **ids)
        completed = subprocess.run(
            ["bash", "-c", script],
            capture_output=True,
            text=True,
            timeout=60,
            env={"HOME": str(curl_home), "PATH": "/usr/bin:/bin"},
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        body, _, status = completed.stdout.rpartition("\n")
        return int(status), json.loads(body)

    return run


@pytest.fixture
def dashboards_demo(tenant: Tenant) -> Tenant:
    demo_dashboards.seed(tenant.workspace_id, tenant.project_id, tenant.user_id)
    return tenant


@pytest.fixture(scope="module")
def metrics_demo(make_tenant: Callable[..., Tenant]) -> Tenant:
    """One project for the metrics examples: the demo connections and dashboards, and the demo's
    daily metric points for January 2024 (the month the documented queries ask for)."""
    from tallyboard.logic import metrics
    from tallyboard_local import demo_metrics

    tenant = make_tenant("scale")
    demo_dashboards.seed(tenant.workspace_id, tenant.project_id, tenant.user_id)
    january = demo_metrics.points(today=datetime(2024, 2, 1, tzinfo=UTC), days=31)
    metrics.record_points(tenant.workspace_id, tenant.project_id, january)
    return tenant


# ---------------------------------------------------------------- dashboards


def test_curl_get_dashboards(dashboards_demo: Tenant, run_curl: Callable[..., tuple[int, Any]]) -> None:
    status, body = run_curl(CURL_DASHBOARDS, dashboards_demo)

    assert status == 200, body
    assert set(body) == {"data", "pagination"}  # the document's shape, with the paging every list has
    executive, payments = body["data"]
    for actual, example in ((executive, DASHBOARDS_EXAMPLE[0]), (payments, DASHBOARDS_EXAMPLE[1])):
        assert_same_shape(actual, example)
        assert_same_values(actual, example)
        assert actual["id"].startswith("dash_")
        assert actual["projectId"] == dashboards_demo.project_id
        assert actual["createdBy"] == dashboards_demo.user_id
    assert "category" not in executive


def test_curl_get_dashboard_with_widgets(
    dashboards_demo: Tenant, run_curl: Callable[..., tuple[int, Any]]
) -> None:
    listed = dashboards_demo.get("/dashboards", params={"projectId": dashboards_demo.project_id}).json()
    executive_id = listed["data"][0]["id"]

    status, body = run_curl(CURL_DASHBOARD, dashboards_demo, **{DOC_DASHBOARD: executive_id})

    assert status == 200, body
    assert set(body) == {"data"}
    dashboard = body["data"]
    assert_same_shape(dashboard, {**DASHBOARDS_EXAMPLE[0], "widgets": WIDGETS_EXAMPLE})
    assert_same_values(dashboard, DASHBOARDS_EXAMPLE[0])
    assert dashboard["id"] == executive_id
    mrr, revenue = dashboard["widgets"][:2]
    for actual, example in ((mrr, WIDGETS_EXAMPLE[0]), (revenue, WIDGETS_EXAMPLE[1])):
        assert_same_values(actual, example)
        assert actual["id"].startswith("widget_") and actual["dashboardId"] == executive_id
        assert actual["config"] == {**example["config"], "connectionId": "conn_demo_stripe"}


def test_curl_get_missing_dashboard_is_the_documented_404(
    dashboards_demo: Tenant, run_curl: Callable[..., tuple[int, Any]]
) -> None:
    status, body = run_curl(CURL_DASHBOARD, dashboards_demo)  # dash_abc123 exists nowhere

    assert status == 404
    assert body == {"error": "Not Found", "message": "Dashboard not found"}


# ---------------------------------------------------------------- metrics


def test_curl_overview_example_with_a_project_key(
    metrics_demo: Tenant, run_curl: Callable[..., tuple[int, Any]]
) -> None:
    # The overview sends no projectId: a key bound to exactly one project may omit it.
    project_key = metrics_demo.create_key("viewer", projectIds=[metrics_demo.project_id])

    status, body = run_curl(CURL_OVERVIEW, project_key)

    assert status == 200, body
    assert_same_shape(body, METRICS_EXAMPLE)
    assert body["data"], "the demo project has metrics"


def test_curl_get_metrics(metrics_demo: Tenant, run_curl: Callable[..., tuple[int, Any]]) -> None:
    status, body = run_curl(CURL_GET_METRICS, metrics_demo)

    assert status == 200, body
    assert_same_shape(body, METRICS_EXAMPLE)
    assert body["data"] and {m["metricId"] for m in body["data"]} <= {"stripe_mrr", "github_commits"}
    assert body["pagination"]["limit"] == 100 and body["pagination"]["offset"] == 0
    timestamps = [m["timestamp"] for m in body["data"]]
    assert timestamps == sorted(timestamps, reverse=True)  # newest first
    assert all(m["projectId"] == metrics_demo.project_id for m in body["data"])


@pytest.mark.parametrize(
    "command", [CURL_TIMESERIES, CURL_SECTION_TIMESERIES], ids=["with-interval", "default"]
)
def test_curl_get_timeseries(
    metrics_demo: Tenant, run_curl: Callable[..., tuple[int, Any]], command: str
) -> None:
    status, body = run_curl(command, metrics_demo)

    assert status == 200, body
    assert_same_shape(body, TIMESERIES_EXAMPLE)
    assert body["metric"]["id"] == "stripe_mrr"
    assert (body["metric"]["unit"], body["metric"]["service"]) == ("USD", "stripe")
    assert body["interval"] == "day"
    assert (body["startDate"], body["endDate"]) == ("2024-01-01T00:00:00Z", "2024-01-31T23:59:59Z")
    days = [point["timestamp"] for point in body["data"]]
    assert days == [1704067200000 + day * 86_400_000 for day in range(31)]  # one bucket per UTC day


@pytest.mark.parametrize(
    "command", [CURL_PUSH_CUSTOM, CURL_SECTION_PUSH], ids=["endpoint-section", "curl-section"]
)
def test_curl_push_custom_metric(
    metrics_demo: Tenant, run_curl: Callable[..., tuple[int, Any]], command: str
) -> None:
    status, body = run_curl(command, metrics_demo)

    assert status == 201, body
    assert_same_shape(body, PUSH_EXAMPLE)
    assert body["success"] is True and body["metricId"]
    listed = metrics_demo.get(
        "/metrics", params={"projectId": metrics_demo.project_id, "metricIds": "custom_sales"}
    ).json()["data"]
    assert (body["metricId"], "custom_sales", 5000) in [(m["id"], m["metricId"], m["value"]) for m in listed]


def test_curl_section_get_metrics(metrics_demo: Tenant, run_curl: Callable[..., tuple[int, Any]]) -> None:
    status, body = run_curl(CURL_SECTION_GET_METRICS, metrics_demo)

    assert status == 200, body
    assert_same_shape(body, METRICS_EXAMPLE)
    assert body["data"] and body["pagination"]["limit"] == 100


def test_python_get_metrics_example(metrics_demo: Tenant, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, Any] = {}
    exec(compile(adapt(PYTHON_GET_METRICS, metrics_demo), "seed-000-python-example", "exec"), namespace)  # noqa: S102

    printed = capsys.readouterr().out
    assert printed.startswith("Metrics: {"), printed
    result = namespace["get_metrics"](metrics_demo.project_id)
    assert_same_shape(result, METRICS_EXAMPLE)
    assert result["data"] and result["pagination"]["limit"] == 100
