"""Metrics: list points, time series from rollups, custom pushes (single and batch).

Order of the list: newest first — timestamp descending, then point id descending (stable).
A time series has one entry per UTC bucket that holds data (empty buckets are left out), each
bucket named by its start; a bucket is included when it overlaps [startDate, endDate] and its
value covers the whole bucket (rollups are per whole bucket). At most 1,000 buckets per request.
Retention: points older than the plan's retention are never returned, even before DynamoDB's
TTL deletes them; a bucket cut by the retention cut-off is recomputed from its live raw points.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

from tallyboard import access, ids, timeutil
from tallyboard.auth import Caller
from tallyboard.data import dynamo, idempotency
from tallyboard.data.dynamo import Page
from tallyboard.data.metrics import fold as metric_fold
from tallyboard.data.metrics import reads as metric_reads
from tallyboard.data.metrics import rollups as metric_rollups
from tallyboard.data.metrics import writes as metric_writes
from tallyboard.errors import BadRequest, Conflict, NotFound
from tallyboard.logic import audit, pages
from tallyboard.models.metrics import (
    MAX_LIMIT,
    MAX_TIMESERIES_BUCKETS,
    CustomMetricBatchRequest,
    CustomMetricBatchResponse,
    CustomMetricRequest,
    CustomMetricResponse,
    ListMetricsQuery,
    MetricInfo,
    MetricList,
    MetricPoint,
    PointInput,
    TimeseriesPoint,
    TimeseriesQuery,
    TimeseriesResponse,
)
from tallyboard.observability import logger

DAY_MS = 86_400_000
MAX_METRIC_IDS = 50
METRIC_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")
IDEMPOTENCY_KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,255}$")
CUSTOM_SERVICE = "custom"

# Known metrics: (name, unit, service, natural aggregation). Gauges read as their last value.
KNOWN_METRICS: dict[str, tuple[str, str, str, str]] = {
    "stripe_mrr": ("Monthly Recurring Revenue", "USD", "stripe", "last"),
    "stripe_arr": ("Annual Recurring Revenue", "USD", "stripe", "last"),
    "stripe_revenue": ("Revenue", "USD", "stripe", "sum"),
    "stripe_customers": ("Active Customers", "count", "stripe", "last"),
    "stripe_churn_rate": ("Churn Rate", "percent", "stripe", "last"),
    "github_commits": ("Commits", "count", "github", "sum"),
    "github_pull_requests": ("Pull Requests", "count", "github", "sum"),
    "github_stars": ("Stars", "count", "github", "last"),
    "signups": ("Signups", "count", "custom", "sum"),
}
_GAUGE_WORDS = re.compile(
    r"(^|[_.:-])(mrr|arr|balance|active|subscribers|customers|users|rate|ratio|percent|stars|"
    r"followers|gauge|level|inventory|stock|score|nps)([_.:-]|$)"
)


def natural_aggregation(metric_id: str, unit: str | None = None) -> str:
    """`last` for gauges (a level at a moment: MRR, active users, a rate), `sum` for counters."""
    if metric_id in KNOWN_METRICS:
        return KNOWN_METRICS[metric_id][3]
    if (unit or "").lower() in {"percent", "%", "ratio"} or _GAUGE_WORDS.search(metric_id.lower()):
        return "last"
    return "sum"


def _number(value: float | int) -> float | int:
    """Integral values as JSON integers (15000, not 15000.0), as in the documents."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _now_ms() -> int:
    return ids.now_ms()


def _retention_cutoff(caller: Caller, now_ms: int) -> int:
    days = caller.plan.retention_days
    return now_ms - days * DAY_MS if days else 0


