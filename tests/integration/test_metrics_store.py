"""Metrics logic and data access against moto: rollups exactly once (retries, out of order,
concurrency), totals from rollups, retention with a fake clock, idempotency in progress."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from tallyboard import ids, timeutil
from tallyboard.auth import Caller
from tallyboard.data import audit as audit_store
from tallyboard.data import dynamo
from tallyboard.data.metrics import fold as metric_fold
from tallyboard.data.metrics import keys as metric_keys
from tallyboard.data.metrics import reads as metric_reads
from tallyboard.data.metrics import writes as metric_writes
from tallyboard.errors import Conflict
from tallyboard.logic import metrics
from tallyboard.models.metrics import ListMetricsQuery, TimeseriesQuery
from tallyboard.plans import get_plan
from tallyboard_local.stack import LocalStack
from tests.conftest import Tenant

HOUR = 3_600_000
DAY = 24 * HOUR


def ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


def caller_for(tenant: Tenant, plan: str | None = None, role: str = "owner") -> Caller:
    return Caller(
        workspace_id=tenant.workspace_id,
        user_id=tenant.user_id,
        key_id=tenant.key_id,
        role=role,
        scopes=(),
        project_ids=(),
        plan=get_plan(plan or tenant.plan),
        rate_limit=1000,
    )


def point(metric_id: str, ts: int, value: float, point_id: str | None = None) -> dict[str, Any]:
    return {
        "id": point_id or ids.new_id("metric"),
        "projectId": "p",
        "connectionId": None,
        "service": "custom",
        "metricId": metric_id,
        "metricName": metric_id,
        "value": value,
        "unit": None,
        "timestamp": ts,
        "metadata": {},
        "createdAt": ts,
    }


def series(tenant: Tenant, metric_id: str, start: str, end: str, **kw: Any) -> list[tuple[int, float]]:
    response = metrics.timeseries(
        caller_for(tenant),
        metric_id,
        TimeseriesQuery(startDate=start, endDate=end, projectId=tenant.project_id, **kw),
    )
    return [(p.timestamp, p.value) for p in response.data]


@pytest.fixture
def scale(make_tenant: Callable[..., Tenant]) -> Tenant:
    return make_tenant("scale")


def test_a_retried_write_is_counted_once(scale: Tenant, stack: Any) -> None:
    ws, proj = scale.workspace_id, scale.project_id
    points = [point("retry", ms(2024, 1, 1, h), h) for h in range(5)]
    catalog = {"retry": metrics.catalog_entry("retry")}

    metric_writes.write_points(ws, proj, points, catalog)
    metric_writes.write_points(ws, proj, points, catalog)  # e.g. the client timed out and sent it again

    assert series(scale, "retry", "2024-01-01", "2024-01-01T23:59:59Z", aggregation="count") == [
        (ms(2024, 1, 1), 5)
    ]
    stack.streams.drain()
    assert metric_reads.get_catalog(ws, proj, "retry")["pointCount"] == 5


def test_out_of_order_writes_give_the_same_rollups(scale: Tenant) -> None:
    ws, proj = scale.workspace_id, scale.project_id
    start = ms(2024, 2, 26)  # a Monday
    values = [(start + i * 5 * HOUR + 17_000, float((i * 37) % 11)) for i in range(60)]
    shuffled = values[:]
    random.Random(7).shuffle(shuffled)
    catalog = {"ooo": metrics.catalog_entry("ooo")}
    for ts, value in shuffled:  # one write each, oldest not first
        metric_writes.write_points(ws, proj, [point("ooo", ts, value)], catalog)

    for interval in ("hour", "day", "week", "month"):
        for aggregation in ("sum", "count", "min", "max", "last", "avg"):
            expected: dict[int, list[tuple[int, float]]] = {}
            for ts, value in values:
                expected.setdefault(timeutil.bucket_start(ts, interval), []).append((ts, value))
            want = []
            for bucket, items in sorted(expected.items()):
                vals = [v for _, v in items]
                want.append(
                    (
                        bucket,
                        {
                            "sum": sum(vals),
                            "count": len(vals),
                            "min": min(vals),
                            "max": max(vals),
                            "last": max(items)[1],
                            "avg": sum(vals) / len(vals),
                        }[aggregation],
                    )
                )
            got = series(
                scale,
                "ooo",
                "2024-02-26T00:00:00Z",
                "2024-03-31T00:00:00Z",
                interval=interval,
                aggregation=aggregation,
            )
            assert [b for b, _ in got] == [b for b, _ in want], (interval, aggregation)
            assert [v for _, v in got] == pytest.approx([v for _, v in want]), (interval, aggregation)


def _pending_records(ws: str, proj: str) -> list[dict[str, Any]]:
    """The pending markers as the stream delivers them (INSERT records with their new image)."""
    from tallyboard.data import dynamo

    return [
        {
            "eventName": "INSERT",
            "dynamodb": {"NewImage": dynamo.to_item(marker), "SequenceNumber": str(100 + n)},
        }
        for n, marker in enumerate(metric_reads.pending(ws, proj))
    ]


def test_a_replayed_or_reordered_stream_batch_changes_nothing(scale: Tenant, stack: Any) -> None:
    ws, proj = scale.workspace_id, scale.project_id
    catalog = {"hot": metrics.catalog_entry("hot")}
    stamps = [ms(2024, 4, 1, 12, 10), ms(2024, 4, 1, 12, 30), ms(2024, 4, 1, 9)]  # out of order
    day = "2024-04-01", "2024-04-01T23:00:00Z"
    expected = {"count": 3, "sum": 108, "last": 100}
    with stack.streams.held():
        metric_writes.write_points(
            ws, proj, [point("hot", ts, v) for ts, v in zip(stamps, (1, 100, 7), strict=True)], catalog
        )
        records = _pending_records(ws, proj)
        assert len(records) == 3 and metric_reads.folded_total(ws, proj) == 0
        for aggregation, value in expected.items():  # not folded yet: the reads count them
            assert series(scale, "hot", *day, aggregation=aggregation) == [(ms(2024, 4, 1), value)]

    stack.streams.drain()
    assert metric_reads.pending(ws, proj) == [] and metric_reads.folded_total(ws, proj) == 3
    # the same batch again, then its records reversed, then a half of it: nothing moves
    for replay in (records, records[::-1], records[1:]):
        assert metrics.aggregate({"Records": replay}) == {"batchItemFailures": []}
    for aggregation, value in expected.items():
        assert series(scale, "hot", *day, aggregation=aggregation) == [(ms(2024, 4, 1), value)]
    assert metric_reads.get_catalog(ws, proj, "hot")["pointCount"] == 3
    assert metric_reads.folded_total(ws, proj) == 3
    assert (
        metric_reads.count_project(ws, proj)
        == 3
        == metric_reads.count_project(ws, proj, ms(2024, 4, 1), ms(2024, 4, 2))
    )


def test_point_counts_are_exact_before_and_after_the_fold(scale: Tenant, stack: Any) -> None:
    """What an export's Prepare splits into segments by: every metric, pending points included."""
    ws, proj = scale.workspace_id, scale.project_id
    catalog = {m: metrics.catalog_entry(m) for m in ("seg_a", "seg_b")}
    points = [point("seg_a", ms(2024, 5, 1, h), 1) for h in range(3)] + [point("seg_b", ms(2024, 5, 2), 1)]
    with stack.streams.held():
        metric_writes.write_points(ws, proj, points, catalog)
        assert metric_reads.get_catalog(ws, proj, "seg_a").get("pointCount", 0) == 0  # not folded yet
        assert metric_reads.point_counts(ws, proj) == {"seg_a": 3, "seg_b": 1}
    stack.streams.drain()
    assert metric_reads.get_catalog(ws, proj, "seg_a")["pointCount"] == 3
    assert metric_reads.point_counts(ws, proj) == {"seg_a": 3, "seg_b": 1}  # folded: still counted once


