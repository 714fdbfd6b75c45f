"""tallyboard-client against the real local stack: typed answers, retries (a real 429 with
Retry-After, a 503 from an injected store fault), the Idempotency-Key kept across a retry,
cursor pagination, an export run and downloaded, the batcher's flush rules, typed errors."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from tallyboard_client import (
    AsyncTallyboard,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    Tallyboard,
)
from tallyboard_client.models import MetricPoint, Timeseries

from tests.conftest import Tenant
from tests.e2e.test_faults import fault  # noqa: F401  (the fixture)

T0 = 1_700_000_000_000  # 2023-11-14T22:13:20Z
HOUR = 3_600_000


def _points(n: int, metric: str = "visits") -> list[dict[str, Any]]:
    return [{"metric_id": metric, "value": i, "timestamp": T0 + i * HOUR, "unit": "count"} for i in range(n)]


def _stored(tenant: Tenant) -> int:
    return tenant.get("/metrics", params={"projectId": tenant.project_id}).json()["pagination"]["total"]


def test_push_list_and_series_are_typed(sdk: Tallyboard, tenant: Tenant) -> None:
    pushed = sdk.metrics.push(
        "daily_sales", 15000, unit="USD", timestamp=T0, metadata={"source": "pos_system"}
    )
    sdk.metrics.push("daily_sales", 5000, unit="USD", timestamp=T0 + 24 * HOUR)

    points = list(sdk.metrics.list(metric_ids=["daily_sales"]))
    series = sdk.metrics.timeseries(
        "daily_sales", start_date="2023-11-14T00:00:00Z", end_date="2023-11-16T00:00:00Z", aggregation="sum"
    )

    assert pushed.metric_id.startswith("metric_") and pushed.success is True
    assert [type(p) for p in points] == [MetricPoint, MetricPoint]
    assert [(p.value, p.timestamp, p.unit, p.data_quality) for p in points] == [
        (5000, T0 + 24 * HOUR, "USD", "manual"),
        (15000, T0, "USD", "manual"),
    ]
    assert points[1].id == pushed.metric_id and points[1].metadata == {"source": "pos_system"}
    assert isinstance(series, Timeseries) and series.interval == "day" and series.metric.id == "daily_sales"
    assert [(p.timestamp, p.value) for p in series.data] == [
        (1_699_920_000_000, 15000),
        (1_700_006_400_000, 5000),
    ]


def test_cursor_walk_equals_offset_walk(sdk: Tallyboard) -> None:
    sdk.metrics.push_batch(_points(23))

    by_cursor = [p.id for p in sdk.metrics.list(limit=5)]
    pages = [sdk.metrics.list(limit=5, offset=offset).first_page() for offset in range(0, 25, 5)]
    by_offset = [p.id for page in pages for p in page]

    assert len(by_cursor) == 23 and len(set(by_cursor)) == 23
    assert by_cursor == by_offset
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    assert pages[-1].pagination.has_more is False and pages[-1].pagination.next_cursor is None


class Recorder:
    """The requests a client sent and the answers it got (httpx event hooks), and its waits."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.responses: list[httpx.Response] = []
        self.waits: list[float] = []

    def client(self, tenant: Tenant, on_wait: Callable[[], Any] = lambda: None, **options: Any) -> Tallyboard:
        http = httpx.Client(
            event_hooks={"request": [self.requests.append], "response": [self.responses.append]}
        )
        client = Tallyboard(
            tenant.api_key, tenant.base_url, project_id=tenant.project_id, http_client=http, **options
        )

        def sleep(seconds: float) -> None:
            self.waits.append(seconds)
            on_wait()

        client._sleep = sleep
        return client


def _reset_rate_count(tenant: Tenant) -> None:
    """The hour's counter back to 0, as if the window had turned (it has up to an hour to go)."""
    from tallyboard.data import dynamo
    from tallyboard.data.aws import dynamodb
    from tallyboard.settings import get_settings

    window = int(time.time()) // 3600 * 3600
    dynamodb().update_item(
        TableName=get_settings().rate_limit_table,
        Key=dynamo.key(bucket=f"workspace:{tenant.workspace_id}#{window}"),
        UpdateExpression="SET requests = :n",
        ExpressionAttributeValues={":n": {"N": "0"}},
    )


