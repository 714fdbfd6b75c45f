"""Exact reads: points, the catalog, rollups plus the markers not folded yet, bracketed by two
reads of the folded total; ranged counts from the spans, the rollups and their edges."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from tallyboard import timeutil
from tallyboard.data import dynamo
from tallyboard.data.metrics.keys import (
    FOLDED_SK,
    POINT_FIELDS,
    SPAN_UNIT_MS,
    catalog_pk,
    pending_pk,
    point_pk,
    position,
    project_counts_pk,
    project_points_pk,
    rollup_pk,
    tiling_spans,
    time_key,
)
from tallyboard.data.metrics.rollups import Rollup


def _public_point(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in POINT_FIELDS}


_LIVE_FILTER = "attribute_not_exists(#e) OR #e > :now"


def query_points(
    ws: str,
    proj: str,
    metric_id: str | None,
    start_ms: int,
    end_ms: int,
    now_s: int,
    max_items: int,
    before: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Live points in [start_ms, end_ms], newest first (timestamp, then id, descending), each
    with its sort key `<timestamp>#<id>` as `position`, strictly before `before` when given (a
    cursor); one metric's partition, or the project's index when metric_id is None."""
    if max_items <= 0 or end_ms < start_ms:
        return
    if metric_id is None:
        pk_name, sk_name, pk, index = "gsi1pk", "gsi1sk", project_points_pk(ws, proj), {"IndexName": "gsi1"}
    else:
        pk_name, sk_name, pk, index = "pk", "sk", point_pk(ws, proj, metric_id), {}
    high = f"{time_key(end_ms)}#~"
    high = min(high, before) if before else high
    items = dynamo.query(
        dynamo.table("metrics"),
        **index,
        KeyConditionExpression="#pk = :pk AND #sk BETWEEN :lo AND :hi",
        FilterExpression=_LIVE_FILTER,
        ExpressionAttributeNames={"#pk": pk_name, "#sk": sk_name, "#e": "expiresAt"},
        ExpressionAttributeValues={
            ":pk": {"S": pk},
            ":lo": {"S": f"{time_key(start_ms)}#"},
            ":hi": {"S": high},
            ":now": {"N": str(now_s)},
        },
        ScanIndexForward=False,
        Limit=max_items + 1,  # DynamoDB stops at 1 MB a page: deep offsets cost ~3 calls, not 10
    )
    n = 0
    for item in items:
        if item[sk_name] == before:
            continue
        yield {**_public_point(item), "position": item[sk_name]}
        n += 1
        if n >= max_items:
            return


