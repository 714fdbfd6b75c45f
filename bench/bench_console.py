"""Console costs (functions/console/app: Starlette behind Mangum, the SDK over HTTP to the API).

(a) Cold start, in fresh worker processes (bench_platform's worker, rounds and medians): import
    functions/console/app/app.py with its artifact (its requirements and the SDK, with bytecode,
    as `sam build` lays them in /var/task) before the shared layer (as /opt/python holds it) and
    answer a first GET /console/sign-in (events/console/app.json), which reads the session key
    from Secrets Manager (moto's server, the secret the local stack creates from the template's
    ConsoleSessionSecret), against the bare one-route Powertools handler importing, creating its
    DynamoDB client and answering GET /hello. Figures: import, time to first response, its CPU
    time, peak RSS; the median ratio of COLD_PAIRS rounds of real, bare, bare, real in wall and
    CPU time (goal: at most 1.5). Also a signed-in first render of the dashboards list (the worker's
    console calls the local gateway of this process over HTTP).
(b) Per page, with the local stack and its demo data (tallyboard_local.demo.seed()), signed in
    over HTTP as a browser is: the API requests the console made for the page (counted where the
    local gateway hands a request to its route: Gateway.handle), their response bytes, the page's
    HTML bytes, and the DynamoDB calls and items of the whole page (the authorizer's share apart:
    API Gateway caches it for AuthorizerCacheTtl, the local gateway does not). The dashboards
    list, each demo dashboard (run_insights' cache cold, then warm) and the metric explorer.

tests/e2e/test_console_cost.py pins the API calls of the list and of a demo dashboard."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from bench.bench_platform import (
    COMPILE_LAYER,
    _layer_copy,
    _median,
    _no_bytecode,
    _run_worker,
    alternating_rounds,
    copy_distributions,
    requirement_closure,
    round_ratios,
    worker_files,
)
from bench.harness import SHORT, api_event, count_dynamodb, sized

ROOT = Path(__file__).resolve().parent.parent
CONSOLE_DIR = ROOT / "functions/console/app"
SDK = ROOT / "clients/python/src/tallyboard_client"
SIGN_IN_EVENT = ROOT / "events/console/app.json"
COLD_PAIRS = sized(15, 1)
RENDER_RUNS = sized(3, 1)
GOAL = 1.5
# Days of demo points (tallyboard_local/demo_metrics.py: 120). Folding them is most of the
# set-up's CPU (~7 s of 120 days' stream records); the pages make the same calls with fewer.
DEMO_DAYS = sized(None, 7)
# The console's own modules: a worker that imported any from the dev venv measured the wrong files.
CONSOLE_MODULES = ["starlette", "mangum", "httpx", "cryptography", "tallyboard_client"]


# ---------------------------------------------------------------------------- (b) a page's calls


@dataclass(frozen=True)
class ApiCall:
    method: str
    path: str  # as sent, stage prefix and query included
    status: int
    bytes: int  # the response body's

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.status} {self.bytes} B"


@contextmanager
def count_api_calls() -> Iterator[list[ApiCall]]:
    """The API requests the local gateway of this process serves inside the block (the console's
    own pages, /v1/console…, left out). The console's client reaches the API only over HTTP, so
    the gateway sees every call whatever client or thread made it."""
    from tallyboard_local.gateway import STAGE_PREFIX, Gateway

    calls: list[ApiCall] = []
    lock = threading.Lock()
    original = Gateway.handle

    def handle(self: Gateway, method: str, raw_path: str, *args: Any) -> tuple[int, Any, bytes]:
        status, headers, payload = original(self, method, raw_path, *args)
        if not raw_path.startswith(f"{STAGE_PREFIX}/console"):
            with lock:
                calls.append(ApiCall(method, raw_path, status, len(payload)))
        return status, headers, payload

    Gateway.handle = handle  # type: ignore[method-assign]
    try:
        yield calls
    finally:
        Gateway.handle = original  # type: ignore[method-assign]


def sign_in(base_url: str, api_key: str) -> str:
    """The session cookie's value, signed in over HTTP as a browser does: the form (its CSRF
    token and pre-session cookie), then the POST."""
    form = requests.get(f"{base_url}/console/sign-in", timeout=30)
    found = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert form.status_code == 200 and found, form.text
    response = requests.post(
        f"{base_url}/console/sign-in",
        data={"csrf": found.group(1), "api_key": api_key},
        cookies={"tb_console_pre": form.cookies["tb_console_pre"]},
        allow_redirects=False,
        timeout=30,
    )
    cookie = re.search(r"tb_console=([^;]+)", response.headers.get("Set-Cookie", ""))
    assert response.status_code == 303 and cookie, response.text
    return cookie.group(1)


def seed_demo(stack: Any, days: int | None = None) -> dict[str, Any]:
    """tallyboard_local.demo.seed() (with `days` of metric points instead of all of them), its
    stream records delivered."""
    from tallyboard_local import demo, demo_metrics

    every_day = demo_metrics.points
    if days is not None:
        demo_metrics.points = lambda today=None, days=days: every_day(today, days)  # type: ignore[assignment]
    try:
        seeded = demo.seed()
    finally:
        demo_metrics.points = every_day  # type: ignore[assignment]
    stack.streams.drain()
    return seeded


def demo_dashboards(base_url: str, demo: dict[str, Any]) -> list[dict[str, Any]]:
    """The demo project's dashboards (tallyboard_local/demo_dashboards.py), by name."""
    listed = requests.get(
        f"{base_url}/dashboards",
        params={"projectId": demo["projectId"]},
        headers={"Authorization": f"Bearer {demo['apiKey']}"},
        timeout=30,
    )
    assert listed.status_code == 200, listed.text
    return sorted(listed.json()["data"], key=lambda d: d["name"])


