"""Metrics table: raw points with their pending markers, and what the aggregator folds them
into (rollups, the catalog's counts, the project's counts).

Items (every partition key starts with the workspace and project, so a caller's workspace is
part of every key it can read)::

  point    pk PT#<ws>#<proj>#<metricId>            sk <timestamp:013d>#<pointId>
           gsi1pk PTS#<ws>#<proj>                  gsi1sk <timestamp:013d>#<pointId>
           id, projectId, connectionId, service, metricId, metricName, value, unit, timestamp,
           metadata, createdAt, expiresAt (epoch s, only for plans with limited retention)
  marker   pk PEND#<ws>#<proj>                     sk <metricId>#<timestamp:013d>#<pointId>
           id, metricId, value, timestamp, expiresAt: the point is not folded yet
  folded   pk PEND#<ws>#<proj>                     sk !folded (sorts before every marker)
           count: points folded so far; every fold moves it
  rollup   pk RU#<ws>#<proj>#<metricId>#<interval>  sk <bucketStart:013d>
           bucket, count, sum, min, max, last, lastKey (<timestamp:013d>#<pointId> of `last`),
           v (version), expiresAt (the newest point's, when every point in it expires)
  catalog  pk CAT#<ws>#<proj>                      sk <metricId>
           metricId, metricName, unit, service, connectionId, aggregation (natural),
           pointCount (folded points), createdAt
  span     pk PC#<ws>#<proj>                       sk span<level:02d>#<start:013d>
           count: the project's folded points in 4**level seconds from start

Writes touch nothing shared. A push stores each point with its marker in one transaction of
conditional Puts (50 points a transaction); deterministic ids make a retry fail its conditions
and store nothing, and no two pushes write one item, so concurrent pushes never conflict.

The aggregator (a DynamoDB Streams consumer of marker INSERTs) folds a batch of markers into the
rollups (read, fold in memory, Put on version `v`), the catalog's `pointCount`, the folded
total and the spans (`ADD`), and deletes the markers, in ONE transaction of at most 100 items:
a marker's Delete is conditioned on its existence, so a replayed or retried batch folds nothing
twice.

Reads are exact: rollups or counts plus the pending markers (one consistent Query of the
project's pending partition, bounded by the aggregator's lag), bracketed by two reads of the
folded total; if a fold landed in between, the read is taken again. A ranged project total is
the spans tiling its whole seconds (one BatchGetItem), the sub-second edges of dates given to
the millisecond counted on the project index, and the pending markers: its cost does not depend
on the number of metrics nor on the range. A metric's ranged count uses its month, day and hour rollups and
its sub-hour edges. The README's "DynamoDB access patterns" lists every request's calls.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from tallyboard import timeutil
from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.models.common import DYNAMO_MIN_MAGNITUDE
from tallyboard.settings import get_settings

ROLLUP_INTERVALS = ("hour", "day", "week", "month")
MAX_TRANSACTION_ITEMS = 100
MAX_WRITE_ATTEMPTS = 8
_POINT_FIELDS = (
    "id",
    "projectId",
    "connectionId",
    "service",
    "metricId",
    "metricName",
    "value",
    "unit",
    "timestamp",
    "metadata",
    "createdAt",
)


class WriteContention(Exception):
    """Rollups kept changing under this write; the caller may retry later."""


def _table() -> str:
    return get_settings().metrics_table


def _ts(ms: int) -> str:
    return f"{ms:013d}"


def position(timestamp: int, point_id: str) -> str:
    """A point's place in time order: the sort key of its item and of its project-index entry."""
    return f"{_ts(int(timestamp))}#{point_id}"


def marker_sk(point: dict[str, Any]) -> str:
    """A pending marker's sort key: by metric, then time."""
    return f"{point['metricId']}#{position(point['timestamp'], point['id'])}"


def point_pk(ws: str, proj: str, metric_id: str) -> str:
    return f"PT#{ws}#{proj}#{metric_id}"


def project_points_pk(ws: str, proj: str) -> str:
    return f"PTS#{ws}#{proj}"


def rollup_pk(ws: str, proj: str, metric_id: str, interval: str) -> str:
    return f"RU#{ws}#{proj}#{metric_id}#{interval}"


def catalog_pk(ws: str, proj: str) -> str:
    return f"CAT#{ws}#{proj}"


def pending_pk(ws: str, proj: str) -> str:
    return f"PEND#{ws}#{proj}"


def project_counts_pk(ws: str, proj: str) -> str:
    return f"PC#{ws}#{proj}"


