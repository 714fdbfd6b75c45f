"""A tile computed: its settings read from the widget's config, its series from the metric's
rollups, its headline folded from the buckets; a dashboard's tiles with the cached results
(see the package docstring)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from typing import Any

from tallyboard import timeutil
from tallyboard.auth import Caller
from tallyboard.data.dashboards import dashboards as store
from tallyboard.data.dashboards import insights as cache
from tallyboard.errors import BadRequest, NotFound
from tallyboard.ids import now_ms
from tallyboard.logic import metrics
from tallyboard.logic.dashboards.dashboards import (
    dashboard_not_found,
    is_visible,
    order_tiles,
)
from tallyboard.models.dashboards.widgets import AGGREGATION_ALIASES, TIME_RANGE_PATTERN, config_problem
from tallyboard.models.metrics import TimeseriesQuery

CACHE_TTL_SECONDS = 300


RESULT_TTL_SECONDS = 24 * 3600  # DynamoDB sweeps results nobody refreshed for a day


INSIGHT_TYPES = ("metric", "chart", "table")


DEFAULT_TIME_RANGE = "30d"


TIME_RANGE = re.compile(TIME_RANGE_PATTERN)


UNIT_MS = {"h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000, "y": 365 * 86_400_000}


@dataclass(frozen=True)
class TileSpec:
    metric_id: str
    time_range: str
    range_ms: int
    interval: str
    aggregation: str | None

    def digest(self, project_id: str) -> str:
        text = json.dumps([project_id, dataclasses.astuple(self)], separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()[:32]


def _default_interval(range_ms: int) -> str:
    day = UNIT_MS["d"]
    if range_ms <= 2 * day:
        return "hour"
    if range_ms <= 92 * day:
        return "day"
    if range_ms <= 730 * day:
        return "week"
    return "month"


def tile_spec(widget: dict[str, Any]) -> TileSpec | tuple[str, str]:
    """What an insight tile computes, or (status, message) when it cannot be computed. The rules
    are the ones a write checks (models/widgets.CONFIG_RULES); a config stored before they were
    checked reads as `invalid_config`, its nulls as left out."""
    config = {k: v for k, v in (widget.get("config") or {}).items() if v is not None}
    if not config.get("metricId"):
        return "no_metric", "The tile's config names no metricId"
    problem = config_problem(config)
    if problem is not None:
        return "invalid_config", f"config.{problem[0]} {problem[1]}"
    time_range = config.get("timeRange", DEFAULT_TIME_RANGE)
    match = TIME_RANGE.match(time_range)
    assert match is not None  # config_problem checked it
    range_ms = int(match.group(1)) * UNIT_MS[match.group(2)]
    interval = config.get("interval") or _default_interval(range_ms)
    aggregation = config.get("aggregation")
    if aggregation is not None:
        aggregation = AGGREGATION_ALIASES.get(aggregation, aggregation)
    return TileSpec(config["metricId"], time_range, range_ms, interval, aggregation)


def _metrics_reader(caller: Caller) -> Caller:
    """The caller as the metric reads see it: `query:read` covers them (role and projects kept)."""
    return dataclasses.replace(caller, scopes=("metrics:read",)) if caller.scopes else caller


def timeseries(caller: Caller, project_id: str, spec: TileSpec, now: int) -> Any:
    """The adapter to logic.metrics.timeseries for a tile (caller, metric, range, interval,
    aggregation): the range ends at `now`."""
    query = TimeseriesQuery(
        projectId=project_id,
        startDate=timeutil.to_iso(max(0, now - spec.range_ms)),
        endDate=timeutil.to_iso(now),
        interval=spec.interval,
        aggregation=spec.aggregation,
    )
    return metrics.timeseries(_metrics_reader(caller), spec.metric_id, query)


def as_number(value: float | int) -> float | int:
    value = round(float(value), 6)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def headline(values: list[float], aggregation: str) -> float | int | None:
    """The tile's figure from its buckets' values (oldest first)."""
    if not values:
        return None
    if aggregation == "last":
        return as_number(values[-1])
    if aggregation in ("sum", "count"):
        return as_number(sum(values))
    if aggregation == "min":
        return as_number(min(values))
    if aggregation == "max":
        return as_number(max(values))
    return as_number(sum(values) / len(values))


def _base(widget: dict[str, Any]) -> dict[str, Any]:
    return {"id": widget["id"], "title": widget["title"], "type": widget["type"]}


def compute_tile(caller: Caller, project_id: str, widget: dict[str, Any], now: int) -> dict[str, Any]:
    """One tile's result, as an InsightTile dict."""
    tile = _base(widget)
    if widget["type"] not in INSIGHT_TYPES:
        body = (widget.get("config") or {}).get("body")
        return {**tile, "status": "text", "text": body if isinstance(body, str) else None}
    spec = tile_spec(widget)
    if not isinstance(spec, TileSpec):
        return {**tile, "status": spec[0], "message": spec[1]}
    described = {**tile, "timeRange": spec.time_range, "interval": spec.interval}
    try:
        response = timeseries(caller, project_id, spec, now)
    except NotFound:
        return {
            **described,
            "status": "metric_not_found",
            "message": f"No metric {spec.metric_id!r} in the project yet",
        }
    except BadRequest as error:
        return {**described, "status": "invalid_config", "message": error.message}
    aggregation = spec.aggregation or _natural(response)
    series = [{"timestamp": p.timestamp, "value": p.value} for p in response.data]
    return {
        **described,
        "status": "ok",
        "metric": response.metric.model_dump(),
        "aggregation": aggregation,
        "startDate": response.startDate,
        "endDate": response.endDate,
        "value": headline([float(p["value"]) for p in series], aggregation),
        "series": series,
        "last_refresh": now,
    }