def _function_running() -> str | None:
    from tallyboard_local import aws_calls

    return aws_calls.current_function.get()


def page_cost(stack: Any, cookie: str, path: str) -> dict[str, Any]:
    """One console page: its status and HTML bytes, the API calls it made and their bytes, and
    the DynamoDB calls and items behind them (the authorizer's apart). Inside
    stack.streams.held(), so that the counter sees the page's requests only."""
    from tallyboard_local import template as tpl

    authorizer = tpl.authorizer_function()
    with count_api_calls() as calls, count_dynamodb(_function_running) as dynamo:
        page = requests.get(f"{stack.base_url}{path}", cookies={"tb_console": cookie}, timeout=60)
    return {
        "status": page.status_code,
        "html_bytes": len(page.content),
        "api_calls": len(calls),
        "api_bytes": sum(c.bytes for c in calls),
        "api": [str(c) for c in calls],
        "dynamodb_calls": dynamo.calls,
        "dynamodb_items_read": dynamo.items_read,
        "dynamodb_items_written": dynamo.items_written,
        "dynamodb_calls_authorizer": dynamo.by_caller[authorizer],
        "dynamodb_operations": dict(sorted(dynamo.by_operation.items())),
    }


def pages(results: Any, stack: Any, demo: dict[str, Any]) -> None:
    base_url = stack.base_url
    owner = sign_in(base_url, demo["apiKey"])
    project = sign_in(base_url, demo["projectKey"])
    boards = demo_dashboards(base_url, demo)
    visits: list[tuple[str, str, str]] = [("dashboards list", owner, "/console/dashboards")]
    for board in boards:
        for cache in ("cold", "warm"):  # run_insights computes the tiles, then serves its cache
            visits.append(
                (f"dashboard {board['name']} ({cache})", owner, f"/console/dashboards/{board['id']}")
            )
    visits += [
        ("explorer form", owner, "/console/metrics"),
        # The owner key sees several projects and the explorer asks the first (not the demo's):
        # the project key, bound to the demo project, draws the demo series.
        ("explorer stripe_mrr 30d, project key", project, "/console/metrics?metric=stripe_mrr&range=30d"),
        ("dashboards list, project key", project, "/console/dashboards"),
    ]
    print(
        f"  {'page':<46} {'status':>6} {'HTML B':>7} {'API calls':>9} {'API B':>7}"
        f" {'DynamoDB calls (authorizer)/read/written':>41}"
    )
    # The stream pump delivers nothing while the pages run (the demo's points were delivered
    # by seed_demo; the pages' own writes wait until the end).
    with stack.streams.held():
        costs = [(name, page_cost(stack, cookie, path)) for name, cookie, path in visits]
    for name, cost in costs:
        if cost["status"] != 200:
            raise RuntimeError(f"console page {name} answered {cost['status']}")
        results.record(f"console.page.{name}", cost, echo=False)
        dynamo = (
            f"{cost['dynamodb_calls']} ({cost['dynamodb_calls_authorizer']})"
            f"/{cost['dynamodb_items_read']}/{cost['dynamodb_items_written']}"
        )
        print(
            f"  {name:<46} {cost['status']:>6} {cost['html_bytes']:>7} {cost['api_calls']:>9}"
            f" {cost['api_bytes']:>7} {dynamo:>41}",
            flush=True,
        )
        for call in cost["api"]:
            print(f"      {call}")


