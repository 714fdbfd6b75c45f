"""Metrics: time-series reads cost O(buckets), not O(points); the writes per pushed point; and
points/s through POST /metrics/custom/batch in-process.

One metric gets a year of per-minute points (525,600): the data layer's bulk items (points,
rollups computed in memory, catalog) put straight into moto's in-process table.

Every moto transaction costs a copy of the table (see tallyboard_local/moto_fixes.py), so push
throughput is measured first, on a small table: a lower bound set by moto, not a DynamoDB
figure. Items read and calls are what the code asks for, whatever the emulator's speed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from bench.harness import Results, api_event, count_dynamodb, sized

YEAR_START = datetime(2025, 1, 1, tzinfo=UTC)
MINUTE = 60_000
# the year's points a minute apart (short: an hour apart, still every bucket of every case)
YEAR_STEP = sized(MINUTE, 60 * MINUTE)
POINTS_PER_YEAR = 365 * 24 * 60 * MINUTE // YEAR_STEP  # 2025 has 365 days
BATCH_SIZE = sized(1000, 100)
THROUGHPUT_BATCHES = sized(5, 2)
SINGLE_PUSHES = sized(20, 5)


def _points(start_ms: int, count: int, step_ms: int, metric_id: str) -> list[dict[str, Any]]:
    return [
        {"metricId": metric_id, "value": float(i % 1000), "timestamp": start_ms + i * step_ms}
        for i in range(count)
    ]


def _writes(results: Results, stack: Any, tenant: dict[str, Any]) -> None:
    start = int(YEAR_START.timestamp() * 1000)
    invoke = stack.functions.invoke

    def push(body: dict[str, Any]) -> None:
        response = invoke("PushCustomMetricFunction", api_event(tenant, "POST", "/metrics/custom", body=body))
        assert response["statusCode"] == 201, response["body"]

    # Warm the containers (module import, project cache) outside the counts.
    push({"projectId": tenant["projectId"], "metricId": "warm", "value": 1})
    batch = {"projectId": tenant["projectId"], "points": _points(start, 2, MINUTE, "warm")}
    warm = api_event(tenant, "POST", "/metrics/custom/batch", body=batch)
    assert invoke("PushCustomMetricBatchFunction", warm)["statusCode"] == 201

    with count_dynamodb() as counter:
        for i in range(SINGLE_PUSHES):
            push(
                {
                    "projectId": tenant["projectId"],
                    "metricId": "single",
                    "value": i,
                    "timestamp": start + i * MINUTE,
                }
            )
    results.record("metrics.push_single.dynamodb_calls_per_point", round(counter.calls / SINGLE_PUSHES, 2))
    results.record(
        "metrics.push_single.items_written_per_point", round(counter.items_written / SINGLE_PUSHES, 2)
    )
    results.record("metrics.push_single.calls_by_operation", dict(counter.by_operation))

    elapsed = 0.0
    with count_dynamodb() as counter:
        for n in range(THROUGHPUT_BATCHES):
            points = _points(start + n * BATCH_SIZE * MINUTE, BATCH_SIZE, MINUTE, "batched")
            body = {"projectId": tenant["projectId"], "points": points}
            event = api_event(tenant, "POST", "/metrics/custom/batch", body=body)
            began = time.perf_counter()
            response = invoke("PushCustomMetricBatchFunction", event)
            elapsed += time.perf_counter() - began
            assert response["statusCode"] == 201, response["body"]
    pushed = THROUGHPUT_BATCHES * BATCH_SIZE
    results.record("metrics.push_batch.dynamodb_calls_per_point", round(counter.calls / pushed, 4))
    results.record("metrics.push_batch.items_written_per_point", round(counter.items_written / pushed, 3))
    results.record("metrics.push_batch.calls_per_1000_point_request", counter.calls / THROUGHPUT_BATCHES)
    results.record("metrics.push_batch.calls_by_operation", dict(counter.by_operation))
    results.record("metrics.push_batch.points_per_second", round(pushed / elapsed), "points/s")


def _load_into_moto(items: Any) -> None:
    """The data layer's own items (bulk_items: points, rollups, catalog) straight into moto's
    in-process table. BatchWriteItem over moto's HTTP server moves a few hundred items/s here
    (botocore + werkzeug per call, and moto re-sizes an item on every attribute it sets), so
    535k items would take most of an hour; this builds moto's Item objects directly, skipping
    only moto's per-attribute size re-validation (every item here is a few hundred bytes)."""
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict

    from tallyboard.settings import get_settings
    from tallyboard_local.stack import ACCOUNT, REGION

    table = dynamodb_backends[ACCOUNT][REGION].get_table(get_settings().metrics_table)
    for attrs in items:
        item = Item.__new__(Item)
        item.hash_key, item.range_key = DynamoType(attrs["pk"]), DynamoType(attrs["sk"])
        item.attrs = LimitedSizeDict.__new__(LimitedSizeDict)
        for name, value in attrs.items():
            dict.__setitem__(item.attrs, name, DynamoType(value))
        table.items[item.hash_key][item.range_key] = item