# The project's folded total sits first in its pending partition ('!' sorts before every metric
# id): one Query reads it, then the markers.
FOLDED_SK = "!folded"

# Project counts are kept per span of 4**level whole seconds (level 0..16: one second up to
# 4**16 seconds, 136 years; the last timestamp accepted is in the third of those). Any run of whole
# seconds is at most three spans of each level on each side: a range under 136 years is ONE
# BatchGetItem of at most 96 keys (102, two calls, past that). A fold adds to 17 spans per
# distinct second. Dates given to the second (the usual) leave no edge to count from raw points.
SPAN_BASE = 4
SPAN_LEVELS = 17
SPAN_UNIT_MS = 1_000


def span_sk(level: int, index: int) -> str:
    return f"span{level:02d}#{_ts(index * SPAN_BASE**level * SPAN_UNIT_MS)}"


def tiling_spans(first_unit: int, end_unit: int) -> list[str]:
    """The sort keys of the fewest spans that tile the seconds [first_unit, end_unit)."""
    keys: list[str] = []
    lo, hi, level = first_unit, end_unit, 0
    while lo < hi:
        while lo < hi and lo % SPAN_BASE:
            keys.append(span_sk(level, lo))
            lo += 1
        while lo < hi and hi % SPAN_BASE:
            hi -= 1
            keys.append(span_sk(level, hi))
        lo, hi, level = lo // SPAN_BASE, hi // SPAN_BASE, level + 1
    return keys


# ----------------------------------------------------------------------------- rollup maths


@dataclass
class Rollup:
    bucket: int
    count: int = 0
    sum: float = 0.0
    min: float | None = None
    max: float | None = None
    last: float | None = None
    last_key: str = ""
    version: int = 0  # 0: not stored yet
    expires_at: int | None = None
    forever: bool = False  # holds a point that never expires

    def add(self, value: float, timestamp: int, point_id: str, expires_at: int | None) -> None:
        self.count += 1
        self.sum += value
        self.min = value if self.min is None else min(self.min, value)
        self.max = value if self.max is None else max(self.max, value)
        key = position(timestamp, point_id)
        if key > self.last_key:
            self.last, self.last_key = value, key
        if expires_at is None:
            self.forever = True
        else:
            self.expires_at = max(self.expires_at or 0, expires_at)

    def value(self, aggregation: str) -> float:
        if aggregation == "count":
            return self.count
        if aggregation == "avg":
            value = self.sum / self.count if self.count else 0.0
        else:
            value = {"sum": self.sum, "min": self.min, "max": self.max, "last": self.last}[aggregation] or 0.0
        # as stored (dynamo rounds what it cannot hold to 0), whether folded yet or pending
        return value if abs(value) >= DYNAMO_MIN_MAGNITUDE else 0.0

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Rollup:
        return cls(
            bucket=int(record["bucket"]),
            count=int(record["count"]),
            sum=float(record["sum"]),
            min=float(record["min"]),
            max=float(record["max"]),
            last=float(record["last"]),
            last_key=record["lastKey"],
            version=int(record.get("v", 0)),
            expires_at=record.get("expiresAt"),
            forever="expiresAt" not in record,
        )

    def record(self) -> dict[str, Any]:
        return {
            "bucket": self.bucket,
            "count": self.count,
            "sum": self.sum,
            "min": self.min,
            "max": self.max,
            "last": self.last,
            "lastKey": self.last_key,
            "v": self.version + 1,
            "expiresAt": None if self.forever else self.expires_at,
        }


def rollup_keys(ws: str, proj: str, metric_id: str, timestamp: int) -> list[tuple[str, str]]:
    return [
        (rollup_pk(ws, proj, metric_id, i), _ts(timeutil.bucket_start(timestamp, i)))
        for i in ROLLUP_INTERVALS
    ]


def fold(
    ws: str,
    proj: str,
    points: Iterable[dict[str, Any]],
    existing: dict[tuple[str, str], Rollup] | None = None,
) -> dict[tuple[str, str], Rollup]:
    """Fold points into rollups (new or existing), keyed by (pk, sk)."""
    rollups = dict(existing or {})
    for p in points:
        for pk, sk in rollup_keys(ws, proj, p["metricId"], p["timestamp"]):
            rollup = rollups.get((pk, sk))
            if rollup is None:
                rollup = rollups[(pk, sk)] = Rollup(bucket=int(sk))
            rollup.add(p["value"], p["timestamp"], p["id"], p.get("expiresAt"))
    return rollups