# ---------------------------------------------------------------------------- (a) cold start


def console_task(directory: Path) -> Path:
    """The console function's artifact as `sam build` (functions/console/app/Makefile) lays it in
    /var/task: its requirements and the SDK, with the bytecode pip compiles on install, and app.py."""
    target = directory / "console-task"
    copy_distributions(requirement_closure(CONSOLE_DIR / "requirements.txt"), target)
    shutil.copytree(SDK, target / "tallyboard_client", ignore=_no_bytecode)
    shutil.copy2(CONSOLE_DIR / "app.py", target / "app.py")
    subprocess.run([*COMPILE_LAYER, str(target)], check=True)
    return target


def sdk_only_dependencies() -> list[str]:
    """The SDK's dependencies the console's artifact leaves out (its Makefile installs the SDK
    with --no-deps: click and rich are its CLI's), as import names. The worker hides them: with
    rich importable, httpx imports its own CLI too (~70 ms)."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    kept = set(requirement_closure(CONSOLE_DIR / "requirements.txt"))
    names = [
        canonicalize_name(Requirement(text).name) for text in metadata.requires("tallyboard-client") or []
    ]
    return [name.replace("-", "_") for name in names if name not in kept]


def console_event(path: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """events/console/app.json (API Gateway's proxy event for a console page) for another page
    and with more headers."""
    event = json.loads(SIGN_IN_EVENT.read_text())
    event["path"] = path
    event["pathParameters"] = {"proxy": path.removeprefix("/console/")}
    event["requestContext"]["path"] = f"/{event['requestContext']['stage']}{path}"
    event["requestContext"]["requestId"] = f"bench-{time.time_ns()}"
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    return event


def _signed_in_event(base_url: str, cookie: str) -> dict[str, Any]:
    """GET /console/dashboards signed in, with the Host the console's client then calls: the
    local gateway of this process."""
    host = base_url.split("://", 1)[1].split("/", 1)[0]
    event = console_event(
        "/console/dashboards", {"Host": host, "X-Forwarded-Proto": "http", "Cookie": f"tb_console={cookie}"}
    )
    # As the local gateway's events: no domain, so the console calls the Host above (in AWS it
    # calls the domain API Gateway served, which the sample event names).
    del event["requestContext"]["domainName"]
    return event


def cold_start(results: Any, environment: dict[str, str], base_url: str, cookie: str) -> None:
    with tempfile.TemporaryDirectory(prefix="tb-bench-console-") as tmp:
        directory = Path(tmp)
        worker, bare = worker_files(directory)
        layer = _layer_copy(directory, with_bytecode=True)
        task = console_task(directory)
        env = {**os.environ, **environment}
        no_write = {**env, "PYTHONDONTWRITEBYTECODE": "1"}  # /var/task and /opt are read-only
        console_spec = {
            "handler": str(task / "app.py"),
            "sys_path": [str(task), str(layer)],  # Lambda's order: /var/task, then /opt/python
            "client": None,  # the first request makes the console's only client (Secrets Manager)
            "event": json.dumps(console_event("/console/sign-in")),
            "report_modules": CONSOLE_MODULES,
            "absent": sdk_only_dependencies(),
        }
        hello = api_event({"workspaceId": "-", "userId": "-", "keyId": "-"}, "GET", "/hello")
        bare_spec = {"handler": str(bare), "sys_path": [], "client": "boto3", "event": json.dumps(hello)}

        def run_side(side: str) -> dict[str, Any]:
            spec, side_env = (console_spec, no_write) if side == "real" else (bare_spec, env)
            out = _run_worker(worker, spec, side_env)
            if out.get("status") != 200:
                raise RuntimeError(f"cold-start worker ({side}) answered {out.get('status')}")
            return out

        if not SHORT:  # these first runs only warm the disk cache
            run_side("bare")
            run_side("real")
        rounds = alternating_rounds(COLD_PAIRS, run_side)
        consoles = [run for reals, _ in rounds for run in reals]
        bares = [run for _, bare_runs in rounds for run in bare_runs]
        for sample in consoles:
            for name in ["tallyboard", *CONSOLE_MODULES]:
                if not str(sample[f"{name}_from"]).startswith(tmp):
                    raise RuntimeError(f"artifact copy not used: {name} came from {sample[f'{name}_from']}")
        # The signed-in first render: its API calls reach this process's gateway.
        render_spec = {**console_spec, "event": json.dumps(_signed_in_event(base_url, cookie))}
        renders = []
        with count_api_calls() as render_calls:
            for _ in range(RENDER_RUNS):
                renders.append(_run_worker(worker, render_spec, no_write))
        if any(r.get("status") != 200 for r in renders):
            raise RuntimeError(f"signed-in first render answered {[r.get('status') for r in renders]}")

    results.record(
        "console.cold_start.load_average",
        [round(n, 1) for n in os.getloadavg()],
        "(1, 5, 15 min: other processes inflate wall times)",
    )
    results.record("console.cold_start.console.import_ms", _median(consoles, "import_ms"), "ms")
    results.record("console.cold_start.console.first_response_ms", _median(consoles, "total_ms"), "ms")
    results.record(
        "console.cold_start.console.first_response_cpu_ms", _median(consoles, "total_cpu_ms"), "ms"
    )
    results.record("console.cold_start.console.first_invoke_ms", _median(consoles, "invoke_ms"), "ms")
    results.record("console.cold_start.console.max_rss_mb", _median(consoles, "max_rss_mb"), "MB")
    results.record("console.cold_start.bare_powertools.import_ms", _median(bares, "import_ms"), "ms")
    results.record("console.cold_start.bare_powertools.first_response_ms", _median(bares, "total_ms"), "ms")
    results.record(
        "console.cold_start.bare_powertools.first_response_cpu_ms", _median(bares, "total_cpu_ms"), "ms"
    )
    results.record("console.cold_start.bare_powertools.max_rss_mb", _median(bares, "max_rss_mb"), "MB")
    ratios = round_ratios(rounds, "total_ms")
    cpu_ratios = round_ratios(rounds, "total_cpu_ms")
    wall, cpu = round(statistics.median(ratios), 2), round(statistics.median(cpu_ratios), 2)
    results.record(
        "console.cold_start.ratio_console_to_bare",
        wall,
        f"x (goal ≤ {GOAL}; median of {COLD_PAIRS} rounds console-bare-bare-console: "
        f"{', '.join(f'{r:.2f}' for r in sorted(ratios))})",
    )
    results.record(
        "console.cold_start.cpu_ratio_console_to_bare",
        cpu,
        f"x (CPU time: {', '.join(f'{r:.2f}' for r in sorted(cpu_ratios))})",
    )
    results.record("console.cold_start.within_goal", wall <= GOAL and cpu <= GOAL)
    results.record(
        "console.cold_start.signed_in_dashboards.first_response_ms", _median(renders, "total_ms"), "ms"
    )
    results.record(
        "console.cold_start.signed_in_dashboards.first_response_cpu_ms",
        _median(renders, "total_cpu_ms"),
        "ms",
    )
    results.record(
        "console.cold_start.signed_in_dashboards.first_invoke_ms", _median(renders, "invoke_ms"), "ms"
    )
    results.record("console.cold_start.signed_in_dashboards.max_rss_mb", _median(renders, "max_rss_mb"), "MB")
    results.record(
        "console.cold_start.signed_in_dashboards.api_calls_per_render", len(render_calls) / RENDER_RUNS
    )


# ---------------------------------------------------------------------------- entry point


def run(results: Any) -> None:
    from tallyboard_local.stack import LocalStack

    started = time.perf_counter()
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    stack = LocalStack(port=0).start()
    try:
        demo = seed_demo(stack, DEMO_DAYS)
        ready = time.perf_counter()
        pages(results, stack, demo)
        paged = time.perf_counter()
        # moto's botocore hook answers only inside this process: the worker reaches Secrets
        # Manager over moto's HTTP server.
        environment = {**stack.environment, "AWS_ENDPOINT_URL": stack.aws_endpoint_url}
        cold_start(results, environment, stack.base_url, sign_in(stack.base_url, demo["apiKey"]))
        results.record("console.bench_seconds.stack_and_demo", round(ready - started, 1), "s")
        results.record("console.bench_seconds.pages", round(paged - ready, 1), "s")
        results.record("console.bench_seconds.cold_start", round(time.perf_counter() - paged, 1), "s")
    finally:
        stack.stop()
    results.record("console.bench_seconds.total", round(time.perf_counter() - started, 1), "s")
