"""Exports: records/s through the real writers (export_formats into export_files' multipart
upload) for 100k and 1M metric records in JSON and CSV, the bytes and parts written, and the
Python memory an export holds, which must not grow with its size (1M / 100k peak ≈ 1).

- The records are generated in this process, shaped as the workflow yields them (the contract's
  metric: 10 fields and a small metadata dict), plus a few connections and dashboards: reading a
  million points out of moto's DynamoDB would measure moto, not the writers. What generation
  alone costs is printed so it can be told apart.
- S3 is moto's server in a separate process, so the bytes it stores are not in this process's
  memory; uploads go over HTTP as they would to S3.
- Speed and memory come from separate runs: tracemalloc traces every allocation and slows the
  encoders several times over, so the speed run is untraced and a second, traced run (started
  right before the export, stopped right after) gives the peak.
- Memory size: a 100k export in a child process with the CPU share of 512/1024/1769 MB
  (bench/cpu_share.py; 1,769 MB is one vCPU), for the writers' MemorySize in template.yaml.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import tracemalloc
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.harness import SHORT, Results, sized

# the small size (its files are read back whole) and the large one (peak memory must not grow)
SIZES = sized({"100k": 100_000, "1M": 1_000_000}, {"10k": 10_000, "40k": 40_000})
SMALL, LARGE = SIZES
FORMATS = ("json", "csv")
BUCKET = "tallyboard-bench-exports"
EXPORT_START_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
MINUTE_MS = 60_000
PEAK_RATIO_GOAL = 1.3
SPEED_GOAL = 50_000
SHARE_MEMORY_SIZES = sized((512, 1024, 1769), (512,))
SHARE_RECORDS = sized(100_000, 10_000)
ROOT = Path(__file__).resolve().parent.parent
# The child process of a CPU-share run: one untraced export, its wall and CPU seconds.
SHARE_CHILD = """
import json, sys, time
from bench.bench_exports import _export
cpu = time.process_time()
figures = _export(sys.argv[1], int(sys.argv[2]), sys.argv[3], traced=False)
figures["cpu_seconds"] = time.process_time() - cpu
print(json.dumps(figures))
"""
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8"}
_METADATA = [
    {"currency": "usd", "interval": "month"},
    {"currency": "eur", "interval": "month"},
    {"source": "webhook", "attempt": 1},
    {},
]
_METRICS = [
    ("stripe_mrr", "Monthly Recurring Revenue", "USD", "stripe"),
    ("ga_sessions", "Sessions", "count", "google_analytics"),
    ("custom_signups", "Sign-ups — Ümlaut", None, "custom"),
]


# ----------------------------------------------------------------------------- moto in its own process


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start_moto() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    moto_server = Path(sys.executable).with_name("moto_server")
    process = subprocess.Popen(
        [str(moto_server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=2):  # noqa: S310 (local URL)
                return process, endpoint
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError("moto_server did not start") from None
            time.sleep(0.1)


def _stop_moto(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _clear_cached_clients() -> None:
    from tallyboard.data import aws
    from tallyboard.settings import get_settings

    get_settings.cache_clear()
    aws.client.cache_clear()


# ----------------------------------------------------------------------------- records


def _metric_records(count: int) -> Iterator[dict[str, Any]]:
    metrics, metadata = _METRICS, _METADATA
    for i in range(count):
        metric_id, name, unit, service = metrics[i % 3]
        at = EXPORT_START_MS + i * MINUTE_MS
        yield {
            "id": f"metric_{i:012x}",
            "metricId": metric_id,
            "metricName": name,
            "value": (i % 10_000) * 1.25 if i % 2 else i % 100_000,
            "unit": unit,
            "timestamp": at,
            "service": service,
            "metadata": metadata[i % 4],
            "dataQuality": "synced" if service != "custom" else "manual",
            "createdAt": at + 1_234,
        }


def _connection_records() -> list[dict[str, Any]]:
    return [
        {
            "id": f"conn_{n}",
            "service": service,
            "serviceName": service.title(),
            "category": "payment",
            "authType": "api_key",
            "status": "active",
            "accountInfo": {"accountId": f"acct_{n}", "accountName": "Bench Co"},
            "lastSyncedAt": EXPORT_START_MS,
            "totalSyncsCompleted": 42,
            "createdAt": EXPORT_START_MS,
        }
        for n, service in enumerate(("stripe", "shopify", "hubspot"))
    ]


def _dashboard_records() -> list[dict[str, Any]]:
    widget = {
        "id": "widget_1",
        "type": "metric-card",
        "title": "MRR",
        "position": {"x": 0, "y": 0, "w": 4, "h": 2},
        "visible": True,
        "config": {"metricId": "stripe_mrr", "aggregation": "latest"},
        "createdAt": EXPORT_START_MS,
    }
    return [
        {
            "id": f"dash_{n}",
            "name": f"Dashboard {n}",
            "slug": f"dashboard-{n}",
            "type": "custom",
            "category": "payment",
            "isDefault": n == 0,
            "createdAt": EXPORT_START_MS,
            "updatedAt": EXPORT_START_MS,
            "widgets": [widget] * (n + 1),
        }
        for n in range(3)
    ]


# ----------------------------------------------------------------------------- one export


def _export(export_format: str, count: int, key: str, traced: bool) -> dict[str, Any]:
    """One export through the real writer and upload; the clock (and tracemalloc, when traced)
    covers the upload's start to its completion."""
    from tallyboard.data import export_files
    from tallyboard.logic import export_formats

    connections, dashboards = _connection_records(), _dashboard_records()
    project = {"id": "proj_bench", "name": "Bench", "slug": "bench", "createdAt": EXPORT_START_MS}
    date_range = {"startDate": EXPORT_START_MS, "endDate": EXPORT_START_MS + count * MINUTE_MS}
    if traced:
        tracemalloc.start()
    began = time.perf_counter()
    upload = export_files.MultipartUpload.start(key, CONTENT_TYPES[export_format])
    writer = export_formats.open_writer(export_format, upload)
    writer.begin(EXPORT_START_MS, date_range, project)
    writer.section("metrics")
    for record in _metric_records(count):
        writer.write("metrics", record)
    writer.section("connections")
    for record in connections:
        writer.write("connections", record)
    writer.section("dashboards")
    for record in dashboards:
        writer.write("dashboards", record)
    writer.end()
    size = upload.complete()
    elapsed = time.perf_counter() - began
    peak = 0
    if traced:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert export_files.object_size(key) == size
    return {"records": writer.records, "seconds": elapsed, "bytes": size, "parts": upload.parts, "peak": peak}


