"""The dashboards list (search, pinned first) and a dashboard: its tiles laid out by `position`,
insight tiles drawn as charts in the dashboard's colour theme with their tables and a CSV link,
text tiles as text; a Refresh (run_insights refresh=force_blocking), a date-range picker and an
auto-refresh choice (off / 5 / 30 min, reloaded by console.js)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from starlette.responses import Response
from starlette.routing import Route
from tallyboard_client import Tallyboard
from tallyboard_client._errors import AuthenticationError, TallyboardError

from tallyboard.console import render
from tallyboard.console.metrics import csv_rows
from tallyboard.console.routing import SECURITY_HEADERS, Context, project_ids, redirect, signed_in

INSIGHT_TYPES = ("metric", "chart", "table")  # as run_insights computes them (logic/insights/tiles.py)
AGGREGATION_ALIASES = {"latest": "last"}  # the widget config's alias, as models/dashboards/widgets.py
MAX_RANGE_DAYS = 366
PRESETS = (("", "Each tile's own range"), ("7", "7 days"), ("30", "30 days"), ("90", "90 days"))
AUTO_REFRESH = {"0": "Off", "5": "5 min", "30": "30 min"}
# A theme's colour becomes an SVG attribute: only plain hex passes (#rgb/#rrggbb), else the
# stylesheet's own line colour.
COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")


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


# ----------------------------------------------------------------------------- the page's choice


class BadView(ValueError):
    """A date range the page refuses (400) before asking the API anything."""


@dataclass(frozen=True)
class View:
    """What the query string chose: a date range (both dates, or neither: each tile's own range)
    and the auto-refresh minutes."""

    start: date | None = None
    end: date | None = None
    refresh: str = "0"

    @property
    def ranged(self) -> bool:
        return self.start is not None

    def params(self, **override: str) -> dict[str, str]:
        params = (
            {"from": self.start.isoformat(), "to": self.end.isoformat()} if self.start and self.end else {}
        )
        if self.refresh != "0":
            params["refresh"] = self.refresh
        params.update(override)
        return {k: v for k, v in params.items() if v}

    def query(self, **override: str) -> str:
        params = self.params(**override)
        return "?" + urlencode(params) if params else ""

    def bounds(self) -> tuple[str, str]:
        """The range as the API takes it: from the first day's start to the last day's end (UTC)."""
        assert self.start is not None and self.end is not None
        start = datetime.combine(self.start, time.min, UTC)
        end = datetime.combine(self.end, time(23, 59, 59), UTC)
        return start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ")


def _date(text: str, name: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise BadView(f"The {name} date must be a date (YYYY-MM-DD), not {text!r}.") from None


def view_of(params: Any) -> View:
    """The choice from a query string (or the refresh form); an unknown auto-refresh is off."""
    start_text, end_text = (params.get("from") or "").strip(), (params.get("to") or "").strip()
    refresh = params.get("refresh") or "0"
    refresh = refresh if refresh in AUTO_REFRESH else "0"
    if not start_text and not end_text:
        return View(refresh=refresh)
    if not start_text or not end_text:
        raise BadView("Choose both a from and a to date (or neither, for each tile's own range).")
    start, end = _date(start_text, "from"), _date(end_text, "to")
    if end < start:
        raise BadView("The to date is before the from date.")
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise BadView(f"A range covers at most {MAX_RANGE_DAYS} days.")
    return View(start, end, refresh)


def preset_view(view: View, days: str, today: date) -> View:
    if not days:
        return View(refresh=view.refresh)
    return View(today - timedelta(days=int(days) - 1), today, view.refresh)


def controls(base: str, dashboard_id: str, view: View, csrf: str, today: date) -> str:
    """The range picker and auto-refresh (a GET form), the presets (links) and Refresh (POST)."""
    action = f"{base}/console/dashboards/{quote(dashboard_id, safe='')}"
    start = view.start.isoformat() if view.start else ""
    end = view.end.isoformat() if view.end else ""
    picker = (
        f'<form method="get" action="{action}" class="range">'
        f'<div><label for="from">From</label><input id="from" name="from" type="date" value="{start}"></div>'
        f'<div><label for="to">To</label><input id="to" name="to" type="date" value="{end}"></div>'
        f"<div>{render.select('refresh', 'Auto-refresh', AUTO_REFRESH, view.refresh, AUTO_REFRESH)}</div>"
        '<button type="submit">Show</button></form>'
    )
    links = []
    for days, label in PRESETS:
        chosen = preset_view(view, days, today)
        current = ' aria-current="true"' if chosen == view else ""
        links.append(f'<li><a href="{action}{escape(chosen.query())}"{current}>{escape(label)}</a></li>')
    presets = f'<nav aria-label="Date range presets"><ul class="presets">{"".join(links)}</ul></nav>'
    hidden = "".join(
        f'<input type="hidden" name="{escape(k)}" value="{escape(v)}">' for k, v in view.params().items()
    )
    refresh = (
        f'<form method="post" action="{action}/refresh" class="refresh">{render.hidden_csrf(csrf)}{hidden}'
        '<button type="submit">Refresh</button></form>'
    )
    return f'<div class="controls">{picker}{refresh}</div>{presets}'


# ----------------------------------------------------------------------------- tiles


def theme_colours(theme: dict[str, Any] | None) -> list[str | None]:
    """The theme's colours in order, each a safe hex or None (the stylesheet's default)."""
    colours = (theme or {}).get("colors") or []
    return [c if isinstance(c, str) and COLOUR.match(c) else None for c in colours]


def colour_for(colours: list[str | None], index: int) -> str | None:
    """Insight tile `index` (0-based, counting insight tiles in layout order, text tiles not) is
    drawn in colors[index % n]."""
    return colours[index % len(colours)] if colours else None


def _tile(
    index: int,
    widget: dict[str, Any],
    result: dict[str, Any] | None,
    colour: str | None = None,
    csv_href: str | None = None,
) -> str:
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
        aggregation = escape(str(result.get("aggregation") or "natural"))
        if result.get("ranged"):  # a chosen range: no headline is computed, its interval instead
            figure = f"{escape(unit)} by {escape(str(result.get('interval') or ''))}"
        else:
            figure = f"{escape(render.number(result.get('value')))} {escape(unit)}"
        inner = (
            f'<p class="value">{figure} <span class="agg">({aggregation})</span></p>'
            f'<div class="figure">{render.chart(f"tile{index}", widget.get("title") or "", series, colour)}'
            # the table scrolls within the tile, so a month of points does not stretch the grid
            + render.scroll(
                f"{widget.get('title') or 'Tile'}: data", render.data_table(widget.get("title") or "", series)
            )
            + "</div>"
        )
        if csv_href:
            inner += f'<p class="csv"><a href="{escape(csv_href)}">CSV of {title}</a></p>'
    else:
        message = result.get("message") or str(status or "not computed").replace("_", " ")
        inner = f'<p class="status">{escape(message)}</p>'
    heading = f'<h2 id="h-{index}">{title}</h2>'
    return f'<section class="{classes}" aria-labelledby="h-{index}">{heading}{inner}</section>'


def laid_out(detail: dict[str, Any]) -> list[dict[str, Any]]:
    """The visible widgets by position (row, then column)."""
    widgets = [w for w in detail.get("widgets") or [] if w.get("visible", True)]

    def at(w: dict[str, Any]) -> tuple[int, int]:
        p = w.get("position") or {}
        return int(p.get("y") or 0), int(p.get("x") or 0)

    return sorted(widgets, key=at)


def results_by_widget(widgets: list[dict[str, Any]], insights: dict[str, Any]) -> dict[str, dict[str, Any]]:
    results = {t.get("widgetId") or t.get("id"): t for t in insights.get("tiles") or []}
    by_title = {t.get("title"): t for t in insights.get("tiles") or []}
    return {
        w["id"]: found for w in widgets if (found := results.get(w.get("id")) or by_title.get(w.get("title")))
    }


def computed_at(insights: dict[str, Any]) -> str:
    """When the results shown were computed: the oldest tile's last_refresh (a cached tile keeps
    the time it was computed)."""
    times = [int(t["last_refresh"]) for t in insights.get("tiles") or [] if t.get("last_refresh")]
    if not times:
        return ""
    oldest = min(times)
    stamp = datetime.fromtimestamp(oldest / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    ttl = insights.get("cacheTtlSeconds")
    cache = f"; a result is reused for up to {int(ttl)} s until Refresh" if ttl else ""
    return (
        f'<p class="computed">Results computed <time datetime="{stamp}">{escape(render.when(oldest))}'
        f"</time> UTC{cache}.</p>"
    )


def dashboard_body(
    detail: dict[str, Any],
    insights: dict[str, Any],
    *,
    base: str = "",
    view: View | None = None,
    theme: dict[str, Any] | None = None,
    csrf: str = "",
    today: date | None = None,
) -> str:
    """The page: controls, when the results were computed, then the tiles (`insights` holds
    run_insights' tiles, or for a chosen range the tiles read from metrics.timeseries)."""
    view = view or View()
    widgets = laid_out(detail)
    results = results_by_widget(widgets, insights)
    colours = theme_colours(theme)
    dashboard_id = str(detail.get("id") or "")
    tiles, insight = [], 0
    for i, w in enumerate(widgets):
        result = results.get(w["id"])
        colour, href = None, None
        if w.get("type") in INSIGHT_TYPES:
            colour = colour_for(colours, insight)
            insight += 1
        if (result or {}).get("status") == "ok" and w.get("type") in INSIGHT_TYPES:
            href = (
                f"{base}/console/dashboards/{quote(dashboard_id, safe='')}/tiles/"
                f"{quote(str(w['id']), safe='')}.csv{view.query(refresh='')}"
            )
        tiles.append(_tile(i, w, result, colour, href))
    description = detail.get("description")
    if view.ranged:
        start, end = view.bounds()
        shown = (
            f'<p class="computed">Each tile read for {escape(start[:10])} to {escape(end[:10])} (UTC).</p>'
        )
    else:
        shown = computed_at(insights)
    return (
        (f"<p>{escape(description)}</p>" if description else "")
        + (
            controls(base, dashboard_id, view, csrf, today or datetime.now(UTC).date())
            if dashboard_id
            else ""
        )
        + shown
        + f'<div class="grid">{"".join(tiles)}</div>'
    )


# ----------------------------------------------------------------------------- API reads


def ranged_tile(client: Tallyboard, project_id: str, widget: dict[str, Any], view: View) -> dict[str, Any]:
    """An insight tile over the chosen range: one metrics.timeseries call with the tile's metric,
    interval and aggregation (its own, else the API's natural one); the API's refusal (an unknown
    metric, too many buckets) is the tile's message, not the page's failure."""
    base_tile = {"id": widget["id"], "title": widget.get("title"), "type": widget.get("type")}
    if widget.get("type") not in INSIGHT_TYPES:
        return {**base_tile, "status": "text", "text": (widget.get("config") or {}).get("body")}
    config = {k: v for k, v in (widget.get("config") or {}).items() if v is not None}
    if not config.get("metricId"):
        return {**base_tile, "status": "no_metric", "message": "The tile's config names no metricId"}
    start, end = view.bounds()
    aggregation = config.get("aggregation")
    aggregation = AGGREGATION_ALIASES.get(aggregation, aggregation) if aggregation else None
    try:
        answer = client.call(
            "metrics.timeseries",
            unwrap=False,
            path={"metricId": str(config["metricId"])},
            query={
                "projectId": project_id,
                "startDate": start,
                "endDate": end,
                "interval": config.get("interval") or default_interval(view),
                "aggregation": aggregation,
            },
        )
    except AuthenticationError:
        raise
    except TallyboardError as error:
        return {**base_tile, "status": "refused", "message": str(error)}
    return {
        **base_tile,
        "status": "ok",
        "ranged": True,
        "metric": answer.get("metric"),
        "aggregation": aggregation,
        "interval": answer.get("interval"),
        "startDate": answer.get("startDate"),
        "endDate": answer.get("endDate"),
        "series": answer.get("data") or [],
    }


def default_interval(view: View) -> str:
    """A tile without its own interval: the one run_insights picks for a range this long."""
    assert view.start is not None and view.end is not None
    days = (view.end - view.start).days + 1
    return "hour" if days <= 2 else "day" if days <= 92 else "week"


def tiles_for(client: Tallyboard, detail: dict[str, Any], view: View) -> dict[str, Any]:
    """The tiles' results as the page draws them: run_insights' (its cache) without a range,
    else one timeseries read per insight tile."""
    if not view.ranged:
        answer: dict[str, Any] = client.call(
            "dashboards.run_insights", unwrap=False, path={"dashboardId": detail["id"]}
        )
        return answer
    project_id = str(detail.get("projectId") or "")
    return {"tiles": [ranged_tile(client, project_id, w, view) for w in laid_out(detail)]}


def theme_of(client: Tallyboard, detail: dict[str, Any]) -> dict[str, Any] | None:
    """The dashboard's colour theme; none set, or one the key may not read, draws the default."""
    theme_id = detail.get("data_color_theme_id")
    if not theme_id:
        return None
    try:
        theme: dict[str, Any] = client.call(
            "themes.get", path={"projectId": detail.get("projectId") or "", "themeId": theme_id}
        )
    except AuthenticationError:
        raise
    except TallyboardError:
        return None
    return theme


# ----------------------------------------------------------------------------- pages


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
        view = view_of(page.request.query_params)
    except BadView as bad:
        today = datetime.now(UTC).date()
        form = controls(page.base, dashboard_id, View(), page.csrf, today)
        return page.page("Dashboard", form + render.alert(str(bad)), status=400)
    try:
        detail = page.client.call("dashboards.get", path={"dashboardId": dashboard_id})
        insights = tiles_for(page.client, detail, view)
    except TallyboardError as error:
        return page.failure("Dashboard", error)
    body = dashboard_body(
        detail, insights, base=page.base, view=view, theme=theme_of(page.client, detail), csrf=page.csrf
    )
    # The auto-refresh the user chose: console.js reloads the page (not a meta refresh, which
    # WCAG 2.2.1 and axe refuse as a timed reload).
    if view.refresh != "0":
        body += f'<span hidden data-reload="{int(view.refresh) * 60}"></span>'
    return page.page(detail.get("name") or "Dashboard", body)


async def refresh(page: Context) -> Response:
    """Refresh: every tile computed afresh (refresh=force_blocking), then back to the page with
    the same choice."""
    dashboard_id = page.request.path_params["dashboard_id"]
    form = await page.form()
    try:
        view = view_of(form)
    except BadView:
        view = View()
    try:
        page.client.call(
            "dashboards.run_insights",
            unwrap=False,
            path={"dashboardId": dashboard_id},
            query={"refresh": "force_blocking"},
        )
    except TallyboardError as error:
        return page.failure("Dashboard", error)
    return redirect(page.request, f"/dashboards/{quote(dashboard_id, safe='')}{view.query()}")


def csv_filename(dashboard: dict[str, Any], widget: dict[str, Any]) -> str:
    name = f"{dashboard.get('slug') or dashboard.get('id')}-{widget.get('title') or widget.get('id')}"
    return (re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-") or "tile")[:100] + ".csv"


async def tile_csv(page: Context) -> Response:
    """A tile's series as CSV: exactly what the page draws for the same range choice."""
    dashboard_id, widget_id = page.request.path_params["dashboard_id"], page.request.path_params["widget_id"]
    try:
        view = view_of(page.request.query_params)
    except BadView as bad:
        return page.page("Tile CSV", render.alert(str(bad)), status=400)
    try:
        detail = page.client.call("dashboards.get", path={"dashboardId": dashboard_id})
        widget = next((w for w in laid_out(detail) if w.get("id") == widget_id), None)
        if widget is None:
            return page.page("Not found", "<p>No such tile on this dashboard.</p>", status=404)
        if view.ranged:
            result: dict[str, Any] | None = ranged_tile(
                page.client, str(detail.get("projectId") or ""), widget, view
            )
        else:
            result = results_by_widget([widget], tiles_for(page.client, detail, view)).get(widget_id)
    except TallyboardError as error:
        return page.failure("Tile CSV", error)
    if not result or result.get("status") != "ok":
        message = (result or {}).get("message") or "This tile has no series to download."
        return page.page("Not found", render.alert(str(message)), status=404)
    text = render.csv_text(("timestamp", "value"), csv_rows(result.get("series") or []))
    return Response(
        text,
        media_type="text/csv; charset=utf-8",
        headers={
            **SECURITY_HEADERS,
            "Content-Disposition": f'attachment; filename="{csv_filename(detail, widget)}"',
        },
    )


ROUTES = [
    Route("/console/dashboards", signed_in(dashboards)),
    Route("/console/dashboards/{dashboard_id}", signed_in(dashboard), methods=["GET"]),
    Route("/console/dashboards/{dashboard_id}/refresh", signed_in(refresh), methods=["POST"]),
    Route("/console/dashboards/{dashboard_id}/tiles/{widget_id}.csv", signed_in(tile_csv), methods=["GET"]),
]
