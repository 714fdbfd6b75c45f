"""Analytics at scale: ingestion under concurrency and what a list or a series costs in a big
project.

(a) Ingest: 1, 10 and 20 concurrent writers (25 single pushes each) into one metric, and 20
    writers into 20 metrics, through the real handlers in-process: accepted and refused pushes,
    points/s (moto's, a lower bound), DynamoDB items written per point on the request path, then
    the aggregator's batches (stream records per invocation, items written per batch) once the
    local stream pump has drained, and whether the folded count is exact.
(b) A project of 2,000 metrics of 50 points (bulk-loaded: points, rollups, catalog and project
    counts as the aggregator would have left them): DynamoDB calls and items read for GET
    /metrics without and with a range, with metricIds, at offset 9,000, and by cursor on page
    100; and a series read with a fresh tail of pending points.

Counts are what the code asks DynamoDB for (whole requests: rate limit and access check
included), whatever the emulator's speed."""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench.harness import Results, api_event, count_dynamodb, sized

DAY = 86_400_000
PUSHES_PER_WRITER = sized(25, 3)
# (writers, metrics) of each ingest run
INGESTS = sized(((1, 1), (10, 1), (20, 1), (20, 20)), ((1, 1), (4, 1), (4, 4)))
METRICS = sized(2_000, 100)
POINTS_PER_METRIC = sized(50, 20)
DEEP_OFFSET = sized(9_000, 1_500)
CURSOR_PAGE = sized(100, 10)  # the page a cursor walk of limit 10 reports
# ~70 days of points whatever the size (the ranges below cut through them)
POINT_STEP_MS = 61_000 * 100_000 // (METRICS * POINTS_PER_METRIC)


def _ingest(results: Results, stack: Any, writers: int, metrics: int) -> None:
    from tallyboard.data.metrics import reads as metric_reads
    from tallyboard.logic import workspaces

    tenant = workspaces.bootstrap("enterprise", rate_limit_per_hour=100_000_000)
    base = 1_717_200_000_000

    def push(writer: int) -> list[int]:
        statuses = []
        for i in range(PUSHES_PER_WRITER):
            body = {
                "projectId": tenant["projectId"],
                "metricId": f"m{writer % metrics}",
                "value": 1,
                "timestamp": base + writer * 1_000 + i,
            }
            response = stack.functions.invoke(
                "PushCustomMetricFunction",
                api_event(tenant, "POST", "/metrics/custom", body=body),
            )
            statuses.append(response["statusCode"])
        return statuses

    name = f"scale.ingest.{writers}_writers_{metrics}_metric{'s' if metrics > 1 else ''}"
    batches: list[int] = []
    invoke = stack.functions.invoke

    def counting_invoke(logical_id: str, event: Any) -> Any:
        if logical_id == "AggregateMetricsFunction":
            batches.append(len(event["Records"]))
        return invoke(logical_id, event)

    with stack.streams.held(), count_dynamodb() as writes:
        began = time.perf_counter()
        with ThreadPoolExecutor(writers) as pool:
            statuses = [s for batch in pool.map(push, range(writers)) for s in batch]
        elapsed = time.perf_counter() - began
    pushed = writers * PUSHES_PER_WRITER
    stack.functions.invoke = counting_invoke  # type: ignore[method-assign]
    try:
        with count_dynamodb() as folds:
            stack.streams.drain(timeout_s=300)
    finally:
        stack.functions.invoke = invoke  # type: ignore[method-assign]
    folded = metric_reads.folded_total(tenant["workspaceId"], tenant["projectId"])
    results.record(f"{name}.accepted", statuses.count(201))
    results.record(f"{name}.refused", pushed - statuses.count(201))
    results.record(f"{name}.points_per_second_moto", round(pushed / elapsed), "points/s")
    results.record(f"{name}.request_items_written_per_point", round(writes.items_written / pushed, 2))
    results.record(f"{name}.aggregator_batches", len(batches))
    results.record(f"{name}.aggregator_records_per_batch", round(sum(batches) / max(len(batches), 1), 1))
    results.record(
        f"{name}.aggregator_items_written_per_batch", round(folds.items_written / max(len(batches), 1), 1)
    )
    results.record(f"{name}.folded_count_exact", folded == pushed == statuses.count(201))


def _load_project(tenant: dict[str, Any]) -> int:
    """METRICS metrics of POINTS_PER_METRIC points, as the aggregator leaves them, straight into moto."""
    from bench.bench_metrics import _load_into_moto
    from tallyboard.data import dynamo
    from tallyboard.data.metrics import fold as metric_fold
    from tallyboard.data.metrics import writes as metric_writes
    from tallyboard.logic import metrics

    ws, proj = tenant["workspaceId"], tenant["projectId"]
    start = 1_704_067_200_000  # 2024-01-01
    points, catalog = [], {}
    for m in range(METRICS):
        metric_id = f"metric_{m:04d}"
        catalog[metric_id] = metrics.catalog_entry(metric_id)
        for i in range(POINTS_PER_METRIC):
            timestamp = start + (m * POINTS_PER_METRIC + i) * POINT_STEP_MS
            points.append(
                {
                    "id": f"metric_{m:04d}{i:016d}",
                    "projectId": proj,
                    "connectionId": None,
                    "service": "custom",
                    "metricId": metric_id,
                    "metricName": metric_id,
                    "value": float(i),
                    "unit": None,
                    "timestamp": timestamp,
                    "metadata": {},
                    "createdAt": timestamp,
                }
            )
    counts = metric_fold.project_count_items(ws, proj, points)
    _load_into_moto(metric_writes.bulk_items(ws, proj, points, catalog))
    _load_into_moto(dynamo.to_item({"pk": pk, "sk": sk, "count": n}) for (pk, sk), n in counts.items())
    return start


