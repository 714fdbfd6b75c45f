"""POST /dashboards/{id}/analyze_refresh_result: each tile against a snapshot, the biggest
movers and a summary in words."""

from __future__ import annotations

import re
from typing import Any

from tallyboard import timeutil
from tallyboard.auth import Caller
from tallyboard.data.dashboards import insights as cache
from tallyboard.errors import ApiError, NotFound
from tallyboard.ids import now_ms
from tallyboard.logic.insights.snapshot_dashboard import SNAPSHOT_TTL_SECONDS
from tallyboard.logic.insights.tiles import INSIGHT_TYPES, as_number, compute, visible_dashboard
from tallyboard.models.dashboards.insights import AnalyzeResponse, TileChange
from tallyboard.text_format import visible_controls


class SnapshotGone(ApiError):
    status = 410
    error = "Gone"


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
        absolute = as_number(after_value - before_value)
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
        direction=direction,
    )


def _fmt(value: float | int | None, unit: str | None = None) -> str:
    if value is None:
        return "no data"
    text = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{text} {unit}" if unit and unit not in ("count",) else text


def _names(changes: list[TileChange]) -> str:
    return ", ".join(c.title for c in changes)


def _phrase(change: TileChange) -> str:
    verb = "rose" if change.direction == "up" else "fell"
    span = f"({_fmt(change.before, change.unit)} → {_fmt(change.after, change.unit)})"
    if change.relativeChange is not None:
        return f"{change.title} {verb} {abs(change.relativeChange):g}% {span}"
    return f"{change.title} {verb} by {_fmt(abs(change.absoluteChange or 0), change.unit)} {span}"


def summarize(changes: list[TileChange], movers: list[TileChange], snapshot_at: int) -> str:
    """A short plain-language summary, the same for the same figures."""
    when = timeutil.to_datetime(snapshot_at).strftime("%Y-%m-%d %H:%M UTC")
    compared = [c for c in changes if c.direction not in ("added", "removed")]
    if not changes:
        return "This dashboard has no insight tiles to compare."
    moved = [c for c in compared if c.direction in ("up", "down", "appeared", "disappeared")]
    parts = [f"Since the snapshot of {when}, {len(moved)} of {len(compared)} tile(s) changed."]
    if movers:
        parts.append(f"Biggest mover: {_phrase(movers[0])}.")
        if len(movers) > 1:
            parts.append("Also: " + "; ".join(_phrase(m) for m in movers[1:]) + ".")
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
    dashboard, widgets = visible_dashboard(caller, dashboard_id)
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