def _natural(response: Any) -> str:
    return metrics.natural_aggregation(response.metric.id, response.metric.unit)


def visible_dashboard(caller: Caller, dashboard_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dashboard, widgets = store.get_with_widgets(caller.workspace_id, dashboard_id)
    if not is_visible(caller, dashboard):
        raise dashboard_not_found()
    assert dashboard is not None
    return dashboard, order_tiles(dashboard, widgets)


def compute(
    caller: Caller, dashboard: dict[str, Any], widgets: list[dict[str, Any]], refresh: str
) -> list[dict[str, Any]]:
    """Every tile's result in tile order (InsightTile dicts), through the cache per `refresh`."""
    now = now_ms()
    project_id = dashboard["projectId"]
    cached = {} if refresh == "force_blocking" else cache.cached_results(caller.workspace_id, dashboard["id"])
    tiles, computed = [], {}
    for widget in widgets:
        spec = tile_spec(widget) if widget["type"] in INSIGHT_TYPES else None
        if not isinstance(spec, TileSpec):
            tiles.append(compute_tile(caller, project_id, widget, now))  # no I/O: nothing to cache
            continue
        digest = spec.digest(project_id)
        entry = cached.get(widget["id"])
        fresh = (
            entry is not None
            and entry.get("configHash") == digest
            and now - int(entry.get("computedAt", 0)) < CACHE_TTL_SECONDS * 1000
        )
        if fresh and refresh != "force_blocking":
            assert entry is not None  # fresh says so
            tiles.append({**entry["tile"], **_base(widget), "cached": True})
        elif refresh == "force_cache":
            tiles.append(
                {
                    **_base(widget),
                    "status": "cache_miss",
                    "message": f"No result computed in the last {CACHE_TTL_SECONDS} s; "
                    "refresh=blocking computes one",
                    "timeRange": spec.time_range,
                    "interval": spec.interval,
                }
            )
        else:
            tile = compute_tile(caller, project_id, widget, now)
            tiles.append(tile)
            if tile["status"] == "ok":
                computed[widget["id"]] = {
                    "configHash": digest,
                    "computedAt": now,
                    "tile": tile,
                    "expiresAt": now // 1000 + RESULT_TTL_SECONDS,
                }
    if computed:
        cache.put_results(caller.workspace_id, dashboard["id"], computed)
    return tiles
