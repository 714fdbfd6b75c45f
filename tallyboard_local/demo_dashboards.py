"""Demo connections and dashboards for the local server, created through the logic layer (the
same validation, encryption and audit as the API). The connection ids are fixed because the
demo metrics refer to them. The dashboards carry tags and a data colour theme; Payments also has
a custom_sales insight tile and a text tile, so run_insights, snapshot → the documented
custom_sales push → analyze_refresh_result, and stream_tiles show real figures."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.logic import connections, themes
from tallyboard.logic.dashboards import dashboards, widgets
from tallyboard.logic.dashboards import updates as dashboard_updates
from tallyboard.models.connections import CreateConnectionRequest
from tallyboard.models.dashboards.dashboards import CreateDashboardRequest
from tallyboard.models.dashboards.updates import UpdateDashboardRequest
from tallyboard.models.dashboards.widgets import CreateWidgetRequest
from tallyboard.models.themes import CreateThemeRequest
from tallyboard.plans import get_plan

STRIPE_CONNECTION_ID = "conn_demo_stripe"
GITHUB_CONNECTION_ID = "conn_demo_github"

CONNECTIONS: list[tuple[str, dict[str, Any]]] = [
    (
        STRIPE_CONNECTION_ID,
        {
            "service": "stripe",
            "category": "payment",
            "authType": "api_key",
            "credentials": {"apiKey": "sk_test_demo_only_not_a_real_key"},
            "accountInfo": {"accountName": "Demo Agency", "accountId": "acct_demo", "currency": "USD"},
        },
    ),
    (
        GITHUB_CONNECTION_ID,
        {
            "service": "github",
            "category": "development",
            "authType": "oauth2",
            "credentials": {"accessToken": "gho_demo_only_not_a_real_token"},
            "accountInfo": {"login": "demo-agency", "repositories": ["website", "api"]},
        },
    ),
]

MRR_WIDGET: dict[str, Any] = {
    "type": "metric",
    "title": "MRR",
    "position": {"x": 0, "y": 0, "w": 3, "h": 2},
    "config": {"metricId": "stripe_mrr", "connectionId": STRIPE_CONNECTION_ID, "timeRange": "30d"},
}
REVENUE_WIDGET: dict[str, Any] = {
    "type": "chart",
    "title": "Revenue Trend",
    "position": {"x": 3, "y": 0, "w": 6, "h": 3},
    "config": {
        "metricId": "stripe_revenue",
        "connectionId": STRIPE_CONNECTION_ID,
        "chartType": "line",
        "timeRange": "90d",
        "aggregation": "sum",
    },
}
COMMITS_WIDGET: dict[str, Any] = {
    "type": "metric",
    "title": "Commits",
    "position": {"x": 9, "y": 0, "w": 3, "h": 2},
    "config": {"metricId": "github_commits", "connectionId": GITHUB_CONNECTION_ID, "timeRange": "30d"},
}

# Pushed by the seed's documented example (POST /metrics/custom, custom_sales): no point until then.
SALES_WIDGET: dict[str, Any] = {
    "type": "metric",
    "title": "Custom Sales",
    "position": {"x": 9, "y": 0, "w": 3, "h": 2},
    "config": {"metricId": "custom_sales", "timeRange": "30d", "aggregation": "sum"},
}
NOTE_WIDGET: dict[str, Any] = {
    "type": "text",
    "title": "How to read this dashboard",
    "position": {"x": 0, "y": 5, "w": 12, "h": 2},
    "config": {
        "body": "MRR is the latest value; revenue and sales are 30-day totals. Take a snapshot, push a "
        "custom_sales point, then analyze_refresh_result shows what moved."
    },
}
THEME: dict[str, Any] = {
    "name": "Tallyboard",
    "colors": ["#1d4ed8", "#f97316", "#16a34a", "#db2777", "#7c3aed", "#0891b2"],
}

DASHBOARDS: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [
    (
        {
            "name": "Executive Summary",
            "type": "custom",
            "description": "The numbers the team looks at daily",
            "tags": ["executive", "daily"],
        },
        [MRR_WIDGET, REVENUE_WIDGET, COMMITS_WIDGET],
    ),
    (
        {
            "name": "Payments",
            "type": "category",
            "category": "payment",
            "isDefault": True,
            "tags": ["payments"],
        },
        [
            MRR_WIDGET,
            {**REVENUE_WIDGET, "position": {"x": 0, "y": 2, "w": 9, "h": 3}},
            SALES_WIDGET,
            NOTE_WIDGET,
        ],
    ),
]


def _owner(workspace_id: str, project_id: str, user_id: str) -> Caller:
    return Caller(
        workspace_id=workspace_id,
        user_id=user_id,
        key_id="demo-seed",
        role="owner",
        scopes=(),
        project_ids=(project_id,),
        plan=get_plan("scale"),
        rate_limit=0,
        user_agent="tallyboard-local demo seed",
    )


def seed(workspace_id: str, project_id: str, user_id: str) -> None:
    """Two connections (stripe, github), a data colour theme, and two tagged dashboards with
    widgets in that theme, in the given project."""
    caller = _owner(workspace_id, project_id, user_id)
    for connection_id, body in CONNECTIONS:
        request = CreateConnectionRequest.model_validate({"projectId": project_id, **body})
        connections.create(caller, request, connection_id=connection_id)
    theme_id = themes.create(caller, project_id, CreateThemeRequest.model_validate(THEME)).data.id
    for dashboard_body, widget_bodies in DASHBOARDS:
        request = CreateDashboardRequest.model_validate({"projectId": project_id, **dashboard_body})
        dashboard_id = dashboards.create(caller, request).data.id
        for widget_body in widget_bodies:
            widgets.create(caller, dashboard_id, CreateWidgetRequest.model_validate(widget_body))
        theme = UpdateDashboardRequest.model_validate({"data_color_theme_id": theme_id})
        dashboard_updates.update(caller, dashboard_id, theme)