def _metric_ids(raw: str | None) -> list[str] | None:
    if raw is None:
        return None
    names = list(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    bad = [n for n in names if not METRIC_ID_PATTERN.match(n)]
    if bad or not names or len(names) > MAX_METRIC_IDS:
        raise BadRequest(
            f"Invalid parameter: metricIds must be 1-{MAX_METRIC_IDS} comma-separated metric ids",
            details={"metricIds": "letters, digits, _ - . : (1-128 characters each)"},
        )
    return names


# ----------------------------------------------------------------------------- list


def list_metrics(caller: Caller, query: ListMetricsQuery) -> MetricList:
    """A page of points, newest first. `total` costs O(1) reads whatever the number of metrics
    (project counts), or one decomposition per metric named in `metricIds`; the page costs one
    Query (one per named metric), `limit` + 1 items deep from the cursor (or offset + limit + 1)."""
    caller.require("viewer", "metrics:read")
    project_id = access.project_for(caller, query.projectId)
    if query.limit > MAX_LIMIT:
        raise BadRequest(
            f"Invalid parameter: limit must be at most {MAX_LIMIT}", details={"limit": f"1-{MAX_LIMIT}"}
        )
    start, end = timeutil.date_range(query.startDate, query.endDate)
    metric_ids = _metric_ids(query.metricIds)
    now = _now_ms()
    cutoff = _retention_cutoff(caller, now)
    bounded = query.startDate is not None or query.endDate is not None or cutoff > 0
    start = max(start, cutoff)
    ws = caller.workspace_id
    window = f"{start}|{end}" if bounded else "|"
    scope = f"metrics|{ws}|{project_id}|{window}|{query.metricIds or ''}"
    spec = pages.page_spec(query.limit, query.offset, query.cursor, scope)
    before = (spec.start_key or {}).get("before")
    wanted = spec.skip + spec.limit + 1  # one more: whether another page follows

    if metric_ids is None:
        points = list(
            metric_reads.query_points(ws, project_id, None, start, end, now // 1000, wanted, before)
        )
    else:
        streams = [
            metric_reads.query_points(ws, project_id, m, start, end, now // 1000, wanted, before)
            for m in metric_ids
        ]
        merged = heapq.merge(*streams, key=lambda p: (p["timestamp"], p["id"]), reverse=True)
        points = list(itertools.islice(merged, wanted))
    page = points[spec.skip : spec.skip + spec.limit]
    next_key = {"before": page[-1]["position"]} if page and len(points) > spec.skip + spec.limit else None

    if start > end:
        total = 0
    elif metric_ids is None:
        total = metric_reads.count_project(ws, project_id, *((start, end) if bounded else (None, None)))
    else:
        total = metric_reads.count_metrics(
            ws, project_id, metric_ids, *((start, end) if bounded else (None, None))
        )
    return MetricList(
        data=[
            MetricPoint(**{**p, "value": _number(p["value"]), "metadata": p.get("metadata") or {}})
            for p in page
        ],
        pagination=pages.pagination(spec, total, Page(page, next_key)),
    )


# ----------------------------------------------------------------------------- time series


def timeseries(caller: Caller, metric_id: str, query: TimeseriesQuery) -> TimeseriesResponse:
    caller.require("viewer", "metrics:read")
    project_id = access.project_for(caller, query.projectId)
    start, end = timeutil.date_range(query.startDate, query.endDate)
    interval = query.interval
    if timeutil.bucket_count(start, end, interval) > MAX_TIMESERIES_BUCKETS:
        raise BadRequest(
            f"Invalid parameter: the range holds more than {MAX_TIMESERIES_BUCKETS} {interval} buckets; "
            "use a shorter range or a longer interval",
            details={"interval": f"at most {MAX_TIMESERIES_BUCKETS} buckets per request"},
        )
    entry = (
        metric_reads.get_catalog(caller.workspace_id, project_id, metric_id)
        if METRIC_ID_PATTERN.match(metric_id)
        else None
    )
    if entry is None:
        raise NotFound("Metric not found")
    aggregation = query.aggregation or entry.get("aggregation") or "sum"

    now = _now_ms()
    cutoff = _retention_cutoff(caller, now)
    data: list[TimeseriesPoint] = []
    effective_start = max(start, cutoff)
    if effective_start <= end:
        first = timeutil.bucket_start(effective_start, interval)
        last = timeutil.bucket_start(end, interval)
        rollups = metric_reads.series(
            caller.workspace_id, project_id, metric_id, interval, first, last, now // 1000
        )
        if cutoff > first:  # the oldest bucket is partly past the retention: count its live points only
            rollups = [r for r in rollups if r.bucket != first]
            bucket_end = timeutil.next_bucket(first, interval) - 1
            partial = metric_rollups.Rollup(bucket=first)
            for p in metric_reads.raw_values(
                caller.workspace_id, project_id, metric_id, cutoff, bucket_end, now // 1000
            ):
                partial.add(float(p["value"]), int(p["timestamp"]), p["id"], p.get("expiresAt"))
            if partial.count:
                rollups.insert(0, partial)
        data = [
            TimeseriesPoint(timestamp=r.bucket, value=_number(r.value(aggregation)))
            for r in rollups
            if r.count
        ]
    return TimeseriesResponse(
        data=data,
        metric=MetricInfo(
            id=metric_id,
            name=entry.get("metricName") or metric_id,
            unit=entry.get("unit"),
            service=entry.get("service") or CUSTOM_SERVICE,
        ),
        interval=interval,
        startDate=query.startDate,
        endDate=query.endDate,
    )


# ----------------------------------------------------------------------------- writes


def catalog_entry(
    metric_id: str,
    *,
    metric_name: str | None = None,
    unit: str | None = None,
    service: str | None = None,
    connection_id: str | None = None,
    aggregation: str | None = None,
    created_at: int | None = None,
) -> dict[str, Any]:
    known = KNOWN_METRICS.get(metric_id)
    return {
        "metricId": metric_id,
        "metricName": metric_name or (known[0] if known else metric_id),
        "unit": unit or (known[1] if known else None),
        "service": service or CUSTOM_SERVICE,
        "connectionId": connection_id,
        "aggregation": aggregation or natural_aggregation(metric_id, unit),
        "createdAt": created_at if created_at is not None else _now_ms(),
    }


def record_points(
    workspace_id: str,
    project_id: str,
    points: list[dict[str, Any]],
    retention_days: int | None = None,
    point_ids: list[str] | None = None,
) -> list[str]:
    """Store points through the real write path (rollups, catalog); ids in the given order.

    Each point: metricId, value, and optionally timestamp, unit, metadata, metricName,
    aggregation, service, connectionId."""
    now = _now_ms()
    catalog: dict[str, dict[str, Any]] = {}
    records = []
    for index, p in enumerate(points):
        metric_id = p["metricId"]
        entry = catalog.setdefault(
            metric_id,
            catalog_entry(
                metric_id,
                metric_name=p.get("metricName"),
                unit=p.get("unit"),
                service=p.get("service"),
                connection_id=p.get("connectionId"),
                aggregation=p.get("aggregation"),
                created_at=now,
            ),
        )
        timestamp = p.get("timestamp")
        timestamp = now if timestamp is None else int(timestamp)
        records.append(
            {
                "id": point_ids[index] if point_ids else ids.new_id("metric"),
                "projectId": project_id,
                "connectionId": p.get("connectionId"),
                "service": p.get("service") or entry["service"],
                "metricId": metric_id,
                "metricName": p.get("metricName") or entry["metricName"],
                "value": float(p["value"]),
                "unit": p.get("unit") or entry["unit"],
                "timestamp": timestamp,
                "metadata": p.get("metadata") or {},
                "createdAt": now,
                "expiresAt": timestamp // 1000 + retention_days * 86_400 if retention_days else None,
            }
        )
    metric_writes.write_points(workspace_id, project_id, records, catalog)
    return [r["id"] for r in records]


def _idempotency_key(caller: Caller, project_id: str, header: str | None) -> str | None:
    """Keys are the project's: two projects' clients that pick the same key never meet (the
    second would otherwise be answered the first one's points and store nothing)."""
    if header is None:
        return None
    if not IDEMPOTENCY_KEY_PATTERN.match(header):
        raise BadRequest(
            "Invalid parameter: Idempotency-Key must be 1-255 printable characters",
            details={"Idempotency-Key": "1-255 printable ASCII characters, no spaces"},
        )
    return f"{caller.workspace_id}#{project_id}#{header}"


def _stable_ids(key: str, payload: dict[str, Any], count: int) -> list[str]:
    """Point ids derived from the idempotency key and the body: a retry that re-runs after a
    partial failure (Powertools drops the record of a failed run) writes the same ids, and the
    conditional puts keep every point single. Consequence: the same key and body sent again
    after the 24-hour idempotency record expired still stores nothing new (same ids)."""
    digest = hashlib.sha256((key + json.dumps(payload, sort_keys=True)).encode()).hexdigest()
    return ["metric_" + hashlib.sha256(f"{digest}#{i}".encode()).hexdigest()[:20] for i in range(count)]


def _run_once(
    caller: Caller,
    project_id: str,
    operation: str,
    header: str | None,
    payload: dict[str, Any],
    produce: Callable[[str | None], dict[str, Any]],
    lambda_context: Any,
) -> dict[str, Any]:
    key = _idempotency_key(caller, project_id, header)
    if key is None:
        return produce(None)
    try:
        return idempotency.once(operation, key, payload, lambda: produce(key), lambda_context)
    except idempotency.IdempotencyValidationError:
        raise Conflict(
            "This Idempotency-Key was already used with a different request body",
            details={"Idempotency-Key": "reuse a key only to retry the identical request"},
        ) from None
    except idempotency.IdempotencyAlreadyInProgressError:
        raise Conflict(
            "A request with this Idempotency-Key is still in progress; retry shortly",
            details={"Idempotency-Key": "in progress"},
        ) from None


def _point_dict(point: PointInput) -> dict[str, Any]:
    return {**point.model_dump(exclude={"projectId"}), "service": CUSTOM_SERVICE}


def push(
    caller: Caller,
    request: CustomMetricRequest,
    idempotency_key: str | None = None,
    lambda_context: Any = None,
) -> CustomMetricResponse:
    caller.require("editor", "metrics:write")
    project_id = access.project_for(caller, request.projectId)
    # The project acted on, not the one sent: the same push with or without projectId is one push.
    payload = {**request.model_dump(mode="json"), "projectId": project_id}

    def produce(key: str | None) -> dict[str, Any]:
        point_ids = _stable_ids(key, payload, 1) if key else None
        (point_id,) = record_points(
            caller.workspace_id, project_id, [_point_dict(request)], caller.plan.retention_days, point_ids
        )
        audit.record(
            caller, "metric.push", "metric", point_id, project_id, metadata={"metricId": request.metricId}
        )
        return CustomMetricResponse(metricId=point_id).model_dump()

    return CustomMetricResponse(
        **_run_once(caller, project_id, "metrics.push", idempotency_key, payload, produce, lambda_context)
    )


def push_batch(
    caller: Caller,
    request: CustomMetricBatchRequest,
    idempotency_key: str | None = None,
    lambda_context: Any = None,
) -> CustomMetricBatchResponse:
    caller.require("editor", "metrics:write")
    project_id = access.project_for(caller, request.projectId)
    # The project acted on, not the one sent: the same push with or without projectId is one push.
    payload = {**request.model_dump(mode="json"), "projectId": project_id}

    def produce(key: str | None) -> dict[str, Any]:
        count = len(request.points)
        point_ids = _stable_ids(key, payload, count) if key else None
        stored = record_points(
            caller.workspace_id,
            project_id,
            [_point_dict(p) for p in request.points],
            caller.plan.retention_days,
            point_ids,
        )
        audit.record(
            caller,
            "metric.push_batch",
            "metric",
            stored[0],
            project_id,
            metadata={"count": count, "metricIds": sorted({p.metricId for p in request.points})[:50]},
        )
        return CustomMetricBatchResponse(count=count, metricIds=stored).model_dump()

    return CustomMetricBatchResponse(
        **_run_once(
            caller, project_id, "metrics.push_batch", idempotency_key, payload, produce, lambda_context
        )
    )


# ----------------------------------------------------------------------------- aggregator


def aggregate(event: dict[str, Any]) -> dict[str, Any]:
    """A DynamoDB stream batch of pending markers (INSERTs, filtered by the event source
    mapping) folded project by project. A project whose fold failed reports its first record:
    Lambda retries the shard from there (the earlier projects' markers are gone, so they are not
    folded twice)."""
    by_project: dict[str, list[dict[str, Any]]] = {}
    for record in event.get("Records") or []:
        image = record.get("dynamodb", {}).get("NewImage")
        if record.get("eventName") == "INSERT" and image:
            marker = {**dynamo.from_item(image), "sequence": record["dynamodb"]["SequenceNumber"]}
            if marker["pk"].startswith("PEND#") and "metricId" in marker:  # not the folded total
                by_project.setdefault(marker["pk"], []).append(marker)
    failed: list[str] = []
    for markers in by_project.values():
        try:
            metric_fold.fold_pending(markers)
        except Exception:
            logger.exception("folding pending points failed", extra={"records": len(markers)})
            failed.append(min((m["sequence"] for m in markers), key=int))
    return {"batchItemFailures": [{"itemIdentifier": min(failed, key=int)}] if failed else []}