def iter_points(
    ws: str, proj: str, start_ms: int, end_ms: int, now_s: int, metric_id: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every live point in [start_ms, end_ms], oldest first, one Query page in memory at a time
    (exports stream this): the project's (its index), or one metric's (its partition)."""
    if metric_id is None:
        pk_name, sk_name, pk, index = "gsi1pk", "gsi1sk", project_points_pk(ws, proj), {"IndexName": "gsi1"}
    else:
        pk_name, sk_name, pk, index = "pk", "sk", point_pk(ws, proj, metric_id), {}
    items = dynamo.query(
        dynamo.table("metrics"),
        **index,
        KeyConditionExpression=f"{pk_name} = :pk AND {sk_name} BETWEEN :lo AND :hi",
        FilterExpression=_LIVE_FILTER,
        ExpressionAttributeNames={"#e": "expiresAt"},
        ExpressionAttributeValues={
            ":pk": {"S": pk},
            ":lo": {"S": f"{time_key(start_ms)}#"},
            ":hi": {"S": f"{time_key(end_ms)}#~"},
            ":now": {"N": str(now_s)},
        },
    )
    for item in items:
        yield _public_point(item)


def raw_values(
    ws: str, proj: str, metric_id: str, start_ms: int, end_ms: int, now_s: int
) -> list[dict[str, Any]]:
    """Live points of one metric in [start_ms, end_ms], oldest first (for a bucket cut by retention)."""
    return list(
        dynamo.query(
            dynamo.table("metrics"),
            KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
            FilterExpression=_LIVE_FILTER,
            ExpressionAttributeNames={"#e": "expiresAt", "#t": "timestamp", "#v": "value"},
            ExpressionAttributeValues={
                ":pk": {"S": point_pk(ws, proj, metric_id)},
                ":lo": {"S": f"{time_key(start_ms)}#"},
                ":hi": {"S": f"{time_key(end_ms)}#~"},
                ":now": {"N": str(now_s)},
            },
            ProjectionExpression="#t, #v, id, #e",
        )
    )


def get_catalog(ws: str, proj: str, metric_id: str) -> dict[str, Any] | None:
    return dynamo.get(dynamo.table("metrics"), dynamo.key(pk=catalog_pk(ws, proj), sk=metric_id))


def catalog_entries(ws: str, proj: str, metric_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The project's metric catalog (all of it, or the named metrics that exist)."""
    if metric_ids is not None:
        keys = [dynamo.key(pk=catalog_pk(ws, proj), sk=m) for m in dict.fromkeys(metric_ids)]
        return dynamo.batch_get(dynamo.table("metrics"), keys) if keys else []
    return list(
        dynamo.query(
            dynamo.table("metrics"),
            KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": {"S": catalog_pk(ws, proj)}},
        )
    )


def point_counts(ws: str, proj: str) -> dict[str, int]:
    """Every metric of the project (catalog order) with its point count, exact: the catalog's
    folded counts plus the pending points, in one consistent bracket."""

    def read() -> tuple[int, dict[str, int]]:
        before, unfolded = _project_pending(ws, proj)
        counts = {e["metricId"]: int(e.get("pointCount", 0)) for e in catalog_entries(ws, proj)}
        for p in unfolded:
            counts[p["metricId"]] = counts.get(p["metricId"], 0) + 1
        return before, counts

    return _consistent(read, ws, proj)


def rollups(
    ws: str, proj: str, metric_id: str, interval: str, first_bucket: int, last_bucket: int, now_s: int
) -> list[Rollup]:
    """Stored rollups with a bucket start in [first_bucket, last_bucket], oldest first; one Query."""
    items = dynamo.query(
        dynamo.table("metrics"),
        ConsistentRead=True,
        KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": rollup_pk(ws, proj, metric_id, interval)},
            ":lo": {"S": time_key(first_bucket)},
            ":hi": {"S": time_key(last_bucket)},
        },
    )
    found = [Rollup.from_record(i) for i in items]
    return [r for r in found if r.forever or (r.expires_at or 0) > now_s]


def _count_rollups(ws: str, proj: str, metric_id: str, interval: str, lo: int, hi: int) -> int:
    """Points in the whole `interval` buckets starting in [lo, hi)."""
    items = dynamo.query(
        dynamo.table("metrics"),
        KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": rollup_pk(ws, proj, metric_id, interval)},
            ":lo": {"S": time_key(lo)},
            ":hi": {"S": time_key(hi - 1)},
        },
        ProjectionExpression="#c",
        ExpressionAttributeNames={"#c": "count"},
        ConsistentRead=True,
    )
    return sum(int(i["count"]) for i in items)


def _count_raw(ws: str, proj: str, metric_id: str, lo: int, hi: int) -> int:
    """Points with a timestamp in [lo, hi) (under an hour: only the edges of a range)."""
    return dynamo.count(
        dynamo.table("metrics"),
        KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": point_pk(ws, proj, metric_id)},
            ":lo": {"S": f"{time_key(lo)}#"},
            ":hi": {"S": f"{time_key(hi - 1)}#~"},
        },
        ConsistentRead=True,
    )


_COUNT_LEVELS = ("month", "day", "hour")


def count_points(ws: str, proj: str, metric_id: str, start_ms: int, end_ms: int) -> int:
    """Points of one metric with a timestamp in [start_ms, end_ms], from rollups: whole months,
    then whole days, then whole hours, then the raw sub-hour edges."""
    runs, edges = _cover(start_ms, end_ms + 1, _COUNT_LEVELS)
    return sum(
        _count_rollups(ws, proj, metric_id, interval, first, last + 1) for interval, first, last in runs
    ) + sum(_count_raw(ws, proj, metric_id, lo, hi) for lo, hi in edges)


MAX_READ_ATTEMPTS = 20


def folded_total(ws: str, proj: str) -> int:
    item = dynamo.get(
        dynamo.table("metrics"), dynamo.key(pk=pending_pk(ws, proj), sk=FOLDED_SK), consistent=True
    )
    return int(item["count"]) if item else 0