def test_a_real_429_is_retried_after_its_capped_retry_after(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant("enterprise", rate_limit_per_hour=2)
    recorder = Recorder()
    client = recorder.client(tenant, on_wait=lambda: _reset_rate_count(tenant), max_retry_after=60)
    client.keys.list().first_page()
    client.keys.list().first_page()  # the hour's two requests spent

    keys = client.keys.list().first_page()  # 429, wait, the window "turns", 200

    statuses = [r.status_code for r in recorder.responses]
    if len({r.headers["X-RateLimit-Reset"] for r in recorder.responses}) > 1:
        pytest.skip("an hour boundary passed during the test")
    assert statuses == [200, 200, 429, 200]
    retry_after = int(recorder.responses[2].headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    assert recorder.waits == [min(retry_after, 60)]
    assert [k.id for k in keys] == [tenant.key_id]


def test_a_429_that_outlasts_the_retries_raises_rate_limit_error(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant("enterprise", rate_limit_per_hour=1)
    recorder = Recorder()
    client = recorder.client(tenant, max_retries=2, max_retry_after=0.5)
    client.keys.list().first_page()

    with pytest.raises(RateLimitError) as raised:
        client.keys.list().first_page()

    assert [r.status_code for r in recorder.responses] == [200, 429, 429, 429]  # 1 try + 2 retries
    assert recorder.waits == [0.5, 0.5]  # Retry-After (an hour at most) capped
    error = raised.value
    assert error.status == 429 and error.error == "Rate limit exceeded"
    assert error.message == "You have exceeded the rate limit of 1 requests per hour"
    assert (
        error.retry_after == int(error.headers["retry-after"])
        and error.headers["x-ratelimit-remaining"] == "0"
    )


def test_an_injected_503_is_retried_after_its_retry_after(tenant: Tenant, fault: Callable[..., Any]) -> None:  # noqa: F811
    clear = fault("throttle", "Query", tenant.workspace_id)
    recorder = Recorder()
    client = recorder.client(tenant, on_wait=clear)
    assert (
        tenant.post("/dashboards", json={"projectId": tenant.project_id, "name": "Revenue"}).status_code
        == 201
    )

    dashboards = list(client.dashboards.list())

    assert [r.status_code for r in recorder.responses] == [503, 200]
    assert recorder.waits == [1.0]  # the 503's Retry-After: 1
    assert [d.name for d in dashboards] == ["Revenue"]


def test_a_503_is_a_server_error_once_retries_are_spent(tenant: Tenant, fault: Callable[..., Any]) -> None:  # noqa: F811
    fault("throttle", "Query", tenant.workspace_id)
    recorder = Recorder()
    client = recorder.client(tenant, max_retries=1)

    with pytest.raises(ServerError) as raised:
        client.dashboards.list().first_page()

    assert raised.value.status == 503 and raised.value.error == "Service Unavailable"
    assert raised.value.headers["retry-after"] == "1" and len(recorder.responses) == 2


class LosesFirstAnswer(httpx.HTTPTransport):
    """The network drops the API's first answer to a push: the server stored the point, the
    client saw a connection error."""

    def __init__(self) -> None:
        super().__init__()
        self.keys: list[str | None] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = super().handle_request(request)
        if request.method == "POST":
            self.keys.append(request.headers.get("Idempotency-Key"))
            if len(self.keys) == 1:
                response.read()
                response.close()
                raise httpx.ReadError("connection reset by peer", request=request)
        return response


@pytest.mark.parametrize("batch", [False, True])
def test_a_push_retried_after_a_lost_answer_is_stored_once(tenant: Tenant, batch: bool) -> None:
    transport = LosesFirstAnswer()
    client = Tallyboard(
        tenant.api_key,
        tenant.base_url,
        project_id=tenant.project_id,
        http_client=httpx.Client(transport=transport),
    )
    client._sleep = lambda seconds: None

    if batch:
        ids = client.metrics.push_batch(_points(2)).metric_ids
    else:
        ids = [client.metrics.push("orders", 3, timestamp=T0).metric_id]

    assert len(transport.keys) == 2 and transport.keys[0] and transport.keys[0] == transport.keys[1]
    assert _stored(tenant) == len(ids)  # the retry was answered the first attempt's ids
    listed = {p["id"] for p in tenant.get("/metrics", params={"projectId": tenant.project_id}).json()["data"]}
    assert listed == set(ids)
    client.metrics.push("orders", 3, timestamp=T0)  # a new call is a new key: a new point
    assert _stored(tenant) == len(ids) + 1 and transport.keys[2] != transport.keys[0]


def test_an_export_runs_with_progress_and_downloads(sdk: Tallyboard, tenant: Tenant, tmp_path: Path) -> None:
    sdk.metrics.push_batch(_points(3, "stripe_mrr"))
    sdk.dashboards.create("Revenue Dashboard")
    seen: list[tuple[str, int]] = []

    job = sdk.exports.run(
        format="json",
        date_range="all_time",
        progress=lambda j: seen.append((j.status, j.progress)),
        poll_interval=0.1,
    )
    path = sdk.exports.download(job, tmp_path / "backup.json")

    assert job.status == "completed" and job.progress == 100 and job.download_url
    assert seen[-1] == ("completed", 100)
    assert [p for _, p in seen] == sorted(p for _, p in seen)
    data = json.loads(path.read_text())
    assert sorted(m["value"] for m in data["metrics"]) == [0, 1, 2]
    assert [d["name"] for d in data["dashboards"]] == ["Revenue Dashboard"]
    assert job.size_bytes == path.stat().st_size and not (tmp_path / "backup.json.part").exists()
    assert [j.export_job_id for j in sdk.exports.list()] == [job.export_job_id]

    csv_job = sdk.exports.run(format="csv", include_metrics=True, poll_interval=0.1)
    rows = list(
        csv.reader(io.StringIO(sdk.exports.download(csv_job.export_job_id, tmp_path / "m.csv").read_text()))
    )
    assert rows[0] == ["Type", "ID", "Name", "Value", "Unit", "Timestamp", "Service", "Status", "Created At"]
    assert sorted(r[3] for r in rows[1:]) == ["0", "1", "2"]


def test_export_schedule_set_get_delete(sdk: Tallyboard) -> None:
    schedule = sdk.exports.schedule.set("weekly", day_of_week="sunday", hour=0, date_range="last_7_days")

    assert sdk.exports.schedule.get() == schedule
    assert (schedule.frequency, schedule.day_of_week, schedule.date_range) == (
        "weekly",
        "sunday",
        "last_7_days",
    )
    sdk.exports.schedule.delete()
    with pytest.raises(NotFoundError):
        sdk.exports.schedule.get()


def test_errors_are_typed_and_carry_the_body(
    sdk: Tallyboard, tenant: Tenant, other_tenant: Tenant, held_exports: threading.Event
) -> None:
    with pytest.raises(NotFoundError) as not_found:
        sdk.dashboards.get("dash_nope")
    with pytest.raises(BadRequestError) as bad:
        sdk.metrics.push("not a metric id!", 1)
    with pytest.raises(AuthenticationError) as unauthorized:
        Tallyboard("tb_" + "x" * 40, tenant.base_url).keys.list().first_page()
    with pytest.raises(PermissionDeniedError) as forbidden:
        sdk.metrics.list(project_id=other_tenant.project_id).first_page()
    sdk.exports.create()  # held in its workflow until the test ends
    with pytest.raises(ConflictError) as conflict:
        sdk.exports.create()
    with pytest.raises(PayloadTooLargeError) as too_large:
        sdk.metrics.push_batch([{**p, "metadata": {"blob": "x" * 6000}} for p in _points(200)])

    assert (not_found.value.status, not_found.value.error) == (404, "Not Found")
    assert not_found.value.message == "Dashboard not found"
    assert bad.value.status == 400 and "metricId" in json.dumps(bad.value.details)
    assert unauthorized.value.status == 401 and unauthorized.value.message == "Invalid or missing API key"
    assert forbidden.value.status == 403 and forbidden.value.message == "No access to this project"
    assert conflict.value.status == 409 and conflict.value.message == "Another export is in progress"
    assert too_large.value.status == 413
    for raised in (not_found, bad, unauthorized, forbidden, conflict, too_large):
        assert raised.value.headers["content-type"].startswith("application/json")
    assert not_found.value.headers["x-ratelimit-limit"] == "1000"


def test_batcher_flushes_on_size_age_and_close(sdk: Tallyboard, tenant: Tenant) -> None:
    batcher = sdk.metrics.batcher(max_points=5, max_age=0.5)
    for i in range(12):
        batcher.add("signups", i, timestamp=T0 + i)

    assert (batcher.batches, batcher.sent, len(batcher)) == (2, 10, 2)  # two full batches sent at once
    assert _stored(tenant) == 10
    deadline = time.monotonic() + 5
    while batcher.sent < 12 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (batcher.batches, batcher.sent, len(batcher)) == (3, 12, 0)  # the rest once 0.5 s old

    batcher.add("signups", 99)  # stamped now, sent by close() long before its age
    batcher.close()
    assert (batcher.sent, _stored(tenant)) == (13, 13)
    with pytest.raises(RuntimeError):
        batcher.add("signups", 1)


def test_batcher_is_thread_safe(sdk: Tallyboard, tenant: Tenant) -> None:
    with sdk.metrics.batcher(max_points=40, max_age=60) as batcher:

        def add(worker: int) -> None:
            for i in range(50):
                batcher.add("clicks", i, timestamp=T0 + worker * 1000 + i)

        threads = [threading.Thread(target=add, args=(w,)) for w in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert (batcher.sent, batcher.failed) == (200, 0)
    values = [p.timestamp for p in sdk.metrics.list(limit=1000)]
    assert sorted(values) == sorted(T0 + w * 1000 + i for w in range(4) for i in range(50))


def test_batcher_rejects_more_than_the_batch_route_takes(sdk: Tallyboard) -> None:
    with pytest.raises(ValueError, match="1000"):
        sdk.metrics.batcher(max_points=1001)


def test_batcher_flushes_at_interpreter_exit(tenant: Tenant) -> None:
    script = (
        "from tallyboard_client import Tallyboard\n"
        f"client = Tallyboard({tenant.api_key!r}, {tenant.base_url!r})\n"
        f"b = client.metrics.batcher({tenant.project_id!r}, max_age=60)\n"
        "for i in range(3): b.add('exits', i)\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)

    assert _stored(tenant) == 3


def test_the_async_client(tenant: Tenant) -> None:
    async def scenario() -> tuple[list[str], Any, Any]:
        async with AsyncTallyboard(tenant.api_key, tenant.base_url, project_id=tenant.project_id) as client:
            await client.metrics.push_batch(_points(7))
            ids = [p.id async for p in client.metrics.list(limit=3)]
            job = await client.exports.run(include_metrics=True, poll_interval=0.1)
            with pytest.raises(NotFoundError):
                await client.dashboards.get("dash_nope")
            return ids, job, await client.exports.get(job.export_job_id)

    ids, job, again = asyncio.run(scenario())

    assert len(ids) == 7 and len(set(ids)) == 7
    assert job.status == again.status == "completed" and job.record_count == 7


def test_key_and_base_url_come_from_the_environment(tenant: Tenant, monkeypatch: pytest.MonkeyPatch) -> None:
    from tallyboard_client import ConfigurationError

    monkeypatch.delenv("TALLYBOARD_API_KEY", raising=False)
    with pytest.raises(ConfigurationError):
        Tallyboard()
    monkeypatch.setenv("TALLYBOARD_API_KEY", tenant.api_key)
    monkeypatch.setenv("TALLYBOARD_BASE_URL", tenant.base_url + "/")

    client = Tallyboard()

    assert client.base_url == tenant.base_url and client.timeout == 30 and client.max_retries == 2
    assert [k.id for k in client.keys.list()] == [tenant.key_id]
