"""Lambda's event source mapping for DynamoDB streams, locally: moto calls a mapped function
synchronously inside the table write, one record at a time; AWS reads the stream and invokes
the function with batches, asynchronously, retrying from the first failed record. This pump
does what AWS does, from the template's `Type: DynamoDB` events: it reads each stream with
GetShardIterator/GetRecords, applies the event's FilterCriteria, and invokes the in-process
function with batches of up to BatchSize records."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3

from tallyboard_local import template as tpl
from tallyboard_local.functions import Functions


def _matches(pattern: Any, value: Any) -> bool:
    """The subset of EventBridge/Lambda filter patterns the template uses: nested objects,
    lists of alternatives, exact values and {"prefix": …}."""
    if isinstance(pattern, dict):
        return isinstance(value, dict) and all(
            k in value and _matches(v, value[k]) for k, v in pattern.items()
        )
    if isinstance(pattern, list):
        return any(
            (isinstance(option, dict) and "prefix" in option and str(value).startswith(option["prefix"]))
            or option == value
            for option in pattern
        )
    return pattern == value


@dataclass
class Mapping:
    function: str
    table: str
    batch_size: int
    filters: list[Any]
    iterators: dict[str, str | None] = field(default_factory=dict)  # shard id → next iterator
    held: list[dict[str, Any]] = field(default_factory=list)  # records to (re)deliver, in order
    described: tuple[float, str, list[dict[str, Any]]] | None = None  # when, stream arn, shards

    def wanted(self, record: dict[str, Any]) -> bool:
        return not self.filters or any(_matches(f, record) for f in self.filters)


def mappings() -> list[Mapping]:
    found = []
    for logical_id, properties in tpl.functions().items():
        for event in (properties.get("Events") or {}).values():
            if event.get("Type") != "DynamoDB":
                continue
            props = event["Properties"]
            table = props["Stream"]["Fn::GetAtt"][0]
            filters = [
                json.loads(f["Pattern"]) for f in (props.get("FilterCriteria") or {}).get("Filters", [])
            ]
            found.append(Mapping(logical_id, table, int(props.get("BatchSize", 100)), filters))
    return found


class StreamPump:
    """Polls every `interval_s` while records arrive; idle, it waits up to `max_pause_s` between
    rounds (each round is a GetRecords per shard: polling an idle stream ten times a second cost
    the local stack a sixth of its CPU). A read is exact whatever the fold's lag."""

    def __init__(self, functions: Functions, interval_s: float = 0.1, max_pause_s: float = 1.0):
        self.functions, self.interval_s, self.max_pause_s = functions, interval_s, max_pause_s
        self.mappings = mappings()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._rounds = 0  # rounds begun
        self._last_idle_round = 0  # the last round that found nothing to deliver
        self._running = threading.Event()  # cleared: delivery held (tests stage a lagging aggregator)
        self._running.set()
        self._thread = threading.Thread(target=self._loop, name="stream-pump", daemon=True)
        self._ddb = boto3.session.Session().client("dynamodb")
        self._streams = boto3.session.Session().client("dynamodbstreams")

    def start(self) -> StreamPump:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=5)

    def _loop(self) -> None:
        pause = self.interval_s
        while not self._stop.is_set():
            self._running.wait()
            self._rounds += 1
            this_round = self._rounds
            try:
                busy = any([self.pump(m) for m in self.mappings])
            except Exception:  # one bad round must not stop the pump
                logging.getLogger(__name__).exception("reading a stream failed")
                busy = True
            if busy:
                pause = self.interval_s
                continue
            self._last_idle_round = this_round
            self._wake.wait(pause)
            self._wake.clear()
            pause = min(pause * 2, self.max_pause_s)

    def _shards(self, mapping: Mapping) -> tuple[str, list[dict[str, Any]]]:
        """The stream (described once: the table's stream outlives the pump) and its shards,
        described again at most once a second."""
        now = time.monotonic()
        if mapping.described is None or now - mapping.described[0] > 1.0:
            arn = (
                mapping.described[1]
                if mapping.described
                else self._ddb.describe_table(TableName=mapping.table)["Table"]["LatestStreamArn"]
            )
            shards = self._streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
            mapping.described = (now, arn, shards)
        return mapping.described[1], mapping.described[2]

    def pump(self, mapping: Mapping) -> bool:
        """Deliver what the stream holds; True when there was anything, wanted or not (a page of
        records the filter drops may be followed by one it keeps: only an empty read is idle)."""
        arn, shards = self._shards(mapping)
        read = False
        for shard in shards:
            shard_id = shard["ShardId"]
            if shard_id not in mapping.iterators:
                mapping.iterators[shard_id] = self._streams.get_shard_iterator(
                    StreamArn=arn, ShardId=shard_id, ShardIteratorType="TRIM_HORIZON"
                )["ShardIterator"]
            iterator = mapping.iterators[shard_id]
            if iterator:
                response = self._streams.get_records(ShardIterator=iterator, Limit=1000)
                mapping.iterators[shard_id] = response.get("NextShardIterator")
                read = read or bool(response.get("Records"))
                mapping.held += [r for r in response.get("Records", []) if mapping.wanted(r)]
        anything = bool(mapping.held) or read
        while mapping.held:
            batch = mapping.held[: mapping.batch_size]
            result = self.functions.invoke(mapping.function, {"Records": batch}) or {}
            failures = [f["itemIdentifier"] for f in result.get("batchItemFailures") or []]
            if failures:  # retried from the first failed record on the next round, as Lambda does
                first = min(failures, key=int)
                mapping.held = [r for r in mapping.held if int(r["dynamodb"]["SequenceNumber"]) >= int(first)]
                break
            mapping.held = mapping.held[len(batch) :]
        return anything

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        """Records written inside wait until the block ends (the aggregator lags)."""
        self._running.clear()
        time.sleep(self.interval_s * 4)  # a round under way finishes
        try:
            yield
        finally:
            self._running.set()

    def drain(self, timeout_s: float = 120.0) -> None:
        """Wait until every record written so far has been delivered: until a round that began
        after this call finds nothing left."""
        deadline = time.monotonic() + timeout_s
        after = self._rounds
        while time.monotonic() < deadline:
            if self._last_idle_round > after and not any(m.held for m in self.mappings):
                return
            self._wake.set()
            time.sleep(0.02)
        raise TimeoutError("stream records still undelivered")