def pending(
    ws: str, proj: str, metric_id: str | None = None, lo: int = 0, hi: int = timeutil.MAX_TIMESTAMP_MS
) -> list[dict[str, Any]]:
    """Points not folded yet (bounded by the aggregator's lag): the project's, or one metric's,
    with a timestamp in [lo, hi]; one consistent Query of the project's pending partition."""
    if metric_id is None:
        return [p for p in _project_pending(ws, proj)[1] if lo <= int(p["timestamp"]) <= hi]
    items = dynamo.query(
        dynamo.table("metrics"),
        ConsistentRead=True,
        KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": pending_pk(ws, proj)},
            ":lo": {"S": f"{metric_id}#{time_key(lo)}#"},
            ":hi": {"S": f"{metric_id}#{time_key(hi)}#~"},
        },
    )
    return list(items)


def _project_pending(ws: str, proj: str) -> tuple[int, list[dict[str, Any]]]:
    """The folded total and, read after it, every pending marker of the project: one Query."""
    total, markers = 0, []
    for item in dynamo.query(
        dynamo.table("metrics"),
        ConsistentRead=True,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pending_pk(ws, proj)}},
    ):
        if item["sk"] == FOLDED_SK:
            total = int(item["count"])
        else:
            markers.append(item)
    return total, markers


_Read = TypeVar("_Read")


def _consistent(read: Callable[[], tuple[int, _Read]], ws: str, proj: str) -> _Read:
    """read() → (the folded total it saw first, its result); taken again while a fold lands
    before the folded total is read once more."""
    for attempt in range(MAX_READ_ATTEMPTS):
        before, result = read()
        if folded_total(ws, proj) == before:
            return result
        time.sleep(min(0.01 * 2**attempt, 0.2) * random.random())  # let the fold in flight land
    return result  # folds kept landing: the last view (off by at most one fold in flight)


def series(
    ws: str, proj: str, metric_id: str, interval: str, first: int, last: int, now_s: int
) -> list[Rollup]:
    """One metric's buckets in [first, last] (bucket starts), oldest first, exact: its rollups
    with its pending points added."""
    end = timeutil.next_bucket(last, interval) - 1

    def read() -> tuple[int, tuple[list[Rollup], list[dict[str, Any]]]]:
        before = folded_total(ws, proj)
        return before, (
            rollups(ws, proj, metric_id, interval, first, last, now_s),
            pending(ws, proj, metric_id, first, end),
        )

    stored, unfolded = _consistent(read, ws, proj)
    by_bucket = {r.bucket: r for r in stored}
    for p in unfolded:
        if p.get("expiresAt") is not None and int(p["expiresAt"]) <= now_s:
            continue
        bucket = timeutil.bucket_start(int(p["timestamp"]), interval)
        rollup = by_bucket.setdefault(bucket, Rollup(bucket=bucket))
        rollup.add(float(p["value"]), int(p["timestamp"]), p["id"], p.get("expiresAt"))
    return [by_bucket[b] for b in sorted(by_bucket)]


def _cover(
    lo: int, hi: int, levels: tuple[str, ...]
) -> tuple[list[tuple[str, int, int]], list[tuple[int, int]]]:
    """[lo, hi) as runs of whole buckets (level, first start, last start at most) from the
    coarsest level down — one run of the coarsest level, at most two of each finer one — and
    the raw edges finer than the finest level."""
    buckets: list[tuple[str, int, int]] = []
    edges: list[tuple[int, int]] = []

    def cover(lo: int, hi: int, level: int) -> None:
        if lo >= hi:
            return
        if level == len(levels):
            edges.append((lo, hi))
            return
        interval = levels[level]
        first = timeutil.bucket_start(lo, interval)
        if first < lo:
            first = timeutil.next_bucket(first, interval)
        last_end = timeutil.bucket_start(hi, interval)
        if first >= last_end:
            cover(lo, hi, level + 1)
            return
        buckets.append((interval, first, last_end - 1))
        cover(lo, first, level + 1)
        cover(last_end, hi, level + 1)

    cover(lo, hi, 0)
    return buckets, edges