def test_a_pushed_point_the_index_has_not_caught_up_with_is_counted_in_a_range_edge(
    scale: Tenant, stack: Any
) -> None:
    """The project index (a GSI) is eventually consistent; a ranged total counts its part-second
    edges there, and a point pushed a moment ago is counted by its pending marker instead."""
    from tallyboard.data.aws import dynamodb

    ws, proj = scale.workspace_id, scale.project_id
    noon = ms(2024, 6, 1, 12)
    lagging = point("lagging", noon + 123, 5)  # in a part-second: an edge of either range below
    item = metric_keys.point_item(ws, proj, lagging)
    with stack.streams.held():
        table = dynamo.table("metrics")
        unindexed = {k: v for k, v in item.items() if k not in ("gsi1pk", "gsi1sk")}
        dynamodb().put_item(TableName=table, Item=unindexed)  # stored, not in the index yet
        dynamodb().put_item(TableName=table, Item=metric_writes._pending_item(ws, proj, lagging))
        assert metric_reads.count_project(ws, proj, noon + 100, noon + 500) == 1  # to the millisecond
        assert metric_reads.count_project(ws, proj, noon - 3_600_000, noon + 123) == 1  # ends on it
        dynamodb().put_item(TableName=table, Item=item)  # the index catches up: counted once
        assert metric_reads.count_project(ws, proj, noon + 100, noon + 500) == 1
    stack.streams.drain()
    assert (
        metric_reads.count_project(ws, proj, noon + 100, noon + 500)
        == 1
        == metric_reads.count_project(ws, proj)
    )