def _lists(results: Results, stack: Any) -> None:
    from tallyboard import timeutil
    from tallyboard.logic import workspaces

    tenant = workspaces.bootstrap("enterprise", rate_limit_per_hour=100_000_000)
    start = _load_project(tenant)
    proj = tenant["projectId"]
    ranged = {"startDate": "2024-01-15T10:30:15Z", "endDate": "2024-02-20T08:12:47Z"}
    months = {"startDate": "2023-12-15T10:30:15.123Z", "endDate": "2024-03-20T08:12:47.456Z"}

    def list_metrics(name: str, query: dict[str, str]) -> dict[str, Any]:
        event = api_event(tenant, "GET", "/metrics", query={"projectId": proj, **query})
        with count_dynamodb() as counter:
            response = stack.functions.invoke("ListMetricsFunction", event)
        assert response["statusCode"] == 200, response["body"]
        body = json.loads(response["body"])
        if name:
            results.record(f"scale.list.{name}.dynamodb_calls", counter.calls)
            results.record(f"scale.list.{name}.items_read", counter.items_read)
        return body

    list_metrics("", {"limit": "1"})  # a warm container (the project's access check is cached)
    whole = list_metrics("no_range", {"limit": "100"})
    assert whole["pagination"]["total"] == METRICS * POINTS_PER_METRIC
    for name, dates in (("range", ranged), ("range_months", months)):
        page = list_metrics(name, {"limit": "100", **dates})
        lo, hi = (timeutil.parse_iso(dates[k], k) for k in ("startDate", "endDate"))
        in_range = sum(lo <= start + k * POINT_STEP_MS <= hi for k in range(METRICS * POINTS_PER_METRIC))
        assert page["pagination"]["total"] == in_range, (name, page["pagination"], in_range)
    three = f"metric_0001,metric_{METRICS // 4:04d},metric_{METRICS - 1:04d}"
    list_metrics("metric_ids_3", {"limit": "100", "metricIds": three})
    list_metrics("metric_ids_3_range", {"limit": "100", "metricIds": three, **months})
    list_metrics(f"offset_{DEEP_OFFSET}", {"limit": "10", "offset": str(DEEP_OFFSET)})
    cursor = None
    for _ in range(CURSOR_PAGE - 1):
        cursor = list_metrics("", {"limit": "10", **({"cursor": cursor} if cursor else {})})["pagination"][
            "nextCursor"
        ]
    page = list_metrics(f"cursor_page_{CURSOR_PAGE}", {"limit": "10", "cursor": cursor})
    assert page["pagination"]["offset"] == 10 * (CURSOR_PAGE - 1)

    # a fresh tail: 10 pushes the aggregator has not folded yet
    with stack.streams.held():
        for i in range(10):
            body = {"projectId": proj, "metricId": "metric_0001", "value": 1, "timestamp": start + DAY + i}
            stack.functions.invoke(
                "PushCustomMetricFunction",
                api_event(tenant, "POST", "/metrics/custom", body=body),
            )
        event = api_event(
            tenant,
            "GET",
            "/metrics/{metricId}/timeseries",
            {"metricId": "metric_0001"},
            query={"projectId": proj, "startDate": "2024-01-01", "endDate": "2024-03-31", "interval": "day"},
        )
        stack.functions.invoke("GetMetricTimeseriesFunction", event)  # warm
        with count_dynamodb() as counter:
            response = stack.functions.invoke("GetMetricTimeseriesFunction", event)
        assert response["statusCode"] == 200, response["body"]
        buckets = len(json.loads(response["body"])["data"])
        results.record("scale.series_fresh_tail.buckets", buckets)
        results.record("scale.series_fresh_tail.pending_points", 10)
        results.record("scale.series_fresh_tail.dynamodb_calls", counter.calls)
        results.record("scale.series_fresh_tail.items_read", counter.items_read)


def run(results: Results) -> None:
    from botocore.config import Config

    from tallyboard.data import aws
    from tallyboard_local.stack import LocalStack

    # moto answers an index Query by walking the whole table (100,000 points here): the API's
    # 10 s read timeout is for DynamoDB, not for the emulator. Counts, not times, are measured.
    aws._CONFIG = aws._CONFIG.merge(Config(read_timeout=300))
    stack = LocalStack(port=0).start()
    try:
        for writers, metrics in INGESTS:
            _ingest(results, stack, writers, metrics)
        _lists(results, stack)
    finally:
        stack.stop()
