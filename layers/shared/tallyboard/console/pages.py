"""HTML of the console's pages: no inline script or style (the CSP allows neither), every chart
an SVG with a text summary and its numbers in a table beside it."""

from __future__ import annotations

from datetime import UTC, datetime
from html import escape
from typing import Any

CHART_W, CHART_H, PAD = 320, 140, 12


def layout(base: str, title: str, body: str, *, signed_in: bool, csrf: str = "") -> str:
    nav = ""
    if signed_in:
        nav = (
            f'<nav aria-label="Console"><a href="{base}/console/dashboards">Dashboards</a>'
            f'<a href="{base}/console/metrics">Metrics</a>'
            f'<form method="post" action="{base}/console/sign-out">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            '<button type="submit">Sign out</button></form></nav>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · Tallyboard</title>"
        f'<link rel="stylesheet" href="{base}/console/static/console.css"></head>'
        f'<body><header><a class="brand" href="{base}/console">Tallyboard</a>{nav}</header>'
        f'<main id="main"><h1>{escape(title)}</h1>{body}</main></body></html>'
    )


def sign_in(base: str, csrf: str, error: str | None = None) -> str:
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    body = (
        f'{alert}<form method="post" action="{base}/console/sign-in" class="sign-in">'
        f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
        '<label for="api_key">API key</label>'
        '<input id="api_key" name="api_key" type="password" autocomplete="off" required>'
        '<button type="submit">Sign in</button></form>'
    )
    return layout(base, "Sign in", body, signed_in=False)


def dashboards_list(base: str, csrf: str, dashboards: list[dict[str, Any]], query: str) -> str:
    items = "".join(
        f'<li><a href="{base}/console/dashboards/{escape(d["id"])}">{escape(d.get("name") or d["id"])}</a>'
        + (' <span class="pin">pinned</span>' if d.get("pinned") else "")
        + "".join(f' <span class="tag">{escape(t)}</span>' for t in d.get("tags") or [])
        + "</li>"
        for d in dashboards
    )
    body = (
        f'<form method="get" action="{base}/console/dashboards" role="search">'
        '<label for="q">Search dashboards</label>'
        f'<input id="q" name="q" type="search" value="{escape(query)}">'
        '<button type="submit">Search</button></form>'
        + (f'<ul class="dashboards">{items}</ul>' if items else "<p>No dashboards match.</p>")
    )
    return layout(base, "Dashboards", body, signed_in=True, csrf=csrf)


def order_dashboards(dashboards: list[dict[str, Any]], query: str) -> list[dict[str, Any]]:
    """Matching the search (name, description, tags), pinned first, then by name."""
    needle = query.strip().lower()

    def matches(d: dict[str, Any]) -> bool:
        text = " ".join([d.get("name") or "", d.get("description") or "", *(d.get("tags") or [])])
        return needle in text.lower()

    found = [d for d in dashboards if not needle or matches(d)]
    return sorted(found, key=lambda d: (not d.get("pinned"), (d.get("name") or "").lower()))


def _when(ms: Any) -> str:
    try:
        return datetime.fromtimestamp(int(ms) / 1000, UTC).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError, OverflowError):
        return str(ms)


def _number(value: Any) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, (int, float)) else str(value)


def chart(tile_id: str, title: str, series: list[dict[str, Any]]) -> str:
    """One SVG: a line (polyline) with a circle per point, its <title>/<desc> the summary."""
    values = [float(p.get("value") or 0) for p in series]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    span = (high - low) or 1.0
    step = (CHART_W - 2 * PAD) / max(len(values) - 1, 1)
    points = [
        (PAD + i * step, CHART_H - PAD - (v - low) / span * (CHART_H - 2 * PAD)) for i, v in enumerate(values)
    ]
    summary = (
        f"{len(values)} points from {_number(low)} to {_number(high)}, last {_number(values[-1])}"
        if values
        else "no points"
    )
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3"/>' for x, y in points)
    return (
        f'<svg class="chart" viewBox="0 0 {CHART_W} {CHART_H}" role="img" '
        f'aria-labelledby="t-{tile_id} d-{tile_id}">'
        f'<title id="t-{tile_id}">{escape(title)}</title><desc id="d-{tile_id}">{escape(summary)}</desc>'
        f'<g class="series"><polyline class="line" points="{line}"/>{dots}</g></svg>'
    )