def test_bulk_import_matches_the_transactional_path(scale: Tenant) -> None:
    ws, proj = scale.workspace_id, scale.project_id
    values = [(ms(2024, 7, 1) + i * 37 * 60_000, float(i % 9)) for i in range(100)]
    metric_writes.bulk_import(
        ws, proj, [point("bulk", ts, v) for ts, v in values], {"bulk": metrics.catalog_entry("bulk")}
    )
    metric_writes.write_points(
        ws, proj, [point("txn", ts, v) for ts, v in values], {"txn": metrics.catalog_entry("txn")}
    )

    for aggregation in ("sum", "count", "last", "min", "max"):
        window = ("2024-07-01", "2024-07-31", "hour")
        bulk = series(scale, "bulk", *window[:2], interval=window[2], aggregation=aggregation)
        txn = series(scale, "txn", *window[:2], interval=window[2], aggregation=aggregation)
        assert bulk == txn and len(bulk) > 50
    assert metric_reads.get_catalog(ws, proj, "bulk")["pointCount"] == 100


def test_total_from_rollups_matches_a_raw_count(scale: Tenant) -> None:
    ws, proj = scale.workspace_id, scale.project_id
    base = ms(2024, 1, 30)
    stamps = [base + i * 97 * 60_000 for i in range(150)]  # every 97 minutes over ~10 days
    metric_writes.write_points(
        ws, proj, [point("cnt", ts, 1) for ts in stamps], {"cnt": metrics.catalog_entry("cnt")}
    )

    rng = random.Random(3)
    for _ in range(6):
        lo = base + rng.randrange(-DAY, 11 * DAY)
        hi = lo + rng.randrange(0, 9 * DAY)
        want = sum(lo <= ts <= hi for ts in stamps)
        assert (
            metric_reads.count_metrics(ws, proj, ["cnt"], lo, hi)
            == want
            == metric_reads.count_project(ws, proj, lo, hi)
        )


def test_retention_hides_old_points_before_ttl_deletes_them(
    make_tenant: Callable[..., Tenant], monkeypatch: pytest.MonkeyPatch
) -> None:
    tenant = make_tenant("free")  # free: 3 days of retention (and no API access: logic level)
    free = caller_for(tenant, "free")
    now = ms(2024, 6, 10, 12)
    monkeypatch.setattr(ids, "now_ms", lambda: now)
    points = [
        {"metricId": "kept", "value": 1, "timestamp": now - 5 * DAY},  # past retention
        {"metricId": "kept", "value": 2, "timestamp": now - 3 * DAY - HOUR},  # past, same day as next
        {"metricId": "kept", "value": 4, "timestamp": now - 3 * DAY + HOUR},  # live
        {"metricId": "kept", "value": 8, "timestamp": now - DAY},  # live
    ]
    stored = metrics.record_points(tenant.workspace_id, tenant.project_id, points, retention_days=3)

    raw = metric_reads.query_points(tenant.workspace_id, tenant.project_id, "kept", 0, now, 0, 10)
    expiries = {p["id"]: p for p in raw}
    assert len(expiries) == 4  # all still stored (TTL has not run)...

    listed = metrics.list_metrics(free, ListMetricsQuery(projectId=tenant.project_id))
    assert [p.id for p in listed.data] == [stored[3], stored[2]]  # ...but only the live ones are read
    assert listed.pagination.total == 2 and not listed.pagination.hasMore

    response = metrics.timeseries(
        free,
        "kept",
        TimeseriesQuery(projectId=tenant.project_id, startDate="2024-06-01", endDate="2024-06-10T23:00:00Z"),
    )
    assert [(p.timestamp, p.value) for p in response.data] == [(ms(2024, 6, 7), 4), (ms(2024, 6, 9), 8)]
    month = metrics.timeseries(
        free,
        "kept",
        TimeseriesQuery(
            projectId=tenant.project_id, startDate="2024-06-01", endDate="2024-06-30", interval="month"
        ),
    )
    assert [(p.timestamp, p.value) for p in month.data] == [(ms(2024, 6, 1), 12)]

    # A later plan without retention still never reads a point whose TTL has passed.
    scale = caller_for(tenant, "scale")
    relisted = metrics.list_metrics(
        scale, ListMetricsQuery(projectId=tenant.project_id, startDate="2024-01-01")
    )
    assert [p.id for p in relisted.data] == [stored[3], stored[2]]


