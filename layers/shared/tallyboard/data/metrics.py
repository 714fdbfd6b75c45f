"""Metrics table: raw points, their pre-aggregated rollups, and a per-project metric catalog.

Items (every partition key starts with the workspace and project, so a caller's workspace is
part of every key it can read)::

  point    pk PT#<ws>#<proj>#<metricId>            sk <timestamp:013d>#<pointId>
           gsi1pk PTS#<ws>#<proj>                  gsi1sk <timestamp:013d>#<pointId>
           id, projectId, connectionId, service, metricId, metricName, value, unit, timestamp,
           metadata, createdAt, expiresAt (epoch s, only for plans with limited retention)
  rollup   pk RU#<ws>#<proj>#<metricId>#<interval>  sk <bucketStart:013d>
           bucket, count, sum, min, max, last, lastKey (<timestamp:013d>#<pointId> of `last`),
           v (version), expiresAt (the newest point's, when every point in it expires)
  catalog  pk CAT#<ws>#<proj>                      sk <metricId>
           metricId, metricName, unit, service, connectionId, aggregation (natural),
           pointCount, createdAt

Access patterns (no Scan anywhere; every key starts with the caller's workspace and project):

  | request path                  | operation                | key condition                          |
  |-------------------------------|--------------------------|----------------------------------------|
  | GET /metrics                  | Query gsi1, desc         | gsi1pk = PTS#ws#proj                   |
  |                               |                          | AND gsi1sk BETWEEN start AND end       |
  | GET /metrics?metricIds=a,b    | Query per metric, desc,  | pk = PT#ws#proj#a                      |
  |                               | merged                   | AND sk BETWEEN start AND end           |
  | GET /metrics total (no range) | Query / BatchGetItem     | pk = CAT#ws#proj (AND sk = metricId)   |
  | GET /metrics total (range)    | Query, ≤ 7 per metric    | pk = RU#ws#proj#m#(month, day, hour)   |
  |                               |                          | AND sk BETWEEN whole buckets; edges:   |
  |                               |                          | pk = PT#ws#proj#m AND sk BETWEEN, COUNT|
  | GET /metrics/{id}/timeseries  | GetItem                  | pk = CAT#ws#proj, sk = metricId        |
  |                               | Query                    | pk = RU#ws#proj#id#interval            |
  |                               |                          | AND sk BETWEEN first AND last bucket   |
  | timeseries bucket cut by      | Query                    | pk = PT#ws#proj#id                     |
  | retention                     |                          | AND sk BETWEEN cut-off AND bucket end  |
  | POST /metrics/custom[/batch]  | BatchGetItem             | rollup keys (pk, sk), ≤ 4 per point    |
  |                               | TransactWriteItems       | point Put, rollup Put, catalog Update  |

`total` stays cheap: without a date range it is the catalog's per-metric `pointCount` (one
Query of the catalog partition, or one BatchGetItem for `metricIds`); with a range (or a
retention cut-off) the range is covered by whole month, then day, then hour rollups and only
the two sub-hour edges are counted from raw points, so it costs O(12·years + 31·2 + 24·2 +
2 hours of points) items per metric instead of O(points).

Writes: correct out of order, never double-counted on retry. A chunk of points (≤ 100 items:
points + the rollups they touch + catalog entries) is written in ONE TransactWriteItems:

  - each raw point is a Put conditioned on attribute_not_exists(pk): a point is never
    overwritten, and a transaction that already committed cannot commit again;
  - each rollup is read first (consistent BatchGetItem), folded with the chunk's points in
    memory (count, sum, min, max; `last` is the value with the greatest (timestamp, id), so
    arrival order does not matter) and written back as a Put conditioned on its version
    `v` (optimistic locking; attribute_not_exists for a new bucket);
  - the catalog entry is an Update (`ADD pointCount`, `if_not_exists` for its descriptive fields).

When the transaction is cancelled: a failed point condition means this very chunk (same point
ids) was committed before (a retried request, e.g. a replay with deterministic ids) — nothing
to do; a failed rollup version or a transaction conflict means a concurrent writer got there
first — re-read and retry (bounded, with jitter). Rollups and points therefore move together,
exactly once.
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


def point_pk(ws: str, proj: str, metric_id: str) -> str:
    return f"PT#{ws}#{proj}#{metric_id}"


def project_points_pk(ws: str, proj: str) -> str:
    return f"PTS#{ws}#{proj}"


def rollup_pk(ws: str, proj: str, metric_id: str, interval: str) -> str:
    return f"RU#{ws}#{proj}#{metric_id}#{interval}"


def catalog_pk(ws: str, proj: str) -> str:
    return f"CAT#{ws}#{proj}"


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
        key = f"{_ts(timestamp)}#{point_id}"
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
            return self.sum / self.count if self.count else 0.0
        return {"sum": self.sum, "min": self.min, "max": self.max, "last": self.last}[aggregation] or 0.0

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
    sk = f"{_ts(point['timestamp'])}#{point['id']}"
    return dynamo.to_item(
        {
            **point,
            "pk": point_pk(ws, proj, point["metricId"]),
            "sk": sk,
            "gsi1pk": project_points_pk(ws, proj),
            "gsi1sk": sk,
        }
    )


def _chunks(ws: str, proj: str, points: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    """Deterministic chunks of points whose transaction stays within 100 items."""
    ordered = sorted(points, key=lambda p: (p["metricId"], p["timestamp"], p["id"]))
    chunk: list[dict[str, Any]] = []
    keys: set[tuple[str, str]] = set()
    metric_ids: set[str] = set()
    for point in ordered:
        new_keys = keys | set(rollup_keys(ws, proj, point["metricId"], point["timestamp"]))
        new_metrics = metric_ids | {point["metricId"]}
        if chunk and len(chunk) + 1 + len(new_keys) + len(new_metrics) > MAX_TRANSACTION_ITEMS:
            yield chunk
            chunk, keys, metric_ids = [], set(), set()
            new_keys = set(rollup_keys(ws, proj, point["metricId"], point["timestamp"]))
            new_metrics = {point["metricId"]}
        chunk.append(point)
        keys, metric_ids = new_keys, new_metrics
    if chunk:
        yield chunk


def _read_rollups(keys: list[tuple[str, str]]) -> dict[tuple[str, str], Rollup]:
    records = dynamo.batch_get(_table(), [dynamo.key(pk=pk, sk=sk) for pk, sk in keys], consistent=True)
    return {(r["pk"], r["sk"]): Rollup.from_record(r) for r in records}


def _catalog_update(ws: str, proj: str, entry: dict[str, Any], count: int) -> dict[str, Any]:
    names = {"#n": "pointCount"}
    values: dict[str, Any] = {":n": count}
    sets = []
    for field in ("metricId", "metricName", "unit", "service", "connectionId", "aggregation", "createdAt"):
        if entry.get(field) is not None:
            names[f"#{field}"] = field
            values[f":{field}"] = entry[field]
            sets.append(f"#{field} = if_not_exists(#{field}, :{field})")
    expression = "ADD #n :n" + (" SET " + ", ".join(sets) if sets else "")
    return {
        "Update": {
            "TableName": _table(),
            "Key": dynamo.key(pk=catalog_pk(ws, proj), sk=entry["metricId"]),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": dynamo.to_item(values),
        }
    }


def _write_chunk(ws: str, proj: str, chunk: list[dict[str, Any]], catalog: dict[str, dict[str, Any]]) -> None:
    table = _table()
    keys = sorted({k for p in chunk for k in rollup_keys(ws, proj, p["metricId"], p["timestamp"])})
    counts: dict[str, int] = {}
    for p in chunk:
        counts[p["metricId"]] = counts.get(p["metricId"], 0) + 1
    for attempt in range(MAX_WRITE_ATTEMPTS):
        existing = _read_rollups(keys)
        rollups = fold(ws, proj, chunk, existing)
        items: list[dict[str, Any]] = [
            {
                "Put": {
                    "TableName": table,
                    "Item": _point_item(ws, proj, p),
                    "ConditionExpression": "attribute_not_exists(pk)",
                }
            }
            for p in chunk
        ]
        for pk, sk in keys:
            rollup = rollups[(pk, sk)]
            put: dict[str, Any] = {
                "TableName": table,
                "Item": dynamo.to_item({**rollup.record(), "pk": pk, "sk": sk}),
            }
            if rollup.version:
                put["ConditionExpression"] = "#v = :v"
                put["ExpressionAttributeNames"] = {"#v": "v"}
                put["ExpressionAttributeValues"] = {":v": {"N": str(rollup.version)}}
            else:
                put["ConditionExpression"] = "attribute_not_exists(pk)"
            items.append({"Put": put})
        items.extend(_catalog_update(ws, proj, catalog[m], n) for m, n in sorted(counts.items()))
        try:
            dynamodb().transact_write_items(TransactItems=items)
            return
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code", "None") for r in error.response.get("CancellationReasons") or []]
            if any(code == "ConditionalCheckFailed" for code in reasons[: len(chunk)]):
                return  # these very points were committed already: a retry, counted once
            if not reasons or all(
                c in {"None", "ConditionalCheckFailed", "TransactionConflict"} for c in reasons
            ):
                time.sleep(min(0.02 * 2**attempt, 0.5) * random.random())
                continue
            raise
    raise WriteContention("metric rollups are under heavy concurrent writes")


def write_points(
    ws: str, proj: str, points: list[dict[str, Any]], catalog: dict[str, dict[str, Any]]
) -> None:
    """Store points (each a full point record with its `id` and optional `expiresAt`) with their
    rollups and catalog entries. `catalog` maps each metricId to its descriptive defaults."""
    for chunk in _chunks(ws, proj, points):
        _write_chunk(ws, proj, chunk, catalog)


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


def _batch_write(table: str, requests: list[dict[str, Any]]) -> None:
    pending: dict[str, Any] = {table: requests}
    while pending:
        pending = dynamodb().batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


# ----------------------------------------------------------------------------- reads


def _public_point(record: dict[str, Any]) -> dict[str, Any]:
    return {k: record.get(k) for k in _POINT_FIELDS}


_LIVE_FILTER = "attribute_not_exists(#e) OR #e > :now"


def query_points(
    ws: str, proj: str, metric_id: str | None, start_ms: int, end_ms: int, now_s: int, max_items: int
) -> Iterator[dict[str, Any]]:
    """Live points in [start_ms, end_ms], newest first (timestamp, then id, descending); one
    metric's partition, or the project's index when metric_id is None."""
    if max_items <= 0 or end_ms < start_ms:
        return
    if metric_id is None:
        pk_name, sk_name, pk, index = "gsi1pk", "gsi1sk", project_points_pk(ws, proj), {"IndexName": "gsi1"}
    else:
        pk_name, sk_name, pk, index = "pk", "sk", point_pk(ws, proj, metric_id), {}
    items = dynamo.query(
        _table(),
        **index,
        KeyConditionExpression="#pk = :pk AND #sk BETWEEN :lo AND :hi",
        FilterExpression=_LIVE_FILTER,
        ExpressionAttributeNames={"#pk": pk_name, "#sk": sk_name, "#e": "expiresAt"},
        ExpressionAttributeValues={
            ":pk": {"S": pk},
            ":lo": {"S": f"{_ts(start_ms)}#"},
            ":hi": {"S": f"{_ts(end_ms)}#~"},
            ":now": {"N": str(now_s)},
        },
        ScanIndexForward=False,
        Limit=min(max_items, 1000),
    )
    for n, item in enumerate(items, 1):
        yield _public_point(item)
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


def rollups(
    ws: str, proj: str, metric_id: str, interval: str, first_bucket: int, last_bucket: int, now_s: int
) -> list[Rollup]:
    """Stored rollups with a bucket start in [first_bucket, last_bucket], oldest first; one Query."""
    items = dynamo.query(
        _table(),
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

    def cover(lo: int, hi: int, level: int) -> int:
        if lo >= hi:
            return 0
        if level == len(_COUNT_LEVELS):
            return _count_raw(ws, proj, metric_id, lo, hi)
        interval = _COUNT_LEVELS[level]
        first = timeutil.bucket_start(lo, interval)
        if first < lo:
            first = timeutil.next_bucket(first, interval)
        last_end = timeutil.bucket_start(hi, interval)  # buckets in [first, last_end) lie inside
        if first >= last_end:
            return cover(lo, hi, level + 1)
        return (
            _count_rollups(ws, proj, metric_id, interval, first, last_end)
            + cover(lo, first, level + 1)
            + cover(last_end, hi, level + 1)
        )

    return cover(start_ms, end_ms + 1, 0)
