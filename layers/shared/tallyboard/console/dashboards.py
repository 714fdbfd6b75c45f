"""The dashboards list (search, pinned first) and a dashboard: its tiles laid out by `position`,
insight tiles drawn as charts with their tables, text tiles as text."""

from __future__ import annotations

from html import escape
from typing import Any

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client._errors import TallyboardError

from tallyboard.console import render
from tallyboard.console.routing import Context, project_ids, signed_in


def order_dashboards(dashboards: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """Matching the search (name, description, tags), pinned first, then by name."""
    needle = query.strip().lower()

    def matches(d: dict[str, Any]) -> bool:
        text = " ".join([d.get("name") or "", d.get("description") or "", *(d.get("tags") or [])])
        return needle in text.lower()

    found = [d for d in dashboards if not needle or matches(d)]
    return sorted(found, key=lambda d: (not d.get("pinned"), (d.get("name") or "").lower()))


def list_body(base: str, dashboards: list[dict[str, Any]], query: str) -> str:
    items = "".join(
        f'<li><a href="{base}/console/dashboards/{escape(d["id"])}">{escape(d.get("name") or d["id"])}</a>'
        + (' <span class="pin">pinned</span>' if d.get("pinned") else "")
        + "".join(f' <span class="tag">{escape(t)}</span>' for t in d.get("tags") or [])
        + "</li>"
        for d in dashboards
    )
    return (
        f'<form method="get" action="{base}/console/dashboards" role="search">'
        '<label for="q">Search dashboards</label>'
        f'<input id="q" name="q" type="search" value="{escape(query)}">'
        '<button type="submit">Search</button></form>'
        + (f'<ul class="dashboards">{items}</ul>' if items else "<p>No dashboards match.</p>")
    )


def _tile(index: int, widget: dict[str, Any], result: dict[str, Any] | None) -> str:
    position = widget.get("position") or {}
    x, w = int(position.get("x") or 0), int(position.get("w") or 6)
    classes = f"tile x-{min(max(x, 0), 11)} w-{min(max(w, 1), 12)}"
    title = escape(widget.get("title") or "Untitled")
    result = result or {}
    status = result.get("status")
    if status == "text" or widget.get("type") == "text":
        text = result.get("text") or (widget.get("config") or {}).get("body") or ""
        inner = f'<p class="text">{escape(str(text))}</p>'
    elif status == "ok":
        series = result.get("series") or []
        unit = ((result.get("metric") or {}).get("unit")) or ""
        inner = (
            f'<p class="value">{escape(render.number(result.get("value")))} {escape(unit)}'
            f' <span class="agg">({escape(str(result.get("aggregation") or ""))})</span></p>'
            f'<div class="figure">{render.chart(f"tile{index}", widget.get("title") or "", series)}'
            f"{render.data_table(widget.get('title') or '', series)}</div>"
        )
    else:
        message = result.get("message") or str(status or "not computed").replace("_", " ")
        inner = f'<p class="status">{escape(message)}</p>'
    heading = f'<h2 id="h-{index}">{title}</h2>'
    return f'<section class="{classes}" aria-labelledby="h-{index}">{heading}{inner}</section>'


def dashboard_body(detail: dict[str, Any], insights: dict[str, Any]) -> str:
    widgets = [w for w in detail.get("widgets") or [] if w.get("visible", True)]
    results = {t.get("widgetId") or t.get("id"): t for t in insights.get("tiles") or []}
    by_title = {t.get("title"): t for t in insights.get("tiles") or []}

    def at(w: dict[str, Any]) -> tuple[int, int]:
        p = w.get("position") or {}
        return int(p.get("y") or 0), int(p.get("x") or 0)

    tiles = "".join(
        _tile(i, w, results.get(w.get("id")) or by_title.get(w.get("title")))
        for i, w in enumerate(sorted(widgets, key=at))
    )
    description = detail.get("description")
    return (f"<p>{escape(description)}</p>" if description else "") + f'<div class="grid">{tiles}</div>'


async def dashboards(page: Context) -> Response:
    # No check_key: projects.list (or, for a bound key, dashboards.list) answers 401 to a revoked key.
    found: list[dict[str, Any]] = []
    projects: list[str | None] = [*project_ids(page.client)] or [None]
    for project_id in projects:
        body = page.client.call("dashboards.list", unwrap=False, query={"projectId": project_id})
        found.extend(body.get("data") or [])
    query = page.request.query_params.get("q", "")
    return page.page("Dashboards", list_body(page.base, order_dashboards(found, query), query))


async def dashboard(page: Context) -> Response:
    dashboard_id = page.request.path_params["dashboard_id"]
    try:
        detail = page.client.call("dashboards.get", path={"dashboardId": dashboard_id})
        insights = page.client.call(
            "dashboards.run_insights", unwrap=False, path={"dashboardId": dashboard_id}
        )
    except TallyboardError as error:
        return page.failure("Dashboard", error)
    return page.page(detail.get("name") or "Dashboard", dashboard_body(detail, insights))


ROUTES = [
    Route("/console/dashboards", signed_in(dashboards)),
    Route("/console/dashboards/{dashboard_id}", signed_in(dashboard)),
]