def data_table(title: str, series: list[dict[str, Any]]) -> str:
    rows = "".join(
        f"<tr><td>{escape(_when(p.get('timestamp')))}</td><td>{escape(_number(p.get('value')))}</td></tr>"
        for p in series
    )
    return (
        f'<table class="data"><caption>{escape(title)}: data</caption>'
        f'<thead><tr><th scope="col">Time (UTC)</th><th scope="col">Value</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
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
        value = result.get("value")
        unit = ((result.get("metric") or {}).get("unit")) or ""
        inner = (
            f'<p class="value">{escape(_number(value))} {escape(unit)}'
            f' <span class="agg">({escape(str(result.get("aggregation") or ""))})</span></p>'
            f'<div class="figure">{chart(f"tile{index}", widget.get("title") or "", series)}'
            f"{data_table(widget.get('title') or '', series)}</div>"
        )
    else:
        message = result.get("message") or str(status or "not computed").replace("_", " ")
        inner = f'<p class="status">{escape(message)}</p>'
    heading = f'<h2 id="h-{index}">{title}</h2>'
    return f'<section class="{classes}" aria-labelledby="h-{index}">{heading}{inner}</section>'


def dashboard(base: str, csrf: str, detail: dict[str, Any], insights: dict[str, Any]) -> str:
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
    body = (f"<p>{escape(description)}</p>" if description else "") + f'<div class="grid">{tiles}</div>'
    return layout(base, detail.get("name") or "Dashboard", body, signed_in=True, csrf=csrf)


def message(base: str, title: str, text: str, *, signed_in: bool, csrf: str = "") -> str:
    return layout(base, title, f"<p>{escape(text)}</p>", signed_in=signed_in, csrf=csrf)


RANGES = {"24h": 1, "7d": 7, "30d": 30, "90d": 90}
INTERVALS = ("hour", "day", "week", "month")
AGGREGATIONS = ("", "sum", "avg", "min", "max", "count", "last")


def _select(name: str, label: str, options: tuple[str, ...], chosen: str) -> str:
    items = "".join(
        f'<option value="{escape(o)}"{" selected" if o == chosen else ""}>{escape(o or "natural")}</option>'
        for o in options
    )
    return f'<label for="{name}">{label}</label><select id="{name}" name="{name}">{items}</select>'


def metric_explorer(
    base: str, csrf: str, choice: dict[str, str], series: dict[str, Any] | None, error: str | None
) -> str:
    """The metric, range, interval and aggregation chosen → a chart and its table."""
    form = (
        f'<form method="get" action="{base}/console/metrics" class="explorer">'
        '<label for="metric">Metric id</label>'
        f'<input id="metric" name="metric" value="{escape(choice["metric"])}" required>'
        + _select("range", "Range", tuple(RANGES), choice["range"])
        + _select("interval", "Interval", INTERVALS, choice["interval"])
        + _select("aggregation", "Aggregation", AGGREGATIONS, choice["aggregation"])
        + '<button type="submit">Show</button></form>'
    )
    result = f'<p class="error" role="alert">{escape(error)}</p>' if error else ""
    if series is not None:
        points = series.get("data") or []
        title = f"{choice['metric']} by {series.get('interval') or choice['interval']}"
        result += f'<div class="figure">{chart("explorer", title, points)}{data_table(title, points)}</div>'
    return layout(base, "Metric explorer", form + result, signed_in=True, csrf=csrf)
