"""POST /dashboards/{id}/run_insights: every tile computed or served from the cache."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.logic.insights.tiles import CACHE_TTL_SECONDS, compute, visible_dashboard
from tallyboard.models.dashboards.insights import (
    InsightTile,
    OptimizedTile,
    RunInsightsQuery,
    RunInsightsResponse,
)


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
    dashboard, widgets = visible_dashboard(caller, dashboard_id)
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
