"""The metric explorer: a metric, range, interval and aggregation → a chart, its table and a CSV
of the same series."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import urlencode

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client import Tallyboard
from tallyboard_client._errors import TallyboardError

from tallyboard.console import render
from tallyboard.console.routing import SECURITY_HEADERS, Context, chosen_project, signed_in, visible_projects

RANGES = {"24h": 1, "7d": 7, "30d": 30, "90d": 90}
INTERVALS = ("hour", "day", "week", "month")
AGGREGATIONS = ("", "sum", "avg", "min", "max", "count", "last")


def choice_of(params: Any, projects: list[dict[str, Any]]) -> dict[str, str]:
    """The explorer's choice from the query string; anything unknown is the default (the first
    project the key sees; none for a key bound to one)."""
    return {
        "project": chosen_project(projects, params.get("project")) or "",
        "metric": params.get("metric", "").strip(),
        "range": params.get("range") if params.get("range") in RANGES else "30d",
        "interval": params.get("interval") if params.get("interval") in INTERVALS else "day",
        "aggregation": params.get("aggregation") if params.get("aggregation") in AGGREGATIONS else "",
    }


def explorer_body(
    base: str, choice: dict[str, str], series: dict[str, Any] | None, projects: list[dict[str, Any]]
) -> str:
    form = (
        f'<form method="get" action="{base}/console/metrics" class="explorer">'
        + render.project_select(projects, choice["project"])
        + '<label for="metric">Metric id</label>'
        f'<input id="metric" name="metric" value="{escape(choice["metric"])}" required>'
        + render.select("range", "Range", RANGES, choice["range"])
        + render.select("interval", "Interval", INTERVALS, choice["interval"])
        + render.select("aggregation", "Aggregation", AGGREGATIONS, choice["aggregation"], {"": "natural"})
        + '<button type="submit">Show</button></form>'
    )
    result = ""
    if series is not None:
        points = series.get("data") or []
        title = f"{choice['metric']} by {series.get('interval') or choice['interval']}"
        figure = render.chart("explorer", title, points) + render.data_table(title, points)
        result += f'<div class="figure">{figure}</div>'
        query = urlencode({k: v for k, v in choice.items() if v})
        href = f"{base}/console/metrics.csv?{escape(query)}"
        result += f'<p class="csv"><a href="{href}">CSV of {escape(title)}</a></p>'
    return form + result


def read_series(client: Tallyboard, choice: dict[str, str]) -> dict[str, Any]:
    """metrics.timeseries for the choice, the range ending now."""
    end = datetime.now(UTC).replace(microsecond=0)
    start = end - timedelta(days=RANGES[choice["range"]])
    answer: dict[str, Any] = client.call(
        "metrics.timeseries",
        unwrap=False,
        path={"metricId": choice["metric"]},
        query={
            "projectId": choice["project"] or None,
            "startDate": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "endDate": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "interval": choice["interval"],
            "aggregation": choice["aggregation"] or None,
        },
    )
    return answer


def csv_rows(points: list[dict[str, Any]]) -> list[list[Any]]:
    """timestamp (ISO 8601 UTC) and value per bucket."""
    return [
        [datetime.fromtimestamp(int(p["timestamp"]) / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"), p["value"]]
        for p in points
    ]


async def explorer(page: Context) -> Response:
    projects = visible_projects(page.client)  # also what signs a revoked key out (401)
    choice = choice_of(page.request.query_params, projects)
    series = None
    if choice["metric"]:
        try:
            series = read_series(page.client, choice)
        except TallyboardError as failure:  # an unknown metric: 404 under the form
            return page.failure("Metric explorer", failure, explorer_body(page.base, choice, None, projects))
    return page.page("Metric explorer", explorer_body(page.base, choice, series, projects))


async def explorer_csv(page: Context) -> Response:
    """The explorer's series as CSV (the same choice, read again: the range ends now)."""
    choice = choice_of(page.request.query_params, visible_projects(page.client))
    if not choice["metric"]:
        return page.page("Metric CSV", render.alert("Name a metric."), status=400)
    try:
        series = read_series(page.client, choice)
    except TallyboardError as failure:
        return page.failure("Metric CSV", failure)
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{choice['metric']}-{choice['range']}-{choice['interval']}")
    return Response(
        render.csv_text(("timestamp", "value"), csv_rows(series.get("data") or [])),
        media_type="text/csv; charset=utf-8",
        headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name[:100]}.csv"'},
    )


ROUTES = [
    Route("/console/metrics", signed_in(explorer)),
    Route("/console/metrics.csv", signed_in(explorer_csv)),
]
