"""Buffers pushed points into POST /metrics/custom/batch calls, as ingestion SDKs do."""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from tallyboard_client.resources import Metrics, point_body

log = logging.getLogger("tallyboard_client")

MAX_POINTS = 1000  # the batch route's maxItems (CustomMetricBatchRequest.points)
MAX_BYTES = 900_000  # points' JSON per request: under the API's 1 MB body limit, envelope included


class MetricsBatcher:
    """`add()` buffers a point (stamped with the time of the call unless given one); the buffer
    is sent as one batch when it holds `max_points` points (or `max_bytes` of JSON), when its
    oldest point is `max_age` seconds old, on `flush()`, on `close()`, and at interpreter exit.
    Safe to share between threads. A batch that fails (after the client's retries) goes to
    `on_error(exception, points)`, or is logged; it is not retried again.

    Sync clients only: an AsyncTallyboard pushes batches itself with `await metrics.push_batch`.
    """

    def __init__(
        self,
        metrics: Metrics,
        *,
        project_id: str | None = None,
        max_points: int = MAX_POINTS,
        max_age: float = 5.0,
        max_bytes: int = MAX_BYTES,
        on_error: Callable[[Exception, list[dict[str, Any]]], Any] | None = None,
    ):
        if not 1 <= max_points <= MAX_POINTS:
            raise ValueError(f"max_points must be between 1 and {MAX_POINTS} (the batch route's limit)")
        if max_age <= 0:
            raise ValueError("max_age must be > 0 seconds")
        self._metrics, self.project_id = metrics, project_id
        self.max_points, self.max_age, self.max_bytes = max_points, max_age, max_bytes
        self.on_error = on_error
        self.sent = 0  # points the API stored
        self.failed = 0  # points of batches that failed
        self.batches = 0
        self._points: list[dict[str, Any]] = []
        self._bytes = 0
        self._oldest: float | None = None
        self._closed = False
        self._cond = threading.Condition()
        self._sending = threading.Lock()  # one batch at a time, in the order they were taken
        self._thread = threading.Thread(target=self._age_flusher, name="tallyboard-batcher", daemon=True)
        self._thread.start()
        atexit.register(self.close)

    def __len__(self) -> int:
        with self._cond:
            return len(self._points)

    def add(
        self,
        metric_id: str,
        value: float,
        *,
        timestamp: int | None = None,
        unit: str | None = None,
        metadata: dict[str, Any] | None = None,
        metric_name: str | None = None,
        aggregation: str | None = None,
    ) -> None:
        point = point_body(
            {
                "metricId": metric_id,
                "value": value,
                "timestamp": timestamp if timestamp is not None else int(time.time() * 1000),
                "unit": unit,
                "metadata": metadata,
                "metricName": metric_name,
                "aggregation": aggregation,
            }
        )
        size = len(json.dumps(point)) + 1
        with self._cond:
            if self._closed:
                raise RuntimeError("the batcher is closed")
            overflow = bool(self._points) and self._bytes + size > self.max_bytes
        if overflow:
            self.flush()
        with self._cond:
            self._points.append(point)
            self._bytes += size
            if self._oldest is None:
                self._oldest = time.monotonic()
                self._cond.notify_all()  # the age flusher starts its clock
            full = len(self._points) >= self.max_points
        if full:
            self.flush()

    def flush(self) -> None:
        """Send what is buffered now (in the caller's thread)."""
        with self._sending:
            with self._cond:
                batch = self._take()
            if batch:
                self._send(batch)

    def close(self) -> None:
        """Flush and stop; also run at interpreter exit. Idempotent."""
        with self._cond:
            if self._closed:
                return
            self._closed = True
            self._cond.notify_all()
        self._thread.join(timeout=5)
        self.flush()
        atexit.unregister(self.close)

    def __enter__(self) -> MetricsBatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _take(self) -> list[dict[str, Any]]:
        batch, self._points, self._bytes, self._oldest = self._points, [], 0, None
        return batch

    def _send(self, batch: list[dict[str, Any]]) -> None:
        try:
            self._metrics.push_batch(batch, project_id=self.project_id)
        except Exception as exc:
            self.failed += len(batch)
            if self.on_error:
                self.on_error(exc, batch)
            else:
                log.warning("tallyboard: a batch of %d points was not stored: %s", len(batch), exc)
        else:
            self.sent += len(batch)
            self.batches += 1

    def _age_flusher(self) -> None:
        while True:
            with self._cond:
                while not self._closed:
                    if self._oldest is None:
                        self._cond.wait()
                        continue
                    remaining = self._oldest + self.max_age - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(remaining)
                if self._closed:
                    return  # close() sends the rest
            self.flush()
