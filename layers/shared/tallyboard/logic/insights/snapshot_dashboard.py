"""POST /dashboards/{id}/snapshot: the tiles' values kept under a cache key for a day."""

from __future__ import annotations

import secrets
from typing import Any

from tallyboard.auth import Caller
from tallyboard.data.dashboards import insights as cache
from tallyboard.ids import now_ms
from tallyboard.logic import audit
from tallyboard.logic.insights.tiles import INSIGHT_TYPES, compute, visible_dashboard
from tallyboard.models.dashboards.insights import SnapshotResponse, SnapshotTile

SNAPSHOT_TTL_SECONDS = 24 * 3600


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
    dashboard, widgets = visible_dashboard(caller, dashboard_id)
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
