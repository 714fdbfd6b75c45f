"""A dashboard's tiles computed (docs/api.md): run_insights, snapshot, analyze_refresh_result,
generate_metadata, stream_tiles.

An insight tile (`metric`, `chart`, `table`) reads `config.metricId` over `config.timeRange`
(`<n>h`, `<n>d`, `<n>w` or `<n>y`, n 1-9999; default 30d, ending now) in `config.interval` buckets
(default: hour up to 2 days, day up to 92 days, week up to 2 years, month beyond) with
`config.aggregation` (default: the metric's natural one). Its series comes from the metric's
rollups through logic.metrics.timeseries — the same exact series GET /metrics/{id}/timeseries
answers, so a point is in it the moment its push returns — and its headline `value` folds the
buckets (see InsightTile.value). Text tiles show `config.body`.

Cache: a computed result is kept per tile (data/insights.py) with a hash of what decides it
(metric, range, interval, aggregation, project); `refresh=blocking` serves one younger than
CACHE_TTL_SECONDS, `force_blocking` always computes, `force_cache` never does. Cost per request:
one Query of the dashboard (its tiles), one Query of the cached results (not for
force_blocking), and per tile computed the time series' reads (one catalog GetItem and one
rollup Query), then one BatchWriteItem per 25 results computed.

`query:read` is the scope of these routes; it covers the metric reads the tiles make, so the
time series is read as a key with `metrics:read` (the caller's role and projects unchanged)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tallyboard import timeutil
from tallyboard.auth import Caller
from tallyboard.data.dashboards import dashboards as store
from tallyboard.data.dashboards import insights as cache
from tallyboard.errors import ApiError, BadRequest, NotFound
from tallyboard.ids import now_ms
from tallyboard.logic import audit, metrics
from tallyboard.logic.dashboards.dashboards import (
    dashboard_not_found,
    is_visible,
    order_tiles,
    public_dashboard,
)
from tallyboard.models.insights import (
    AnalyzeResponse,
    GeneratedMetadata,
    InsightTile,
    MetadataBasis,
    OptimizedTile,
    RunInsightsQuery,
    RunInsightsResponse,
    SnapshotResponse,
    SnapshotTile,
    TileChange,
)
from tallyboard.models.metrics import TimeseriesQuery
from tallyboard.models.widgets import AGGREGATION_ALIASES, TIME_RANGE_PATTERN, config_problem
from tallyboard.text_format import render, visible_controls

CACHE_TTL_SECONDS = 300
SNAPSHOT_TTL_SECONDS = 24 * 3600
RESULT_TTL_SECONDS = 24 * 3600  # DynamoDB sweeps results nobody refreshed for a day
INSIGHT_TYPES = ("metric", "chart", "table")
DEFAULT_TIME_RANGE = "30d"
TIME_RANGE = re.compile(TIME_RANGE_PATTERN)
UNIT_MS = {"h": 3_600_000, "d": 86_400_000, "w": 7 * 86_400_000, "y": 365 * 86_400_000}
# Lambda answers a synchronous invoke with at most 6 MB (the proxy envelope included), below API
# Gateway's 10 MB: the event stream stops adding tiles past this many bytes.
MAX_STREAM_BYTES = 5 * 1024 * 1024
SERVICE_LABELS = {"github": "GitHub", "stripe": "Stripe", "custom": "Custom"}


class SnapshotGone(ApiError):
    status = 410
    error = "Gone"


# ----------------------------------------------------------------------------- one tile


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
        interval=spec.interval,  # type: ignore[arg-type]
        aggregation=spec.aggregation,  # type: ignore[arg-type]
    )
    return metrics.timeseries(_metrics_reader(caller), spec.metric_id, query)


def _number(value: float | int) -> float | int:
    value = round(float(value), 6)
    return int(value) if value.is_integer() and abs(value) < 2**53 else value


def headline(values: list[float], aggregation: str) -> float | int | None:
    """The tile's figure from its buckets' values (oldest first)."""
    if not values:
        return None
    if aggregation == "last":
        return _number(values[-1])
    if aggregation in ("sum", "count"):
        return _number(sum(values))
    if aggregation == "min":
        return _number(min(values))
    if aggregation == "max":
        return _number(max(values))
    return _number(sum(values) / len(values))


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


# ----------------------------------------------------------------------------- all tiles


def _visible_dashboard(caller: Caller, dashboard_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
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


def _optimized(tile: dict[str, Any]) -> OptimizedTile:
    rows = [[p["timestamp"], p["value"]] for p in tile["series"]] if tile.get("series") is not None else None
    return OptimizedTile(
        id=tile["id"],
        status=tile["status"],
        value=tile.get("value"),
        rows=rows,
        last_refresh=tile.get("last_refresh"),
    )


def run_insights(caller: Caller, dashboard_id: str, query: RunInsightsQuery) -> RunInsightsResponse:
    caller.require("viewer", "query:read")
    dashboard, widgets = _visible_dashboard(caller, dashboard_id)
    tiles = compute(caller, dashboard, widgets, query.refresh)
    optimized = query.output_format == "optimized"
    return RunInsightsResponse(
        dashboardId=dashboard_id,
        refresh=query.refresh,
        output_format=query.output_format,
        cacheTtlSeconds=CACHE_TTL_SECONDS,
        columns=["timestamp", "value"] if optimized else None,
        tiles=[_optimized(t) for t in tiles] if optimized else [InsightTile.model_validate(t) for t in tiles],
    )


# ----------------------------------------------------------------------------- snapshot, analysis


def _snapshot_tile(tile: dict[str, Any]) -> dict[str, Any]:
    metric = tile.get("metric") or {}
    return {
        "id": tile["id"],
        "title": tile["title"],
        "status": tile["status"],
        "metricId": metric.get("id"),
        "unit": metric.get("unit"),
        "value": tile.get("value"),
        "last_refresh": tile.get("last_refresh"),
    }


def snapshot(caller: Caller, dashboard_id: str) -> SnapshotResponse:
    """The tiles' current results (from the cache where fresh, as the document says; computed
    otherwise), kept 24 hours under a new cache_key."""
    caller.require("editor", "query:read")
    dashboard, widgets = _visible_dashboard(caller, dashboard_id)
    tiles = [
        _snapshot_tile(t)
        for t in compute(caller, dashboard, widgets, "blocking")
        if t["type"] in INSIGHT_TYPES
    ]
    created_at = now_ms()
    cache_key = f"snap_{created_at:012x}{secrets.token_hex(12)}"
    expires_at = created_at + SNAPSHOT_TTL_SECONDS * 1000
    cache.put_snapshot(
        caller.workspace_id,
        dashboard_id,
        cache_key,
        {"createdAt": created_at, "expiresAt": expires_at // 1000, "tiles": tiles},
    )
    audit.record(
        caller,
        "dashboard.snapshot",
        "dashboard",
        dashboard_id,
        project_id=dashboard["projectId"],
        metadata={"tiles": len(tiles)},
    )
    return SnapshotResponse(
        cache_key=cache_key,
        dashboardId=dashboard_id,
        createdAt=created_at,
        expiresAt=expires_at,
        tiles=[SnapshotTile.model_validate(t) for t in tiles],
    )


def _key_created_at(cache_key: str) -> int | None:
    match = re.match(r"^snap_([0-9a-f]{12})[0-9a-f]{24}$", cache_key)
    return int(match.group(1), 16) if match else None


def _snapshot_or_error(caller: Caller, dashboard_id: str, cache_key: str, now: int) -> dict[str, Any]:
    found = cache.get_snapshot(caller.workspace_id, dashboard_id, cache_key)
    created = found["createdAt"] if found else _key_created_at(cache_key)
    if created is not None and now >= created + SNAPSHOT_TTL_SECONDS * 1000:
        raise SnapshotGone(
            "This snapshot expired (snapshots are kept 24 hours); take a new one",
            details={"cache_key": "expired"},
        )
    if found is None:
        raise NotFound("Snapshot not found", details={"cache_key": "not a snapshot of this dashboard"})
    return found


def _direction(before: float | None, after: float | None) -> str:
    if before is None and after is None:
        return "no_data"
    if before is None:
        return "appeared"
    if after is None:
        return "disappeared"
    if abs(after - before) <= 1e-9 * max(1.0, abs(before)):
        return "unchanged"
    return "up" if after > before else "down"


def _change(tile: dict[str, Any], before: dict[str, Any] | None, direction: str | None = None) -> TileChange:
    after_value = tile.get("value") if direction != "removed" else None
    before_value = before.get("value") if before else None
    if direction is None:
        direction = "added" if before is None else _direction(before_value, after_value)
    absolute = relative = None
    if before_value is not None and after_value is not None:
        absolute = _number(after_value - before_value)
        relative = round((after_value - before_value) / abs(before_value) * 100, 2) if before_value else None
    metric = tile.get("metric") or {}
    return TileChange(
        id=tile["id"],
        title=tile["title"],
        metricId=metric.get("id") or tile.get("metricId") or (before or {}).get("metricId"),
        unit=metric.get("unit") or tile.get("unit") or (before or {}).get("unit"),
        before=before_value,
        after=after_value,
        absoluteChange=absolute,
        relativeChange=relative,
        direction=direction,  # type: ignore[arg-type]
    )


def _fmt(value: float | int | None, unit: str | None = None) -> str:
    if value is None:
        return "no data"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{text} {unit}" if unit and unit not in ("count",) else text


def _names(changes: list[TileChange]) -> str:
    return ", ".join(c.title for c in changes)


def summarize(changes: list[TileChange], movers: list[TileChange], snapshot_at: int) -> str:
    """A short plain-language summary, the same for the same figures."""
    when = timeutil.to_datetime(snapshot_at).strftime("%Y-%m-%d %H:%M UTC")
    compared = [c for c in changes if c.direction not in ("added", "removed")]
    if not changes:
        return "This dashboard has no insight tiles to compare."
    moved = [c for c in compared if c.direction in ("up", "down", "appeared", "disappeared")]
    parts = [f"Since the snapshot of {when}, {len(moved)} of {len(compared)} tile(s) changed."]

    def phrase(change: TileChange) -> str:
        verb = "rose" if change.direction == "up" else "fell"
        span = f"({_fmt(change.before, change.unit)} → {_fmt(change.after, change.unit)})"
        if change.relativeChange is not None:
            return f"{change.title} {verb} {abs(change.relativeChange):g}% {span}"
        return f"{change.title} {verb} by {_fmt(abs(change.absoluteChange or 0), change.unit)} {span}"

    if movers:
        parts.append(f"Biggest mover: {phrase(movers[0])}.")
        if len(movers) > 1:
            parts.append("Also: " + "; ".join(phrase(m) for m in movers[1:]) + ".")
    for direction, text in (("appeared", "now have data"), ("disappeared", "no longer have data")):
        group = [c for c in compared if c.direction == direction]
        if group:
            parts.append(f"{len(group)} tile(s) {text}: {_names(group)}.")
    unchanged = [c for c in compared if c.direction == "unchanged"]
    if unchanged:
        parts.append(f"{len(unchanged)} unchanged.")
    for direction, text in (("added", "added"), ("removed", "removed")):
        group = [c for c in changes if c.direction == direction]
        if group:
            parts.append(f"{len(group)} tile(s) {text} since the snapshot: {_names(group)}.")
    return visible_controls(" ".join(parts))  # titles and units stored before the rule


def biggest_movers(changes: list[TileChange], count: int = 3) -> list[TileChange]:
    ranked = [(index, c) for index, c in enumerate(changes) if c.direction in ("up", "down")]
    ranked.sort(
        key=lambda pair: (
            pair[1].relativeChange is None,
            -abs(pair[1].relativeChange or 0),
            -abs(pair[1].absoluteChange or 0),
            pair[0],
        )
    )
    return [c for _, c in ranked[:count]]


def analyze(caller: Caller, dashboard_id: str, cache_key: str) -> AnalyzeResponse:
    """Before (the snapshot) against now (computed afresh, and cached) per insight tile."""
    caller.require("editor", "query:read")
    dashboard, widgets = _visible_dashboard(caller, dashboard_id)
    now = now_ms()
    found = _snapshot_or_error(caller, dashboard_id, cache_key, now)
    before = {t["id"]: t for t in found.get("tiles") or []}
    current = [t for t in compute(caller, dashboard, widgets, "force_blocking") if t["type"] in INSIGHT_TYPES]
    changes = [_change(tile, before.pop(tile["id"], None)) for tile in current]
    changes += [_change(tile, tile, "removed") for tile in before.values()]
    movers = biggest_movers(changes)
    return AnalyzeResponse(
        dashboardId=dashboard_id,
        cache_key=cache_key,
        snapshotAt=found["createdAt"],
        comparedAt=now,
        changed=sum(c.direction in ("up", "down", "appeared", "disappeared") for c in changes),
        tiles=changes,
        biggestMovers=movers,
        summary=summarize(changes, movers, found["createdAt"]),
    )


# ----------------------------------------------------------------------------- metadata


def _service_label(service: str) -> str:
    return SERVICE_LABELS.get(service, service[:1].upper() + service[1:])


def _joined(labels: list[str]) -> str:
    if len(labels) <= 3:
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " & " + labels[-1]
    return f"{', '.join(labels[:2])} & {len(labels) - 2} more"


def generate_metadata(caller: Caller, dashboard_id: str) -> GeneratedMetadata:
    """A suggested name and description from the tiles' metrics, services and units; the same
    for the same tiles and metrics; nothing is saved."""
    caller.require("editor", "dashboard:write")
    dashboard, widgets = _visible_dashboard(caller, dashboard_id)
    tiles = compute(caller, dashboard, widgets, "blocking")
    insight = [t for t in tiles if t["type"] in INSIGHT_TYPES]
    text_count = len(tiles) - len(insight)
    metrics_seen: dict[str, dict[str, Any]] = {}
    for tile, widget in zip(tiles, widgets, strict=True):
        if tile["type"] not in INSIGHT_TYPES:
            continue
        metric = tile.get("metric")
        metric_id = (metric or {}).get("id") or (widget.get("config") or {}).get("metricId")
        if isinstance(metric_id, str) and metric_id not in metrics_seen:
            known = metrics.KNOWN_METRICS.get(metric_id)
            metrics_seen[metric_id] = metric or {
                "id": metric_id,
                "name": known[0] if known else metric_id,
                "unit": known[1] if known else None,
                "service": known[2] if known else "custom",
            }
    services = list(dict.fromkeys(str(m["service"]) for m in metrics_seen.values()))
    labels = [_service_label(s) for s in services]
    names = [str(m["name"]) for m in metrics_seen.values()]
    if metrics_seen:
        if services == ["custom"]:
            name = f"{names[0]} overview" if len(names) == 1 else "Custom metrics overview"
        else:
            name = f"{_joined(labels)} overview"
        described = [
            f"{m['name']} ({m['unit']})" if m.get("unit") else str(m["name"]) for m in metrics_seen.values()
        ]
        description = (
            f"{len(insight)} insight tile{'s' if len(insight) != 1 else ''} tracking {_joined(described)}"
            f" from {_joined(labels)}."
        )
    elif text_count:
        name, description = "Notes", ""
    else:
        name, description = "Empty dashboard", "A dashboard with no tiles yet."
    if text_count:
        description = f"{description} {text_count} text tile{'s' if text_count != 1 else ''}.".strip()
    if insight and not metrics_seen:
        description = f"{len(insight)} insight tile(s) not yet set to a metric. {description}".strip()
    return GeneratedMetadata(
        # Names and units stored before requests refused control characters are shown, not
        # repeated: the suggestion is text to read, and to send back in PATCH.
        name=visible_controls(name[:200]),
        description=visible_controls(description[:2000]),
        basis=MetadataBasis(
            tiles=len(tiles),
            insightTiles=len(insight),
            textTiles=text_count,
            metrics=list(metrics_seen),
            services=services,
        ),
    )


# ----------------------------------------------------------------------------- stream


def _event(name: str, data: Any, event_id: str | None = None) -> str:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":"), ensure_ascii=False))
    return "\n".join(lines) + "\n\n"


def stream_events(caller: Caller, dashboard_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(event, data) in order: metadata, one tile per tile, done."""
    caller.require("viewer", "dashboard:read")
    caller.require("viewer", "query:read")
    dashboard, widgets = _visible_dashboard(caller, dashboard_id)
    yield (
        "metadata",
        {
            "dashboard": public_dashboard(dashboard).model_dump(mode="json"),
            "tileCount": len(widgets),
            "cacheTtlSeconds": CACHE_TTL_SECONDS,
        },
    )
    tiles = compute(caller, dashboard, widgets, "blocking")
    for tile in tiles:
        yield "tile", InsightTile.model_validate(tile).model_dump(mode="json")