def test_points_of_unlimited_plans_never_expire(scale: Tenant) -> None:
    (point_id,) = metrics.record_points(
        scale.workspace_id, scale.project_id, [{"metricId": "forever", "value": 1, "timestamp": 0}]
    )
    item = dynamo.get(
        dynamo.table("metrics"),
        dynamo.key(
            pk=metric_keys.point_pk(scale.workspace_id, scale.project_id, "forever"),
            sk=f"{0:013d}#{point_id}",
        ),
    )
    assert item is not None and "expiresAt" not in item


def test_a_concurrent_duplicate_is_a_409_not_a_500(scale: Tenant) -> None:
    caller = caller_for(scale)
    seen: list[Conflict] = []

    def produce(_key: str | None) -> dict[str, Any]:
        try:  # the same key arrives again while the first is still running
            metrics._run_once(
                caller, scale.project_id, "test.op", "dup-1", {"a": 1}, lambda _k: {"ok": 2}, None
            )
        except Conflict as conflict:
            seen.append(conflict)
        return {"ok": 1}

    assert metrics._run_once(caller, scale.project_id, "test.op", "dup-1", {"a": 1}, produce, None) == {
        "ok": 1
    }
    assert len(seen) == 1 and "in progress" in seen[0].message
    # ...and once done, a retry replays the first answer without running anything.
    assert metrics._run_once(
        caller, scale.project_id, "test.op", "dup-1", {"a": 1}, lambda _k: {"ok": 3}, None
    ) == {"ok": 1}


def test_pushes_are_audited(scale: Tenant) -> None:
    caller = caller_for(scale)
    from tallyboard.models.metrics import CustomMetricBatchRequest, CustomMetricRequest

    single = metrics.push(caller, CustomMetricRequest(projectId=scale.project_id, metricId="aud", value=1))
    batch = metrics.push_batch(
        caller,
        CustomMetricBatchRequest(
            projectId=scale.project_id, points=[{"metricId": "aud", "value": i} for i in range(3)]
        ),
    )
    entries = audit_store.list_entries(scale.workspace_id, scale.project_id, 0, ids.now_ms() + 1)
    actions = {(e["action"], e["resourceId"]) for e in entries}
    assert ("metric_pushed", single.metricId) in actions
    (batch_entry,) = [e for e in entries if e["action"] == "metric_batch_pushed"]
    assert batch_entry["metadata"]["count"] == 3 and batch_entry["resourceId"] == batch.metricIds[0]


def _project_of(make_tenant: Callable[..., Tenant], metric_count: int) -> Tenant:
    """A project whose `metric_count` metrics hold 2 points each, as the aggregator leaves them
    (loaded into moto directly: the request path is what is measured)."""
    from bench.bench_metrics import _load_into_moto
    from tallyboard.data import dynamo

    tenant = make_tenant("scale")
    ws, proj = tenant.workspace_id, tenant.project_id
    points = [
        point(f"m{m}", ms(2024, 2, 1) + (2 * m + i) * 61_000, 1)
        for m in range(metric_count)
        for i in range(2)
    ]
    catalog = {p["metricId"]: metrics.catalog_entry(p["metricId"]) for p in points}
    counts = metric_fold.project_count_items(ws, proj, points)
    _load_into_moto(metric_writes.bulk_items(ws, proj, points, catalog))
    _load_into_moto(dynamo.to_item({"pk": pk, "sk": sk, "count": n}) for (pk, sk), n in counts.items())
    return tenant