def _check_file(export_format: str, key: str, metrics: int) -> None:
    """The 100k files read back whole: the JSON parses, the CSV has a row per record."""
    import csv
    import io
    import json

    from tallyboard.data import aws
    from tallyboard.settings import get_settings

    body = aws.client("s3").get_object(Bucket=get_settings().export_bucket, Key=key)["Body"].read()
    if export_format == "json":
        document = json.loads(body)
        assert len(document["metrics"]) == metrics and len(document["dashboards"]) == 3
    else:
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline="")))
        assert len(rows) == 1 + metrics + 3 + 3
        assert rows[0][0] == "Type" and rows[1][0] == "Metric"


def _delete(key: str) -> None:
    from tallyboard.data import aws
    from tallyboard.settings import get_settings

    aws.client("s3").delete_object(Bucket=get_settings().export_bucket, Key=key)


def _generation_rate(count: int) -> float:
    began = time.perf_counter()
    for _ in _metric_records(count):
        pass
    return count / (time.perf_counter() - began)


# ----------------------------------------------------------------------------- run


def run(results: Results) -> None:
    print(
        "  records are generated in-process (1M points read from moto's DynamoDB would measure moto);\n"
        "  S3 is moto_server in a separate process; speed from an untraced run, memory from a second\n"
        "  run under tracemalloc (it slows the encoders several times over).",
        flush=True,
    )
    saved = {name: os.environ.get(name) for name in ("AWS_ENDPOINT_URL", "EXPORT_BUCKET")}
    saved_credentials = {
        name: os.environ.get(name)
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_SESSION_TOKEN")
    }
    process, endpoint = _start_moto()
    try:
        os.environ.update(
            {
                "AWS_ENDPOINT_URL": endpoint,
                "EXPORT_BUCKET": BUCKET,
                "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing",
                "AWS_DEFAULT_REGION": "us-east-1",
            }
        )
        os.environ.pop("AWS_SESSION_TOKEN", None)
        _clear_cached_clients()
        from tallyboard.data import aws

        aws.client("s3").create_bucket(Bucket=BUCKET)
        _measure(results)
    finally:
        _stop_moto(process)
        for name, value in {**saved, **saved_credentials}.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        _clear_cached_clients()