def stream_tiles(caller: Caller, dashboard_id: str) -> str:
    """The text/event-stream body: `metadata`, one `tile` per tile, `done`. Buffered (the Python
    runtime cannot stream a response), and capped at MAX_STREAM_BYTES: past it the remaining
    tiles are named in one `truncated` event (run_insights returns them) before `done`."""
    parts: list[str] = []
    size, sent, left = 0, 0, []
    for name, data in stream_events(caller, dashboard_id):
        event = _event(name, data, data.get("id") if name == "tile" else None)
        if left or (name == "tile" and size + len(event.encode()) > MAX_STREAM_BYTES):
            left.append(data["id"])
            continue
        parts.append(event)
        size += len(event.encode())
        sent += name == "tile"
    if left:
        parts.append(_event("truncated", {"tiles": left, "reason": f"over {MAX_STREAM_BYTES} bytes"}))
    parts.append(_event("done", {"tiles": sent, "truncated": bool(left)}))
    return "".join(parts)


def stream_tiles_text(caller: Caller, dashboard_id: str) -> str:
    """The same events as plain text (format=txt)."""
    events = [{"event": name, **data} for name, data in stream_events(caller, dashboard_id)]
    events.append({"event": "done", "tiles": len(events) - 1, "truncated": False})
    return render(events, 200)
