"""Dashboard insights: DynamoDB calls and items per GET /dashboards/{id}/run_insights by tile
count, cache miss (refresh=force_blocking, and the first blocking request) against cache hit
(blocking within the TTL), and per snapshot / analyze_refresh_result / stream_tiles.

Each tile reads its own metric (30 days of daily points, written through the real push path) so
no tile shares a read with another. The handler runs in-process with the authorizer's context
set directly: the counts are the function's own calls, the rate-limit UpdateItem included.
Counts are what the code asks DynamoDB for, whatever the emulator's speed."""

from __future__ import annotations

import contextlib
import json
import time
from typing import Any

from bench.harness import Results, api_event, count_dynamodb, sized

TILE_COUNTS = sized((1, 5, 10, 25, 50), (1, 10))  # 10 at least: the snapshot's dashboard
DAY = 86_400_000
DAYS = sized(30, 7)


def _event(
    tenant: dict[str, Any], method: str, resource: str, dashboard_id: str, **query: Any
) -> dict[str, Any]:
    body = query.pop("body", None)
    return api_event(tenant, method, resource, {"dashboardId": dashboard_id}, query, body)


def _dashboard(caller: Any, project_id: str, tiles: int) -> str:
    from tallyboard.logic.dashboards import dashboards, widgets
    from tallyboard.models.dashboards.dashboards import CreateDashboardRequest
    from tallyboard.models.dashboards.widgets import CreateWidgetRequest

    request = CreateDashboardRequest(projectId=project_id, name=f"Bench {tiles} tiles")
    dashboard_id = dashboards.create(caller, request).data.id
    for index in range(tiles):
        body = {
            "type": "chart",
            "title": f"Metric {index}",
            "config": {"metricId": f"bench_{index}", "timeRange": "30d"},
        }
        widgets.create(caller, dashboard_id, CreateWidgetRequest.model_validate(body))
    return dashboard_id


def _measure(
    results: Results, stack: Any, tenant: dict[str, Any], name: str, event: dict[str, Any]
) -> dict[str, Any]:
    function = {
        "/dashboards/{dashboardId}/run_insights": "RunInsightsFunction",
        "/dashboards/{dashboardId}/snapshot": "SnapshotDashboardFunction",
        "/dashboards/{dashboardId}/analyze_refresh_result": "AnalyzeRefreshResultFunction",
        "/dashboards/{dashboardId}/stream_tiles": "StreamTilesFunction",
    }[event["resource"]]
    began = time.perf_counter()
    with count_dynamodb() as counter:
        response = stack.functions.invoke(function, event)
    took = time.perf_counter() - began
    assert response["statusCode"] == 200, response.get("body")
    results.record(
        name,
        {
            "calls": counter.calls,
            "items_read": counter.items_read,
            "items_written": counter.items_written,
            "by_operation": dict(sorted(counter.by_operation.items())),
            "ms_against_moto": round(took * 1000, 1),
        },
        echo=False,
    )
    print(
        f"  {name:<52} {counter.calls:>4} calls {counter.items_read:>5} read "
        f"{counter.items_written:>3} written  {dict(sorted(counter.by_operation.items()))}",
        flush=True,
    )
    return response


def run(results: Results) -> None:
    from tallyboard.auth import Caller
    from tallyboard.ids import now_ms
    from tallyboard.logic import metrics, workspaces
    from tallyboard.plans import get_plan
    from tallyboard_local.stack import LocalStack

    stack = LocalStack(port=0).start()
    try:
        tenant = workspaces.bootstrap("enterprise", rate_limit_per_hour=1_000_000)
        ws, project = tenant["workspaceId"], tenant["projectId"]
        caller = Caller(
            ws, tenant["userId"], tenant["keyId"], "owner", (), (), get_plan("enterprise"), 1_000_000
        )
        now = now_ms()
        points = [
            {"metricId": f"bench_{index}", "value": float(day + index), "timestamp": now - day * DAY}
            for index in range(max(TILE_COUNTS))
            for day in range(1, DAYS + 1)
        ]
        for start in range(0, len(points), 1000):
            metrics.record_points(ws, project, points[start : start + 1000])
        pump = getattr(stack, "streams", None)  # the local stream consumer (rollup aggregator)
        if pump is not None:
            pump.drain(timeout_s=300)
        with pump.held() if pump is not None else contextlib.nullcontext():
            _insights(results, stack, tenant, caller, project)
    finally:
        stack.stop()


def _insights(results: Results, stack: Any, tenant: dict[str, Any], caller: Any, project: str) -> None:
    """Measured with the stream consumer held: its polling and folding are not the request's."""
    path = "/dashboards/{dashboardId}/run_insights"
    warm = _dashboard(caller, project, 1)
    stack.functions.invoke("RunInsightsFunction", _event(tenant, "GET", path, warm))  # import, project cache
    print(f"  DynamoDB per request ({DAYS} daily points per tile's metric):", flush=True)
    for tiles in TILE_COUNTS:
        dashboard_id = _dashboard(caller, project, tiles)
        prefix = f"dashboards.run_insights.{tiles}_tiles"
        _measure(
            results,
            stack,
            tenant,
            f"{prefix}.first_blocking_miss",
            _event(tenant, "GET", path, dashboard_id),
        )
        hit = _measure(
            results, stack, tenant, f"{prefix}.blocking_hit", _event(tenant, "GET", path, dashboard_id)
        )
        assert all(t["cached"] for t in json.loads(hit["body"])["tiles"])
        _measure(
            results,
            stack,
            tenant,
            f"{prefix}.force_blocking",
            _event(tenant, "GET", path, dashboard_id, refresh="force_blocking"),
        )
        _measure(
            results,
            stack,
            tenant,
            f"{prefix}.force_cache",
            _event(tenant, "GET", path, dashboard_id, refresh="force_cache"),
        )
    dashboard_id = _dashboard(caller, project, 10)
    snapshot = _measure(
        results,
        stack,
        tenant,
        "dashboards.snapshot.10_tiles_cold",
        _event(tenant, "POST", "/dashboards/{dashboardId}/snapshot", dashboard_id),
    )
    key = json.loads(snapshot["body"])["cache_key"]
    _measure(
        results,
        stack,
        tenant,
        "dashboards.analyze_refresh_result.10_tiles",
        _event(
            tenant,
            "POST",
            "/dashboards/{dashboardId}/analyze_refresh_result",
            dashboard_id,
            body={"cache_key": key},
        ),
    )
    _measure(
        results,
        stack,
        tenant,
        "dashboards.stream_tiles.10_tiles_cached",
        _event(tenant, "GET", "/dashboards/{dashboardId}/stream_tiles", dashboard_id),
    )