def test_a_ranged_page_costs_the_same_calls_for_10_and_1000_metrics(
    make_tenant: Callable[..., Tenant], stack: LocalStack
) -> None:
    from bench.harness import count_dynamodb

    # across months, so that every span level is used; to the second, and to the millisecond
    ranges = {"seconds": ("2024-02-01T00:00:30Z", "2024-03-31T12:00:00Z")}
    ranges["ms"] = ("2024-02-01T00:00:30.250Z", "2024-03-31T12:00:00.500Z")
    costs: dict[tuple[int, str], int] = {}
    for metric_count in (10, 1000):
        tenant = _project_of(make_tenant, metric_count)
        for precision, (start, end) in ranges.items():
            query = ListMetricsQuery(projectId=tenant.project_id, startDate=start, endDate=end, limit=5)
            metrics.list_metrics(caller_for(tenant), query)  # the access check is cached per container
            # what earlier tests pushed is folded first, and no fold runs while the page is counted
            # (the counter sees every DynamoDB call of the process, the aggregator's too)
            stack.streams.drain()
            with stack.streams.held(), count_dynamodb() as counter:
                listed = metrics.list_metrics(caller_for(tenant), query)
            # every point but the first (at :00, before the range's start at :30) is in the range
            assert listed.pagination.total == 2 * metric_count - 1
            costs[metric_count, precision] = counter.calls
    # the page, the pending partition, one BatchGetItem of spans, the closing read of the folded
    # total, and the edges finer than a second counted on the project index: the endDate's own
    # millisecond (the range includes it) — 5 calls, 6 over HTTP with the rate-limit counter —
    # and, for dates to the millisecond, the start's part-second too
    assert costs[10, "seconds"] == costs[1000, "seconds"] == 5, costs
    assert costs[10, "ms"] == costs[1000, "ms"] == 6, costs


def test_a_series_pushed_and_folded_reads_its_buckets_not_its_points(
    make_tenant: Callable[..., Tenant], stack: LocalStack
) -> None:
    """What bench_metrics measures on a bulk-loaded year, through the real path: points pushed
    over HTTP, folded by the stream aggregator, then read as a series."""
    from bench.harness import count_dynamodb

    tenant = make_tenant("scale")
    start = ms(2025, 3, 1)
    points = [{"metricId": "folded", "value": i % 7, "timestamp": start + i * HOUR} for i in range(10 * 24)]
    response = tenant.post("/metrics/custom/batch", json={"projectId": tenant.project_id, "points": points})
    assert response.status_code == 201, response.text
    stack.streams.drain()
    cases = {
        "day": ("2025-03-01T00:00:00Z", "2025-03-10T23:59:59Z"),
        "hour": ("2025-03-01T00:00:00Z", "2025-03-10T23:59:59Z"),
        "month": ("2025-01-01T00:00:00Z", "2025-12-31T23:59:59Z"),
    }
    series(tenant, "folded", "2025-03-01", "2025-03-02", interval="day")  # access check cached
    costs: dict[str, tuple[int, int, int]] = {}
    # the counter sees every DynamoDB call of the process: no fold may run while a read is counted
    with stack.streams.held():
        for interval, (first_day, last_day) in cases.items():
            with count_dynamodb() as counter:
                buckets = series(tenant, "folded", first_day, last_day, interval=interval)
            assert sum(value for _, value in buckets) == sum(p["value"] for p in points), interval
            costs[interval] = (len(buckets), counter.items_read, counter.calls)
    assert {k: v[0] for k, v in costs.items()} == {"day": 10, "hour": 240, "month": 1}
    for interval, (buckets, items_read, _) in costs.items():
        # + the catalog entry and the folded total, read before and after the pending Query
        assert items_read <= buckets + 3, (interval, costs)
    # catalog GetItem, folded total, rollups Query, pending Query, folded total again
    assert {k: v[2] for k, v in costs.items()} == {"day": 5, "hour": 5, "month": 5}, costs
