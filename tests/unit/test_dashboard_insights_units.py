"""The pure parts of dashboard insights and format=txt: a tile's spec, headline figures, the
analysis's directions, movers and summary, and the plain-text rendering."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from tallyboard.logic.insights import analyze_refresh_result as refresh
from tallyboard.logic.insights import tiles
from tallyboard.models.dashboards.insights import TileChange
from tallyboard.models.dashboards.widgets import CreateWidgetRequest
from tallyboard.text_format import TEXT, render, with_text_format


def widget(config: dict[str, Any], kind: str = "metric") -> dict[str, Any]:
    return {"id": "widget_1", "title": "T", "type": kind, "config": config}


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({"metricId": "sales"}, ("sales", "30d", 30 * 86_400_000, "day", None)),
        ({"metricId": "sales", "timeRange": "24h"}, ("sales", "24h", 86_400_000, "hour", None)),
        ({"metricId": "sales", "timeRange": "26w"}, ("sales", "26w", 182 * 86_400_000, "week", None)),
        (
            {"metricId": "sales", "timeRange": "3y", "aggregation": "max"},
            ("sales", "3y", 1095 * 86_400_000, "month", "max"),
        ),
        (
            {"metricId": "sales", "timeRange": "7d", "interval": "hour"},
            ("sales", "7d", 7 * 86_400_000, "hour", None),
        ),
        # the export document's "latest" is "last"; a null stored before writes were checked is
        # read as left out
        ({"metricId": "sales", "aggregation": "latest"}, ("sales", "30d", 30 * 86_400_000, "day", "last")),
        (
            {"metricId": "sales", "timeRange": None, "interval": None, "aggregation": None},
            ("sales", "30d", 30 * 86_400_000, "day", None),
        ),
    ],
)
def test_tile_spec(config: dict[str, Any], expected: tuple[Any, ...]) -> None:
    spec = tiles.tile_spec(widget(config))
    assert isinstance(spec, tiles.TileSpec)
    assert (spec.metric_id, spec.time_range, spec.range_ms, spec.interval, spec.aggregation) == expected


@pytest.mark.parametrize(
    ("config", "status"),
    [
        ({}, "no_metric"),
        ({"metricId": "a b"}, "invalid_config"),
        ({"metricId": "sales", "timeRange": "5m"}, "invalid_config"),
        ({"metricId": "sales", "timeRange": 30}, "invalid_config"),
        ({"metricId": "sales", "interval": "minute"}, "invalid_config"),
        ({"metricId": "sales", "aggregation": "median"}, "invalid_config"),
        ({"metricId": -5}, "invalid_config"),
        ({"metricId": "sales", "timeRange": "2026-02-30"}, "invalid_config"),
        ({"metricId": "sales", "timeRange": True}, "invalid_config"),
    ],
)
def test_tile_spec_refusals(config: dict[str, Any], status: str) -> None:
    assert tiles.tile_spec(widget(config))[0] == status


def test_a_stored_config_is_read_by_the_rules_a_write_checks() -> None:
    """The reader's invalid_config names the key and says what the write path's 400 says."""
    config = {"metricId": "sales", "timeRange": "5m"}
    status, message = tiles.tile_spec(widget(config))
    with pytest.raises(ValidationError) as refused:
        CreateWidgetRequest(type="metric", title="T", config=config)
    (error,) = refused.value.errors()
    assert (status, error["loc"]) == ("invalid_config", ("config", "timeRange"))
    assert message == f"config.timeRange {error['msg']}"


def test_the_digest_changes_with_what_decides_the_result() -> None:
    base = tiles.tile_spec(widget({"metricId": "sales"}))
    other = tiles.tile_spec(widget({"metricId": "sales", "timeRange": "7d"}))
    assert isinstance(base, tiles.TileSpec) and isinstance(other, tiles.TileSpec)
    assert base.digest("proj_a") == base.digest("proj_a")
    assert len({base.digest("proj_a"), base.digest("proj_b"), other.digest("proj_a")}) == 3


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [("last", 3), ("sum", 6.5), ("count", 6.5), ("min", 1.5), ("max", 3), ("avg", 2.1666667)],
)
def test_headline(aggregation: str, expected: float) -> None:
    assert tiles.headline([1.5, 2, 3], aggregation) == pytest.approx(expected)
    assert tiles.headline([], aggregation) is None


def change(title: str, before: float | None, after: float | None) -> TileChange:
    tile = {"id": title, "title": title, "value": after, "metric": {"id": title, "unit": None}}
    return refresh._change(tile, {"value": before})


def test_directions_and_changes() -> None:
    up, down, same = change("up", 100, 125), change("down", 80, 60), change("same", 5, 5)
    new, gone, none = change("new", None, 7), change("gone", 7, None), change("none", None, None)
    zero = change("zero", 0, 10)

    assert [c.direction for c in (up, down, same, new, gone, none, zero)] == [
        "up",
        "down",
        "unchanged",
        "appeared",
        "disappeared",
        "no_data",
        "up",
    ]
    assert (up.absoluteChange, up.relativeChange) == (25, 25.0)
    assert (down.absoluteChange, down.relativeChange) == (-20, -25.0)
    assert (zero.absoluteChange, zero.relativeChange) == (10, None)
    assert new.absoluteChange is None and new.relativeChange is None


def test_biggest_movers_by_relative_then_absolute_then_order() -> None:
    changes = [
        change("a", 100, 110),  # +10 %
        change("b", 10, 5),  # -50 %
        change("c", 0, 1000),  # no relative change: after those that have one
        change("d", 200, 220),  # +10 %, a larger absolute change than a
        change("e", 1, 1),
    ]
    assert [m.title for m in refresh.biggest_movers(changes)] == ["b", "d", "a"]
    assert [m.title for m in refresh.biggest_movers(changes, 5)] == ["b", "d", "a", "c"]


def test_summary_is_plain_and_deterministic() -> None:
    changes = [change("Sales", 400, 500), change("MRR", 10, 10), change("Signups", None, 3)]
    movers = refresh.biggest_movers(changes)
    summary = refresh.summarize(changes, movers, 1_767_225_600_000)

    assert summary == (
        "Since the snapshot of 2026-01-01 00:00 UTC, 2 of 3 tile(s) changed. "
        "Biggest mover: Sales rose 25% (400 → 500). 1 tile(s) now have data: Signups. 1 unchanged."
    )
    assert refresh.summarize([], [], 0) == "This dashboard has no insight tiles to compare."


def test_render_text() -> None:
    body = {"data": {"name": "Board", "pinned": True, "createdAt": 1_767_225_600_000, "tags": ["a", "b"]}}
    assert render(body, 200) == (
        "data:\n  name: Board\n  pinned: yes\n  createdAt: 2026-01-01 00:00:00 UTC\n  tags: a, b\n"
    )
    error = {"error": "Bad Request", "message": "Invalid parameter: x", "details": {"x": "required"}}
    assert render(error, 400) == "400 Bad Request: Invalid parameter: x\n  details:\n    x: required\n"
    assert render({"rows": [[1, 2.5], [3, 4]]}, 200) == "rows:\n  1 | 2.5\n  3 | 4\n"


def test_render_text_shows_stored_control_characters_escaped() -> None:
    """A title stored before the rule never reaches the reader's terminal raw (ESC [31m turned it
    red); a line break would forge the next line; a tab stays."""
    body = {"tiles": [{"title": "Red\x1b[31m\x00", "text": "one\ntwo\r\tthree", "k\x1b": ["a\x07"]}]}
    text = render(body, 200)
    assert text == "tiles:\n  [1]\n    title: Red␛[31m␀\n    text: one␊two␍\tthree\n    k␛: a␇\n"
    error = {"error": "Bad Request", "message": "Invalid parameter: name\x1b", "details": {"n\x00": "x"}}
    assert render(error, 400) == "400 Bad Request: Invalid parameter: name␛\n  details:\n    n␀: x\n"


def test_the_summary_shows_stored_control_characters_escaped() -> None:
    change = TileChange(
        id="widget_1",
        title="Sales\x1b[2J",
        metricId="sales",
        unit=None,
        before=1,
        after=2,
        absoluteChange=1,
        relativeChange=100,
        direction="up",
    )
    summary = refresh.summarize([change], [change], 0)
    assert "Sales␛[2J rose 100%" in summary and "\x1b" not in summary


def test_with_text_format_converts_json_only_when_asked() -> None:
    answer = {
        "statusCode": 404,
        "multiValueHeaders": {"Content-Type": ["application/json"], "X-RateLimit-Limit": ["10"]},
        "body": json.dumps({"error": "Not Found", "message": "Dashboard not found"}),
    }
    handler = with_text_format(lambda event, context: json.loads(json.dumps(answer)))

    as_text = handler({"queryStringParameters": {"format": "txt"}}, None)
    as_json = handler({"queryStringParameters": None}, None)

    assert as_text["body"] == "404 Not Found: Dashboard not found\n"
    assert as_text["multiValueHeaders"]["Content-Type"] == [TEXT]
    assert as_text["multiValueHeaders"]["X-RateLimit-Limit"] == ["10"]
    assert as_json == answer
