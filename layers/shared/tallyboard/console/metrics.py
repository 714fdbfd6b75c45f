"""The metric explorer: a metric, range, interval and aggregation → a chart and its table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client._errors import TallyboardError

from tallyboard.console import render
from tallyboard.console.routing import Context, check_key, first_project, signed_in

RANGES = {"24h": 1, "7d": 7, "30d": 30, "90d": 90}
INTERVALS = ("hour", "day", "week", "month")
AGGREGATIONS = ("", "sum", "avg", "min", "max", "count", "last")


def choice_of(params: Any) -> dict[str, str]:
    """The explorer's choice from the query string; anything unknown is the default."""
    return {
        "metric": params.get("metric", "").strip(),
        "range": params.get("range") if params.get("range") in RANGES else "30d",
        "interval": params.get("interval") if params.get("interval") in INTERVALS else "day",
        "aggregation": params.get("aggregation") if params.get("aggregation") in AGGREGATIONS else "",
    }


def explorer_body(base: str, choice: dict[str, str], series: dict[str, Any] | None) -> str:
    form = (
        f'<form method="get" action="{base}/console/metrics" class="explorer">'
        '<label for="metric">Metric id</label>'
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
    return form + result


async def explorer(page: Context) -> Response:
    choice = choice_of(page.request.query_params)
    series = None
    if not choice["metric"]:
        check_key(page.client)
    else:
        end = datetime.now(UTC).replace(microsecond=0)
        start = end - timedelta(days=RANGES[choice["range"]])
        try:
            series = page.client.call(
                "metrics.timeseries",
                unwrap=False,
                path={"metricId": choice["metric"]},
                query={
                    "projectId": first_project(page.client),
                    "startDate": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "endDate": end.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "interval": choice["interval"],
                    "aggregation": choice["aggregation"] or None,
                },
            )
        except TallyboardError as failure:  # an unknown metric: 404 under the form
            return page.failure("Metric explorer", failure, explorer_body(page.base, choice, None))
    return page.page("Metric explorer", explorer_body(page.base, choice, series))


ROUTES = [Route("/console/metrics", signed_in(explorer))]
