"""A bounded load run on the local stack: 20 concurrent clients for 60 s across read and write
routes through the local gateway (real authorizer, real handlers, moto). Prints requests/s,
p50/p99 latency, the status counts (no 5xx allowed), whether the rate-limit counter counted
exactly the requests served, and memory in the first and the last ten seconds: the API
process's (gateway, authorizer, handlers; it must stay flat) and moto's, which runs in a process
of its own (LocalStack(separate_moto=True)) because it holds every item written in memory, so it
grows with the pushes as a table does.

moto is the bottleneck here (every DynamoDB call goes through its server thread), so the
absolute rates say little about AWS; what matters is zero 5xx, exact accounting under
concurrency and memory that stays flat. Traffic goes to 127.0.0.1 only and stops by itself."""

from __future__ import annotations

import os
import statistics
import threading
import time
from collections import Counter
from typing import Any

import requests

from bench.harness import Results, sized

CLIENTS = int(os.environ.get("BENCH_LOAD_CLIENTS", sized("20", "4")))
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", sized("60", "4")))
# The local stack grows its function pools (as Lambda adds containers) while load rises: memory
# is compared from the end of this warm-up on.
WARMUP_SECONDS = sized(15.0, 2.0)


def _rss_mb(pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _stored_items() -> int:
    """Items in every table of the local stack (moto counts them exactly)."""
    from tallyboard.data.aws import dynamodb

    client = dynamodb()
    return sum(
        client.describe_table(TableName=name)["Table"]["ItemCount"]
        for name in client.list_tables()["TableNames"]
    )


def run(results: Results) -> None:
    from tallyboard.data import rate_limits
    from tallyboard.logic import workspaces
    from tallyboard.rate_limit import WINDOW_SECONDS
    from tallyboard_local.stack import LocalStack

    stack = LocalStack(port=0, separate_moto=True).start()
    assert stack.moto_process
    moto_pid = stack.moto_process.pid
    try:
        tenant = workspaces.bootstrap("enterprise", rate_limit_per_hour=10_000_000)
        base, project = stack.base_url, tenant["projectId"]
        headers = {"Authorization": f"Bearer {tenant['apiKey']}"}
        dashboard = requests.post(
            f"{base}/dashboards",
            json={"projectId": project, "name": "Load", "type": "custom"},
            headers=headers,
            timeout=30,
        ).json()["data"]["id"]
        routes: list[tuple[str, str, dict[str, Any] | None, dict[str, str] | None]] = [
            ("GET", "/metrics", None, {"projectId": project, "limit": "20"}),
            ("GET", "/dashboards", None, {"projectId": project}),
            ("GET", f"/dashboards/{dashboard}", None, None),
            ("GET", "/api-keys", None, None),
            ("POST", "/metrics/custom", {"projectId": project, "metricId": "load", "value": 1}, None),
        ]
        items_before = _stored_items()
        latencies: list[float] = []
        statuses: Counter[int] = Counter()
        unexpected: Counter[str] = Counter()  # "<status> <method> <path>: <message>" of every non-2xx
        memory: list[tuple[float, float, float]] = []  # (seconds, API process MB, moto MB)
        lock = threading.Lock()
        wall_start = time.time() - 60  # the dashboard create above may sit in the previous hour
        started = time.monotonic()
        deadline = started + WARMUP_SECONDS + SECONDS

        def client(index: int) -> None:
            session = requests.Session()
            session.headers.update(headers)
            turn = index
            while time.monotonic() < deadline:
                method, path, body, params = routes[turn % len(routes)]
                turn += 1
                begin = time.monotonic()
                response = session.request(method, f"{base}{path}", json=body, params=params, timeout=30)
                with lock:
                    latencies.append(time.monotonic() - begin)
                    statuses[response.status_code] += 1
                    if response.status_code >= 300:
                        message = response.json().get("message", "") if response.content else ""
                        unexpected[f"{response.status_code} {method} {path}: {message}"] += 1

        def sample_memory() -> None:
            time.sleep(WARMUP_SECONDS)
            while time.monotonic() < deadline:
                memory.append((time.monotonic() - started, _rss_mb(), _rss_mb(moto_pid)))
                time.sleep(1)

        threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
        threads.append(threading.Thread(target=sample_memory))
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started

        served = sum(statuses.values())
        binding = f"workspace:{tenant['workspaceId']}"
        windows = {int(moment) // WINDOW_SECONDS * WINDOW_SECONDS for moment in (wall_start, time.time())}
        counted = sum(rate_limits.count(binding, window) for window in windows)
        ordered = sorted(latencies)
        first = [(api, moto) for at, api, moto in memory if at <= WARMUP_SECONDS + 10]
        last = [(api, moto) for at, api, moto in memory if at >= WARMUP_SECONDS + SECONDS - 10]
        results.record("load.clients", CLIENTS)
        results.record("load.seconds", round(elapsed, 1), "s")
        results.record("load.requests", served)
        results.record("load.requests_per_second", round(served / elapsed, 1), "req/s")
        results.record("load.p50_ms", round(statistics.median(ordered) * 1000, 1), "ms")
        results.record("load.p99_ms", round(ordered[int(len(ordered) * 0.99) - 1] * 1000, 1), "ms")
        results.record("load.statuses", dict(sorted(statuses.items())))
        results.record("load.server_errors", sum(n for status, n in statuses.items() if status >= 500))
        results.record("load.unexpected_responses", dict(unexpected))
        results.record("load.rate_limit_counted", counted, f"(requests sent: {served + 1})")
        results.record("load.rate_limit_exact", counted == served + 1)  # + the dashboard create
        api_first, api_last = (
            round(statistics.mean(api for api, _ in window), 1) for window in (first, last)
        )
        results.record("load.api_rss_mb_first_10s_after_warmup", api_first, "MB")
        results.record("load.api_rss_mb_last_10s", api_last, "MB")
        results.record("load.api_rss_growth_mb", round(api_last - api_first, 1), "MB")
        moto_first, moto_last = (
            round(statistics.mean(moto for _, moto in window), 1) for window in (first, last)
        )
        results.record("load.moto_rss_mb_first_10s_after_warmup", moto_first, "MB")
        results.record("load.moto_rss_mb_last_10s", moto_last, "MB")
        results.record(
            "load.items_stored_in_moto", _stored_items() - items_before, "(moto holds them in memory)"
        )
    finally:
        stack.stop()