def _reads(results: Results, tenant: dict[str, Any]) -> None:
    from tallyboard.auth import Caller
    from tallyboard.data.metrics import writes as metric_writes
    from tallyboard.logic import metrics
    from tallyboard.models.metrics import TimeseriesQuery
    from tallyboard.plans import get_plan

    ws, proj = tenant["workspaceId"], tenant["projectId"]
    start = int(YEAR_START.timestamp() * 1000)
    raw = [
        {
            "id": f"metric_bench{i:09d}",
            "projectId": proj,
            "connectionId": None,
            "service": "custom",
            "metricId": "year_metric",
            "metricName": "A year of minutes",
            "value": float(i % 1440),
            "unit": "count",
            "timestamp": start + i * YEAR_STEP,
            "metadata": {},
            "createdAt": start + i * YEAR_STEP,
        }
        for i in range(POINTS_PER_YEAR)
    ]
    began = time.perf_counter()
    catalog = {"year_metric": metrics.catalog_entry("year_metric", unit="count")}
    _load_into_moto(metric_writes.bulk_items(ws, proj, raw, catalog))
    results.record("metrics.load.points", len(raw))
    results.record("metrics.load.seconds", round(time.perf_counter() - began, 1), "s")
    del raw

    caller = Caller(ws, tenant["userId"], tenant["keyId"], "owner", (), (), get_plan("enterprise"), 1_000_000)
    cases = {
        "year_day": ("2025-01-01T00:00:00Z", "2025-12-31T23:59:59Z", "day"),
        "month_hour": ("2025-03-01T00:00:00Z", "2025-03-31T23:59:59Z", "hour"),
        "year_month": ("2025-01-01T00:00:00Z", "2025-12-31T23:59:59Z", "month"),
    }
    warm = TimeseriesQuery(projectId=proj, startDate="2025-01-01", endDate="2025-01-31", interval="month")
    metrics.timeseries(caller, "year_metric", warm)  # the project access check is cached per container
    for name, (first, last, interval) in cases.items():
        query = TimeseriesQuery(projectId=proj, startDate=first, endDate=last, interval=interval)
        began = time.perf_counter()
        with count_dynamodb() as counter:
            response = metrics.timeseries(caller, "year_metric", query)
        took = time.perf_counter() - began
        buckets = len(response.data)
        results.record(f"metrics.timeseries.{name}.buckets", buckets)
        results.record(f"metrics.timeseries.{name}.items_read", counter.items_read)
        results.record(f"metrics.timeseries.{name}.dynamodb_calls", counter.calls)
        results.record(f"metrics.timeseries.{name}.ms_against_moto", round(took * 1000, 1), "ms")
        # + the catalog entry and the folded total read twice (the bracket around the pending Query)
        assert counter.items_read <= buckets + 3, (name, counter.items_read, buckets)
    count_query = TimeseriesQuery(
        projectId=proj,
        startDate="2025-01-01",
        endDate="2025-12-31T23:59:59Z",
        interval="month",
        aggregation="count",
    )
    total = sum(p.value for p in metrics.timeseries(caller, "year_metric", count_query).data)
    assert total == POINTS_PER_YEAR, total


def run(results: Results) -> None:
    from tallyboard.logic import workspaces
    from tallyboard_local.stack import LocalStack

    stack = LocalStack(port=0).start()
    try:
        tenant = workspaces.bootstrap("enterprise", rate_limit_per_hour=1_000_000)
        _writes(results, stack, tenant)
        # The counter sees every client of the process: the aggregator folding the pushes above
        # must be done (and stay still) while a read is counted, as bench_scale's reads do.
        stack.streams.drain(timeout_s=300)
        with stack.streams.held():
            _reads(results, tenant)
    finally:
        stack.stop()