def _project_positions(ws: str, proj: str, lo: int, hi: int) -> set[str]:
    """The `<timestamp>#<id>` of the project's points with a timestamp in [lo, hi), from its
    index (under a second: a range's edges)."""
    items = dynamo.query(
        dynamo.table("metrics"),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": project_points_pk(ws, proj)},
            ":lo": {"S": f"{time_key(lo)}#"},
            ":hi": {"S": f"{time_key(hi - 1)}#~"},
        },
        ProjectionExpression="gsi1sk",
    )
    return {i["gsi1sk"] for i in items}


def count_project(ws: str, proj: str, start_ms: int | None = None, end_ms: int | None = None) -> int:
    """Points of the project, all or with a timestamp in [start_ms, end_ms], in O(1) reads
    whatever the number of metrics and the range: the folded total, or the spans tiling the whole
    seconds (one BatchGetItem) and the sub-second edges from the project index; plus the pending
    points."""
    if start_ms is None or end_ms is None:

        def read_all() -> tuple[int, tuple[int, list[dict[str, Any]]]]:
            seen = _project_pending(ws, proj)
            return seen[0], seen

        total, unfolded = _consistent(read_all, ws, proj)
        return total + len(unfolded)
    if start_ms > end_ms:
        return 0
    end = end_ms + 1
    first_unit, end_unit = -(-start_ms // SPAN_UNIT_MS), end // SPAN_UNIT_MS
    if first_unit < end_unit:
        edges = [(start_ms, first_unit * SPAN_UNIT_MS), (end_unit * SPAN_UNIT_MS, end)]
        edges = [(lo, hi) for lo, hi in edges if lo < hi]
        pk = project_counts_pk(ws, proj)
        keys = [dynamo.key(pk=pk, sk=sk) for sk in tiling_spans(first_unit, end_unit)]
    else:
        edges, keys = [(start_ms, end)], []

    def read() -> tuple[int, tuple[int, list[dict[str, Any]]]]:
        before, unfolded = _project_pending(ws, proj)
        in_range = [p for p in unfolded if start_ms <= int(p["timestamp"]) <= end_ms]
        spans = dynamo.batch_get(dynamo.table("metrics"), keys, consistent=True) if keys else []
        return before, (sum(int(s["count"]) for s in spans), in_range)

    folded, unfolded = _consistent(read, ws, proj)

    def in_edges(ms: int) -> bool:
        return any(lo <= ms < hi for lo, hi in edges)

    # An edge holds folded and pending points alike. The index is eventually consistent, so a
    # point pushed a moment ago may not be in it yet: its pending marker (read consistently)
    # counts it; a point in both counts once.
    edge_points = {position(p["timestamp"], p["id"]) for p in unfolded if in_edges(int(p["timestamp"]))}
    for lo, hi in edges:
        edge_points |= _project_positions(ws, proj, lo, hi)
    return folded + len(edge_points) + sum(1 for p in unfolded if not in_edges(int(p["timestamp"])))


def count_metrics(
    ws: str, proj: str, metric_ids: list[str], start_ms: int | None = None, end_ms: int | None = None
) -> int:
    """Points of the named metrics, all (their catalog counts: one BatchGetItem) or with a
    timestamp in [start_ms, end_ms] (one decomposition per metric: count_points), plus their
    pending points outside the raw edges count_points read; one consistent bracket for all."""
    named = set(metric_ids)
    if start_ms is not None and end_ms is not None:
        ranged, lo, hi = True, start_ms, end_ms
    else:
        ranged, lo, hi = False, 0, timeutil.MAX_TIMESTAMP_MS
    if lo > hi:
        return 0
    edges = _cover(lo, hi + 1, _COUNT_LEVELS)[1] if ranged else []

    def read() -> tuple[int, tuple[int, list[dict[str, Any]]]]:
        before, unfolded = _project_pending(ws, proj)
        if ranged:
            folded = sum(count_points(ws, proj, m, lo, hi) for m in sorted(named))
        else:
            folded = sum(int(e.get("pointCount", 0)) for e in catalog_entries(ws, proj, sorted(named)))
        mine = [p for p in unfolded if p["metricId"] in named and lo <= int(p["timestamp"]) <= hi]
        return before, (folded, mine)

    folded, unfolded = _consistent(read, ws, proj)
    return folded + sum(1 for p in unfolded if not any(a <= int(p["timestamp"]) < b for a, b in edges))
