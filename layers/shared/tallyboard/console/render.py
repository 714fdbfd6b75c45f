"""HTML building blocks of the console's pages: no inline script or style (the CSP allows
neither), every chart an SVG with a text summary and its numbers in a table beside it."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape
from typing import Any

CHART_W, CHART_H, PAD = 320, 140, 12

# Every area's page, in the order the navigation lists them.
NAV = (
    ("dashboards", "Dashboards"),
    ("metrics", "Metrics"),
    ("exports", "Exports"),
    ("keys", "Keys"),
    ("audit", "Audit log"),
    ("projects", "Projects"),
    ("tasks", "Tasks"),
    ("leads", "Leads"),
    ("time", "Time"),
    ("holidays", "Holidays"),
)


def layout(base: str, title: str, body: str, *, signed_in: bool, csrf: str = "") -> str:
    nav = ""
    if signed_in:
        links = "".join(f'<a href="{base}/console/{path}">{escape(label)}</a>' for path, label in NAV)
        nav = (
            f'<nav aria-label="Console">{links}'
            f'<form method="post" action="{base}/console/sign-out">'
            f'<input type="hidden" name="csrf" value="{escape(csrf)}">'
            '<button type="submit">Sign out</button></form></nav>'
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · Tallyboard</title>"
        f'<link rel="icon" type="image/svg+xml" href="{base}/console/static/icon.svg">'
        f'<link rel="stylesheet" href="{base}/console/static/console.css">'
        f'<script src="{base}/console/static/console.js" defer></script></head>'
        f'<body><header><a class="brand" href="{base}/console">Tallyboard</a>{nav}</header>'
        f'<main id="main"><h1>{escape(title)}</h1>{body}</main></body></html>'
    )


def message(base: str, title: str, text: str, *, signed_in: bool, csrf: str = "") -> str:
    return layout(base, title, f"<p>{escape(text)}</p>", signed_in=signed_in, csrf=csrf)


def alert(error: str | None) -> str:
    return f'<p class="error" role="alert">{escape(error)}</p>' if error else ""


def hidden_csrf(csrf: str) -> str:
    return f'<input type="hidden" name="csrf" value="{escape(csrf)}">'


def when(ms: Any) -> str:
    """Epoch milliseconds as UTC minutes (what the tables show)."""
    try:
        return datetime.fromtimestamp(int(ms) / 1000, UTC).strftime("%Y-%m-%d %H:%M")
    except (TypeError, ValueError, OverflowError):
        return str(ms)


def number(value: Any) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, (int, float)) else str(value)


def select(
    name: str, label: str, options: Iterable[str], chosen: str, shown: dict[str, str] | None = None
) -> str:
    """A labelled <select>; `shown` names options whose label is not their value."""
    shown = shown or {}
    items = "".join(
        f'<option value="{escape(o)}"{" selected" if o == chosen else ""}>{escape(shown.get(o, o))}</option>'
        for o in options
    )
    return f'<label for="{name}">{label}</label><select id="{name}" name="{name}">{items}</select>'


def project_select(projects: list[dict[str, Any]], chosen: str | None, name: str = "project") -> str:
    """A project <select> for a key that sees several; a key of one project chooses nothing."""
    if len(projects) < 2:
        return ""
    names = {p["id"]: p.get("name") or p["id"] for p in projects}
    return select(name, "Project", names, chosen or "", names)


def table(caption: str, headings: Iterable[str], rows: Iterable[Iterable[Any]], css: str = "data") -> str:
    """A captioned table; cells are escaped text."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in headings)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return (
        f'<table class="{css}"><caption>{escape(caption)}</caption>'
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def scroll(label: str, inner: str) -> str:
    """A wide table scrolls inside its box at 360 px; focusable so a keyboard can scroll it."""
    return f'<div class="scroll" tabindex="0" role="region" aria-label="{escape(label)}">{inner}</div>'


def chart(chart_id: str, title: str, series: list[dict[str, Any]], colour: str | None = None) -> str:
    """One SVG: a line (polyline) with a circle per point, its <title>/<desc> the summary; a
    colour (a theme's, #rrggbb) comes as a class the stylesheet cannot know, so it is an SVG
    presentation attribute, which the CSP's style-src does not govern."""
    values = [float(p.get("value") or 0) for p in series]
    low, high = (min(values), max(values)) if values else (0.0, 0.0)
    span = (high - low) or 1.0
    step = (CHART_W - 2 * PAD) / max(len(values) - 1, 1)
    points = [
        (PAD + i * step, CHART_H - PAD - (v - low) / span * (CHART_H - 2 * PAD)) for i, v in enumerate(values)
    ]
    summary = (
        f"{len(values)} points from {number(low)} to {number(high)}, last {number(values[-1])}"
        if values
        else "no points"
    )
    paint = f' stroke="{escape(colour)}" fill="{escape(colour)}"' if colour else ""
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    dots = "".join(f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3"/>' for x, y in points)
    return (
        f'<svg class="chart" viewBox="0 0 {CHART_W} {CHART_H}" role="img" '
        f'aria-labelledby="t-{chart_id} d-{chart_id}">'
        f'<title id="t-{chart_id}">{escape(title)}</title><desc id="d-{chart_id}">{escape(summary)}</desc>'
        f'<g class="series"{paint}><polyline class="line" points="{line}"/>{dots}</g></svg>'
    )


def data_table(title: str, series: list[dict[str, Any]]) -> str:
    return table(
        f"{title}: data",
        ("Time (UTC)", "Value"),
        ((when(p.get("timestamp")), number(p.get("value"))) for p in series),
    )


def csv_text(headings: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """CSV a spreadsheet opens; a cell starting with = + - @ is prefixed with ' so it is not run
    as a formula."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(list(headings))
    for row in rows:
        writer.writerow(["'" + c if isinstance(c, str) and c[:1] in "=+-@" else c for c in row])
    return out.getvalue()
