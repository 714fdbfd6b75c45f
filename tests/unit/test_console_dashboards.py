"""The dashboard page's pure parts: the range/auto-refresh choice, the theme's colours, the tiles'
CSV links and rows, and the page drawn from a detail and its tiles (no browser, no stack)."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import pytest

from tallyboard.console import dashboards as d
from tallyboard.console import render

DAY = 86_400_000
T0 = 1_764_547_200_000  # 2025-12-01T00:00:00Z


def _detail(theme_id: str | None = None) -> dict[str, Any]:
    def widget(i: str, kind: str, x: int, y: int, **config: Any) -> dict[str, Any]:
        return {
            "id": i,
            "type": kind,
            "title": i.upper(),
            "config": config,
            "position": {"x": x, "y": y, "w": 6},
        }

    return {
        "id": "dash_1",
        "projectId": "proj_1",
        "slug": "launch",
        "data_color_theme_id": theme_id,
        "widgets": [
            widget("w_c", "chart", 6, 0, metricId="mrr"),
            widget("w_t", "text", 0, 1, body="Notes"),
            widget("w_a", "metric", 0, 0, metricId="sales"),
            widget("w_b", "table", 0, 2, metricId="users"),
        ],
    }


def _ok(widget_id: str, values: list[float]) -> dict[str, Any]:
    series = [{"timestamp": T0 + i * DAY, "value": v} for i, v in enumerate(values)]
    return {"id": widget_id, "status": "ok", "series": series, "value": values[-1], "last_refresh": T0 + 5000}


INSIGHTS = {
    "cacheTtlSeconds": 300,
    "tiles": [_ok("w_a", [1, 2]), _ok("w_c", [3]), {"id": "w_t", "status": "text"}, _ok("w_b", [4, 5, 6])],
}


def test_no_range_is_each_tiles_own_and_an_unknown_auto_refresh_is_off() -> None:
    assert d.view_of({}) == d.View()
    assert d.view_of({"refresh": "7"}).refresh == "0"
    assert d.view_of({"refresh": "30"}) == d.View(refresh="30")


def test_a_range_is_both_dates_whole_utc_days() -> None:
    view = d.view_of({"from": "2025-12-01", "to": "2025-12-07", "refresh": "5"})

    assert view == d.View(date(2025, 12, 1), date(2025, 12, 7), "5")
    assert view.bounds() == ("2025-12-01T00:00:00Z", "2025-12-07T23:59:59Z")
    assert view.query() == "?from=2025-12-01&to=2025-12-07&refresh=5"
    assert view.query(refresh="") == "?from=2025-12-01&to=2025-12-07"
    assert d.default_interval(view) == "day"
    assert d.view_of({"from": "2025-01-01", "to": "2025-12-31"}).start == date(2025, 1, 1)  # 365 days


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2025-12-07", "to": "2025-12-01"}, "before the from date"),
        ({"from": "yesterday", "to": "2025-12-01"}, "from date must be a date"),
        ({"from": "2025-12-01", "to": "2025-13-01"}, "to date must be a date"),
        ({"from": "2024-01-01", "to": "2025-01-01"}, "at most 366 days"),
        ({"from": "2025-12-01"}, "both a from and a to"),
    ],
)
def test_a_bad_range_is_refused_with_its_reason(params: dict[str, str], message: str) -> None:
    with pytest.raises(d.BadView, match=message):
        d.view_of(params)


def test_only_plain_hex_theme_colours_are_used_in_turn() -> None:
    colours = d.theme_colours({"colors": ["#abc", "#A1B2C3", "#a1b2c3d4", 'red" onload="x', None]})

    assert colours == ["#abc", "#A1B2C3", None, None, None]
    assert [d.colour_for(colours[:2], i) for i in range(3)] == ["#abc", "#A1B2C3", "#abc"]
    assert d.theme_colours(None) == [] and d.colour_for([], 0) is None


def test_the_page_draws_insight_tiles_by_position_in_the_themes_colours() -> None:
    body = d.dashboard_body(
        _detail("theme_1"), INSIGHTS, base="/v1", theme={"colors": ["#112233", "#445566"]}, csrf="tok"
    )

    # Layout order: w_a (0,0), w_c (6,0), w_t (0,1), w_b (0,2); text tiles take no colour.
    assert re.findall(r'<h2 id="h-\d">(\w+)</h2>', body) == ["W_A", "W_C", "W_T", "W_B"]
    assert re.findall(r'<g class="series" stroke="([^"]+)"', body) == ["#112233", "#445566", "#112233"]
    assert re.findall(r'href="([^"]+\.csv[^"]*)"', body) == [
        f"/v1/console/dashboards/dash_1/tiles/{w}.csv" for w in ("w_a", "w_c", "w_b")
    ]
    assert '<time datetime="2025-12-01T00:00:05Z">2025-12-01 00:00</time>' in body
    assert 'name="csrf" value="tok"' in body and 'action="/v1/console/dashboards/dash_1/refresh"' in body


def test_no_theme_draws_the_stylesheets_colour() -> None:
    body = d.dashboard_body(_detail(), INSIGHTS, base="/v1")

    assert 'class="series">' in body and "stroke=" not in body


def test_a_chosen_range_is_kept_by_the_csv_links_presets_and_refresh_form() -> None:
    view = d.View(date(2025, 12, 1), date(2025, 12, 3), "30")
    ranged = {"tiles": [{**t, "ranged": True, "interval": "day"} for t in INSIGHTS["tiles"]]}
    body = d.dashboard_body(_detail(), ranged, base="", view=view, csrf="tok", today=date(2025, 12, 3))

    assert 'href="/console/dashboards/dash_1/tiles/w_a.csv?from=2025-12-01&amp;to=2025-12-03"' in body
    assert '<input type="hidden" name="refresh" value="30">' in body
    assert '<option value="30" selected>30 min</option>' in body
    # the 3-day range is not a preset; 7 days ending today keeps the auto-refresh
    assert 'href="/console/dashboards/dash_1?from=2025-11-27&amp;to=2025-12-03&amp;refresh=30"' in body
    assert "aria-current" not in body
    assert "Each tile read for 2025-12-01 to 2025-12-03" in body


def test_the_chosen_preset_is_marked_current() -> None:
    today = date(2025, 12, 3)
    body = d.controls("", "dash_1", d.preset_view(d.View(), "30", today), "tok", today)

    assert re.findall(r'<a href="[^"]+" aria-current="true">([^<]+)</a>', body) == ["30 days"]


def test_csv_rows_are_iso_utc_and_the_values_as_sent() -> None:
    series = [{"timestamp": T0, "value": 12.5}, {"timestamp": T0 + DAY, "value": -3}]
    text = render.csv_text(("timestamp", "value"), d.csv_rows(series))

    assert list(csv.reader(io.StringIO(text))) == [
        ["timestamp", "value"],
        ["2025-12-01T00:00:00Z", "12.5"],
        ["2025-12-02T00:00:00Z", "-3"],
    ]


def test_a_csv_filename_keeps_only_safe_characters() -> None:
    name = d.csv_filename({"slug": "launch"}, {"id": "w_1", "title": 'Sales "EU"/\r\nx'})

    assert name == "launch-Sales-EU-x.csv"