# ----------------------------------------------------------------------------- writes


def _point_item(ws: str, proj: str, point: dict[str, Any]) -> dict[str, Any]:
    sk = position(point["timestamp"], point["id"])
    return dynamo.to_item(
        {
            **point,
            "pk": point_pk(ws, proj, point["metricId"]),
            "sk": sk,
            "gsi1pk": project_points_pk(ws, proj),
            "gsi1sk": sk,
        }
    )


def _read_rollups(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Rollup]:
    records = dynamo.batch_get(_table(), [dynamo.key(pk=pk, sk=sk) for pk, sk in keys], consistent=True)
    return {(r["pk"], r["sk"]): Rollup.from_record(r) for r in records}


def _pending_item(ws: str, proj: str, point: dict[str, Any]) -> dict[str, Any]:
    """The point's "not folded yet" marker: what the aggregator folds, and what reads add to
    the rollups until it has (one project partition, sorted by metric then time)."""
    return dynamo.to_item(
        {
            "pk": pending_pk(ws, proj),
            "sk": marker_sk(point),
            **{k: point.get(k) for k in ("id", "metricId", "value", "timestamp", "expiresAt")},
        }
    )


_known_catalog: set[tuple[str, str, str]] = set()  # per container: entries known to exist


def _ensure_catalog(ws: str, proj: str, catalog: dict[str, dict[str, Any]]) -> None:
    """A metric's catalog entry (its name, unit, natural aggregation) is created by the first
    push that names it and never rewritten by a push (its count is the aggregator's)."""
    for metric_id, entry in catalog.items():
        if (ws, proj, metric_id) in _known_catalog:
            continue
        try:
            dynamodb().put_item(
                TableName=_table(),
                Item=dynamo.to_item({**entry, "pk": catalog_pk(ws, proj), "sk": metric_id}),
                ConditionExpression="attribute_not_exists(pk)",
            )
        except ClientError as error:
            if not dynamo.is_condition_failure(error):
                raise
        _known_catalog.add((ws, proj, metric_id))