def _measure(results: Results) -> None:
    generation = _generation_rate(SIZES[SMALL])
    results.record("exports.generation_only.records_per_second", round(generation), "records/s")
    peaks: dict[str, dict[str, int]] = {f: {} for f in FORMATS}
    print(
        f"  {'export':<10} {'records':>9} {'records/s':>10} {'MB':>8} {'parts':>6} {'seconds':>8}"
        f" {'peak MiB':>9}",
        flush=True,
    )
    for label, count in SIZES.items():
        for export_format in FORMATS:
            key = f"exports/ws_bench/proj_bench/{label}.{export_format}"
            speed = _export(export_format, count, key, traced=False)
            if label == SMALL:
                _check_file(export_format, key, count)
            _delete(key)
            memory = _export(export_format, count, key, traced=True)
            _delete(key)
            assert memory["bytes"] == speed["bytes"] and memory["records"] == speed["records"]
            rate = speed["records"] / speed["seconds"]
            megabytes = speed["bytes"] / 1e6
            peak_mib = memory["peak"] / 2**20
            peaks[export_format][label] = memory["peak"]
            print(
                f"  {export_format + ' ' + label:<10} {speed['records']:>9} {rate:>10,.0f} {megabytes:>8.1f}"
                f" {speed['parts']:>6} {speed['seconds']:>8.2f} {peak_mib:>9.2f}",
                flush=True,
            )
            name = f"exports.{export_format}.{label}"
            results.record(f"{name}.records_per_second", round(rate), echo=False)
            results.record(f"{name}.megabytes_written", round(megabytes, 1), echo=False)
            results.record(f"{name}.parts", speed["parts"], echo=False)
            results.record(f"{name}.seconds", round(speed["seconds"], 2), echo=False)
            results.record(f"{name}.peak_traced_mib", round(peak_mib, 2), echo=False)
            results.record(f"{name}.seconds_traced", round(memory["seconds"], 2), echo=False)
            if rate < SPEED_GOAL:
                print(f"  !! {export_format} {label}: below the goal of {SPEED_GOAL:,} records/s", flush=True)
    _measure_cpu_shares(results)
    for export_format in FORMATS:
        ratio = peaks[export_format][LARGE] / peaks[export_format][SMALL]
        results.record(
            f"exports.{export_format}.peak_ratio_{LARGE}_over_{SMALL}",
            round(ratio, 3),
            f"(goal ≤ {PEAK_RATIO_GOAL})",
        )
        if ratio > PEAK_RATIO_GOAL and not SHORT:  # the short sizes fill a part or two
            print(f"  !! {export_format}: peak memory grows with the export's size", flush=True)


def _measure_cpu_shares(results: Results) -> None:
    """records/s of a JSON export with the CPU of each memory size; S3 (moto_server) is another,
    unthrottled process, as S3 is."""
    import json

    from bench import cpu_share

    print(f"  JSON {SHARE_RECORDS:,} records with a memory size's CPU share:", flush=True)
    print(f"  {'memory':>7} {'share':>6} {'got':>5} {'records/s':>10} {'1M records, s':>14}", flush=True)
    for memory_mb in SHARE_MEMORY_SIZES:
        key = f"exports/ws_bench/proj_bench/share-{memory_mb}.json"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        args = [sys.executable, "-c", SHARE_CHILD, "json", str(SHARE_RECORDS), key]
        completed = cpu_share.run(args, memory_mb, env, timeout=600)
        if completed.returncode != 0:
            raise RuntimeError(f"export at {memory_mb} MB failed: {completed.stderr[-2000:]}")
        figures = json.loads(completed.stdout.strip().splitlines()[-1])
        _delete(key)
        rate = figures["records"] / figures["seconds"]
        got = figures["cpu_seconds"] / figures["seconds"]
        print(
            f"  {memory_mb:>5}MB {cpu_share.share_of(memory_mb):>6.3f} {got:>5.2f} {rate:>10,.0f}"
            f" {1_000_000 / rate:>14.1f}",
            flush=True,
        )
        results.record(
            f"exports.memory_size.{memory_mb}mb",
            {"share_got": round(got, 3), "records_per_second": round(rate)},
            echo=False,
        )