def write_points(
    ws: str, proj: str, points: list[dict[str, Any]], catalog: dict[str, dict[str, Any]]
) -> None:
    """Store points (each a full point record with its `id` and optional `expiresAt`) and their
    pending markers. Nothing shared is written (rollups and counts are the aggregator's), so
    concurrent pushes never contend. Each chunk is one transaction of conditional Puts: a chunk
    whose point already exists was committed before (a retry with the same ids) and is skipped."""
    _ensure_catalog(ws, proj, catalog)
    ordered = sorted(points, key=lambda p: (p["metricId"], p["timestamp"], p["id"]))
    per_chunk = MAX_TRANSACTION_ITEMS // 2
    for start in range(0, len(ordered), per_chunk):
        chunk = ordered[start : start + per_chunk]
        items = []
        for p in chunk:
            for item in (_point_item(ws, proj, p), _pending_item(ws, proj, p)):
                items.append(
                    {
                        "Put": {
                            "TableName": _table(),
                            "Item": item,
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    }
                )
        try:
            dynamodb().transact_write_items(TransactItems=items)
        except ClientError as error:
            reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons") or []]
            if "ConditionalCheckFailed" not in reasons:
                raise


# ----------------------------------------------------------------------------- aggregator


def _project_count_keys(ws: str, proj: str, timestamp: int) -> list[tuple[str, str]]:
    """The counts one point adds to: the project's folded total and the spans holding its second."""
    pk, unit = project_counts_pk(ws, proj), timestamp // SPAN_UNIT_MS
    return [(pending_pk(ws, proj), FOLDED_SK)] + [
        (pk, span_sk(level, unit // SPAN_BASE**level)) for level in range(SPAN_LEVELS)
    ]


def project_count_items(ws: str, proj: str, points: Iterable[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """The project counts (folded total and spans) that hold these points, as folded."""
    counts: dict[tuple[str, str], int] = {}
    for p in points:
        for key in _project_count_keys(ws, proj, p["timestamp"]):
            counts[key] = counts.get(key, 0) + 1
    return counts


def _fold_items(ws: str, proj: str, markers: list[dict[str, Any]]) -> int:
    """Items one fold transaction of these markers writes."""
    rollup_keys_ = {k for m in markers for k in rollup_keys(ws, proj, m["metricId"], m["timestamp"])}
    counts = {k for m in markers for k in _project_count_keys(ws, proj, m["timestamp"])}
    return len(markers) + len(rollup_keys_) + len(counts) + len({m["metricId"] for m in markers})


def _fold_chunks(ws: str, proj: str, markers: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for marker in sorted(markers, key=lambda m: (m["metricId"], m["timestamp"], m["id"])):
        if chunk and _fold_items(ws, proj, [*chunk, marker]) > MAX_TRANSACTION_ITEMS:
            yield chunk
            chunk = []
        chunk.append(marker)
    if chunk:
        yield chunk


def _add(key: tuple[str, str], amount: int, expires_at: int | None = None) -> dict[str, Any]:
    values: dict[str, Any] = {":n": {"N": str(amount)}}
    expression = "ADD #n :n"
    if expires_at is not None:  # for plans with retention: the newest point's expiry
        values[":e"] = {"N": str(expires_at)}
        expression += " SET expiresAt = :e"
    return {
        "Update": {
            "TableName": _table(),
            "Key": dynamo.key(pk=key[0], sk=key[1]),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": {"#n": "pointCount" if key[0].startswith("CAT#") else "count"},
            "ExpressionAttributeValues": values,
        }
    }


def _fold_chunk(ws: str, proj: str, markers: list[dict[str, Any]]) -> int:
    """Fold markers into their rollups, the catalog counts and the project counts, and delete
    them, in ONE transaction: a marker is folded exactly once. A marker already gone (a replayed
    or retried stream batch) fails its condition and is dropped; a rollup changed under us (only
    a retry of this same work can) is re-read. Returns how many markers this call folded."""
    for attempt in range(MAX_WRITE_ATTEMPTS):
        if not markers:
            return 0
        keys = sorted({k for m in markers for k in rollup_keys(ws, proj, m["metricId"], m["timestamp"])})
        rollups = fold(ws, proj, markers, _read_rollups(keys))
        items: list[dict[str, Any]] = [
            {
                "Delete": {
                    "TableName": _table(),
                    "Key": dynamo.key(pk=pending_pk(ws, proj), sk=marker_sk(m)),
                    "ConditionExpression": "attribute_exists(pk)",
                }
            }
            for m in markers
        ]
        for pk, sk in keys:
            rollup = rollups[(pk, sk)]
            put: dict[str, Any] = {
                "TableName": _table(),
                "Item": dynamo.to_item({**rollup.record(), "pk": pk, "sk": sk}),
            }
            if rollup.version:
                put["ConditionExpression"] = "#v = :v"
                put["ExpressionAttributeNames"] = {"#v": "v"}
                put["ExpressionAttributeValues"] = {":v": {"N": str(rollup.version)}}
            else:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            items.append({"Put": put})
        per_metric: dict[str, int] = {}
        per_count: dict[tuple[str, str], list[Any]] = {}
        for m in markers:
            per_metric[m["metricId"]] = per_metric.get(m["metricId"], 0) + 1
            for key in _project_count_keys(ws, proj, m["timestamp"]):
                entry = per_count.setdefault(key, [0, None])
                entry[0] += 1
                if m.get("expiresAt") is not None and key[1] != FOLDED_SK:
                    entry[1] = max(entry[1] or 0, int(m["expiresAt"]))
        items += [_add((catalog_pk(ws, proj), metric_id), n) for metric_id, n in sorted(per_metric.items())]
        items += [_add(key, n, expires) for key, (n, expires) in sorted(per_count.items())]
        try:
            dynamodb().transact_write_items(TransactItems=items)
            return len(markers)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons") or []]
            gone = {i for i, code in enumerate(reasons[: len(markers)]) if code == "ConditionalCheckFailed"}
            markers = [m for i, m in enumerate(markers) if i not in gone]
            if not gone:
                time.sleep(min(0.02 * 2**attempt, 0.5) * random.random())
    raise WriteContention("rollups kept changing under the aggregator")


def fold_pending(markers: Iterable[dict[str, Any]]) -> int:
    """Fold pending markers (as the stream delivers them: any projects, any order, possibly
    again) into rollups and counts. Returns how many were folded by this call."""
    by_project: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for marker in markers:
        _, ws, proj = marker["pk"].split("#", 2)
        by_project.setdefault((ws, proj), {})[marker["sk"]] = marker  # a batch may repeat a record
    folded = 0
    for (ws, proj), unique in by_project.items():
        for chunk in _fold_chunks(ws, proj, list(unique.values())):
            folded += _fold_chunk(ws, proj, chunk)
    return folded


def bulk_items(
    ws: str, proj: str, points: list[dict[str, Any]], catalog: dict[str, dict[str, Any]]
) -> Iterator[dict[str, Any]]:
    """The items that back-fill metrics with no data yet: every raw point, its rollups computed
    in memory, and the catalog entries with their point counts (low-level DynamoDB format)."""
    counts: dict[str, int] = {}
    for p in points:
        counts[p["metricId"]] = counts.get(p["metricId"], 0) + 1
    for (pk, sk), rollup in fold(ws, proj, points).items():
        yield dynamo.to_item({**rollup.record(), "pk": pk, "sk": sk})
    for metric_id, count in counts.items():
        yield dynamo.to_item(
            {**catalog[metric_id], "pointCount": count, "pk": catalog_pk(ws, proj), "sk": metric_id}
        )
    for p in points:
        yield _point_item(ws, proj, p)


def bulk_import(ws: str, proj: str, points: list[dict[str, Any]], catalog: dict[str, dict[str, Any]]) -> None:
    """Back-fill metrics that have no data yet with BatchWriteItem (no conditions, no
    transactions): for imports and benchmarks, never a request path."""
    table = _table()
    batch: list[dict[str, Any]] = []
    for item in bulk_items(ws, proj, points, catalog):
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == 25:
            _batch_write(table, batch)
            batch = []
    if batch:
        _batch_write(table, batch)
    for key, n in project_count_items(ws, proj, points).items():  # ADD: counts may hold other metrics'
        dynamodb().update_item(**{k: v for k, v in _add(key, n)["Update"].items()})


def _batch_write(table: str, requests: list[dict[str, Any]]) -> None:
    pending: dict[str, Any] = {table: requests}
    while pending:
        pending = dynamodb().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


# ----------------------------------------------------------------------------- reads


def _public_point(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in _POINT_FIELDS}


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
    high = f"{_ts(end_ms)}#~"
    high = min(high, before) if before else high
    items = dynamo.query(
        _table(),
        **index,
        KeyConditionExpression="#pk = :pk AND #sk BETWEEN :lo AND :hi",
        FilterExpression=_LIVE_FILTER,
        ExpressionAttributeNames={"#pk": pk_name, "#sk": sk_name, "#e": "expiresAt"},
        ExpressionAttributeValues={
            ":pk": {"S": pk},
            ":lo": {"S": f"{_ts(start_ms)}#"},
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
        _table(),
        **index,
        KeyConditionExpression=f"{pk_name} = :pk AND {sk_name} BETWEEN :lo AND :hi",
        FilterExpression=_LIVE_FILTER,
        ExpressionAttributeNames={"#e": "expiresAt"},
        ExpressionAttributeValues={
            ":pk": {"S": pk},
            ":lo": {"S": f"{_ts(start_ms)}#"},
            ":hi": {"S": f"{_ts(end_ms)}#~"},
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
            _table(),
            KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
            FilterExpression=_LIVE_FILTER,
            ExpressionAttributeNames={"#e": "expiresAt", "#t": "timestamp", "#v": "value"},
            ExpressionAttributeValues={
                ":pk": {"S": point_pk(ws, proj, metric_id)},
                ":lo": {"S": f"{_ts(start_ms)}#"},
                ":hi": {"S": f"{_ts(end_ms)}#~"},
                ":now": {"N": str(now_s)},
            },
            ProjectionExpression="#t, #v, id, #e",
        )
    )


def get_catalog(ws: str, proj: str, metric_id: str) -> dict[str, Any] | None:
    return dynamo.get(_table(), dynamo.key(pk=catalog_pk(ws, proj), sk=metric_id))


def catalog_entries(ws: str, proj: str, metric_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """The project's metric catalog (all of it, or the named metrics that exist)."""
    if metric_ids is not None:
        keys = [dynamo.key(pk=catalog_pk(ws, proj), sk=m) for m in dict.fromkeys(metric_ids)]
        return dynamo.batch_get(_table(), keys) if keys else []
    return list(
        dynamo.query(
            _table(),
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
        _table(),
        ConsistentRead=True,
        KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": rollup_pk(ws, proj, metric_id, interval)},
            ":lo": {"S": _ts(first_bucket)},
            ":hi": {"S": _ts(last_bucket)},
        },
    )
    found = [Rollup.from_record(i) for i in items]
    return [r for r in found if r.forever or (r.expires_at or 0) > now_s]


def _count_rollups(ws: str, proj: str, metric_id: str, interval: str, lo: int, hi: int) -> int:
    """Points in the whole `interval` buckets starting in [lo, hi)."""
    items = dynamo.query(
        _table(),
        KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": rollup_pk(ws, proj, metric_id, interval)},
            ":lo": {"S": _ts(lo)},
            ":hi": {"S": _ts(hi - 1)},
        },
        ProjectionExpression="#c",
        ExpressionAttributeNames={"#c": "count"},
        ConsistentRead=True,
    )
    return sum(int(i["count"]) for i in items)


def _count_raw(ws: str, proj: str, metric_id: str, lo: int, hi: int) -> int:
    """Points with a timestamp in [lo, hi) (under an hour: only the edges of a range)."""
    total = 0
    kwargs: dict[str, Any] = {
        "TableName": _table(),
        "KeyConditionExpression": "pk = :pk AND sk BETWEEN :lo AND :hi",
        "ExpressionAttributeValues": {
            ":pk": {"S": point_pk(ws, proj, metric_id)},
            ":lo": {"S": f"{_ts(lo)}#"},
            ":hi": {"S": f"{_ts(hi - 1)}#~"},
        },
        "Select": "COUNT",
        "ConsistentRead": True,
    }
    while True:
        response = dynamodb().query(**kwargs)
        total += int(response.get("Count", 0))
        if not response.get("LastEvaluatedKey"):
            return total
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


_COUNT_LEVELS = ("month", "day", "hour")


def count_points(ws: str, proj: str, metric_id: str, start_ms: int, end_ms: int) -> int:
    """Points of one metric with a timestamp in [start_ms, end_ms], from rollups: whole months,
    then whole days, then whole hours, then the raw sub-hour edges."""
    runs, edges = _cover(start_ms, end_ms + 1, _COUNT_LEVELS)
    return sum(
        _count_rollups(ws, proj, metric_id, interval, first, last + 1) for interval, first, last in runs
    ) + sum(_count_raw(ws, proj, metric_id, lo, hi) for lo, hi in edges)


# ----------------------------------------------------------------------------- exact reads
# Rollups and counts hold the folded points; pending markers the others. A read takes both,
# and checks that no fold committed in between: the project's folded total moves with every fold
# transaction, so reading it before and after brackets a consistent view.

MAX_READ_ATTEMPTS = 20


def folded_total(ws: str, proj: str) -> int:
    item = dynamo.get(_table(), dynamo.key(pk=pending_pk(ws, proj), sk=FOLDED_SK), consistent=True)
    return int(item["count"]) if item else 0


def pending(
    ws: str, proj: str, metric_id: str | None = None, lo: int = 0, hi: int = timeutil.MAX_TIMESTAMP_MS
) -> list[dict[str, Any]]:
    """Points not folded yet (bounded by the aggregator's lag): the project's, or one metric's,
    with a timestamp in [lo, hi]; one consistent Query of the project's pending partition."""
    if metric_id is None:
        return [p for p in _project_pending(ws, proj)[1] if lo <= int(p["timestamp"]) <= hi]
    items = dynamo.query(
        _table(),
        ConsistentRead=True,
        KeyConditionExpression="pk = :pk AND sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": pending_pk(ws, proj)},
            ":lo": {"S": f"{metric_id}#{_ts(lo)}#"},
            ":hi": {"S": f"{metric_id}#{_ts(hi)}#~"},
        },
    )
    return list(items)


def _project_pending(ws: str, proj: str) -> tuple[int, list[dict[str, Any]]]:
    """The folded total and, read after it, every pending marker of the project: one Query."""
    total, markers = 0, []
    for item in dynamo.query(
        _table(),
        ConsistentRead=True,
        KeyConditionExpression="pk = :pk",
        ExpressionAttributeValues={":pk": {"S": pending_pk(ws, proj)}},
    ):
        if item["sk"] == FOLDED_SK:
            total = int(item["count"])
        else:
            markers.append(item)
    return total, markers


def _consistent(read: Any, ws: str, proj: str) -> Any:
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
        _table(),
        IndexName="gsi1",
        KeyConditionExpression="gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi",
        ExpressionAttributeValues={
            ":pk": {"S": project_points_pk(ws, proj)},
            ":lo": {"S": f"{_ts(lo)}#"},
            ":hi": {"S": f"{_ts(hi - 1)}#~"},
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
        spans = dynamo.batch_get(_table(), keys, consistent=True) if keys else []
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
    ranged = start_ms is not None and end_ms is not None
    lo, hi = (start_ms, end_ms) if ranged else (0, timeutil.MAX_TIMESTAMP_MS)
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
