"""Platform costs: cold start of a handler container, and DynamoDB calls and items per request for
every route that has a sample event.

(a) Cold start, in fresh subprocesses: import one real handler module + create its first DynamoDB
    client, with the layer's packages laid out as Lambda's /opt/python holds them (read-only,
    bytecode as layers/shared/Makefile ships it), against a bare one-route Powertools resolver
    measured the same way, as the median ratio of 15 rounds of real, bare, bare, real run back
    to back (bare first every other round, so machine noise hits both alike); wall time is the figure, CPU
    time (less sensitive to other processes on a shared machine) is printed beside it. Also: the
    same handler with a layer that ships no bytecode, and from the dev venv; the OpenAPI
    function's import + first spec merge; the first invoke and the peak RSS of a handler process
    that has served one request. BENCH_INSTRUCTIONS=1 adds the ratio in instructions executed
    (valgrind), which the machine's load does not move.
(c) Memory size: the same init and the first and warm invokes of list_api_keys, and the OpenAPI
    function's init + first merge, with the CPU share of 256/512/1024/1769 MB (bench/cpu_share.py).
(b) Per route, from events/*.json with the sample ids swapped for real ones: the authorizer's
    DynamoDB share (API Gateway caches it for AuthorizerCacheTtl) apart from the handler's (which
    includes the one rate-limit UpdateItem). Each function runs once with an empty project cache
    (a new container) before the steady-state request that is reported.

Only stdlib at module level: the cold-start worker must not inherit anything imported here."""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.harness import sized
from tallyboard_local import samples
from tallyboard_local.samples import EVENTS_DIR, SAMPLE_KEY

ROOT = Path(__file__).resolve().parent.parent
COLD_PAIRS = sized(15, 1)
VARIANT_RUNS = sized(3, 1)
SHARE_MEMORY_SIZES = sized((256, 512, 1024, 1769), (1024,))
SHARE_RUNS = sized(3, 1)
COMPILE_LAYER = [sys.executable, "-m", "compileall", "-q", "-j", "0", "--invalidation-mode", "unchecked-hash"]

# Sample ids that stand for the caller's own workspace (tallyboard_local/samples.py).
CALLER_SAMPLES = (samples.WORKSPACE, samples.PROJECT, samples.USER)
SAMPLE_TOKEN = re.compile(r"\b([a-z]+)_sample\b")
ID_VALUE = re.compile(r"^([a-z]+)_[0-9a-f]{8,}$")

# Runs in a fresh interpreter: the clock starts before the handler module is imported.
WORKER = r"""
import json, resource, sys, time
started, cpu_started = time.perf_counter(), time.process_time()
spec = json.loads(sys.argv[1])
sys.path[:0] = spec["sys_path"]
class Absent:  # what the artifact lacks but the dev venv (later on sys.path) has
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in spec.get("absent", ()):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, Absent())
import importlib.util
module_spec = importlib.util.spec_from_file_location("handler_module", spec["handler"])
module = importlib.util.module_from_spec(module_spec)
sys.modules["handler_module"] = module
module_spec.loader.exec_module(module)
imported = time.perf_counter()
if spec["client"] == "tallyboard":
    from tallyboard.data.aws import dynamodb
    dynamodb()
elif spec["client"] == "boto3":
    import boto3
    boto3.client("dynamodb")
ready = time.perf_counter()
out = {"import_ms": (imported - started) * 1000, "client_ms": (ready - imported) * 1000,
       "cold_ms": (ready - started) * 1000, "cold_cpu_ms": (time.process_time() - cpu_started) * 1000}
if spec.get("merge_openapi"):
    from pathlib import Path
    from tallyboard.logic import docs
    docs.openapi_schema(Path(spec["handler"]).resolve().parent.parent)
    out["merge_ms"] = (time.perf_counter() - ready) * 1000
    out["cold_ms"] = (time.perf_counter() - started) * 1000
    out["cold_cpu_ms"] = (time.process_time() - cpu_started) * 1000
if spec.get("event"):
    class Context:
        function_name = "BenchFunction"
        memory_limit_in_mb = 512
        aws_request_id = "bench-request"
        invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:BenchFunction"
        def get_remaining_time_in_millis(self):
            return 10000
    before, cpu_before = time.perf_counter(), time.process_time()
    result = module.lambda_handler(json.loads(spec["event"]), Context())
    out["invoke_ms"] = (time.perf_counter() - before) * 1000
    out["invoke_cpu_ms"] = (time.process_time() - cpu_before) * 1000
    out["status"] = result.get("statusCode")
    warm, warm_cpu = [], []
    for _ in range(spec.get("warm_invokes", 0)):
        before, cpu_before = time.perf_counter(), time.process_time()
        module.lambda_handler(json.loads(spec["event"]), Context())
        warm.append((time.perf_counter() - before) * 1000)
        warm_cpu.append((time.process_time() - cpu_before) * 1000)
    if warm:
        out["warm_invoke_ms"] = sorted(warm)[len(warm) // 2]
        out["warm_invoke_cpu_ms"] = sorted(warm_cpu)[len(warm_cpu) // 2]
out["total_cpu_ms"] = (time.process_time() - cpu_started) * 1000
out["total_ms"] = (time.perf_counter() - started) * 1000
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so it would report the parent's size.
with open("/proc/self/status") as status:
    peak_kb = next((int(line.split()[1]) for line in status if line.startswith("VmHWM:")), None)
out["max_rss_mb"] = (peak_kb or resource.getrusage(resource.RUSAGE_SELF).ru_maxrss) / 1024
for name in ["tallyboard", *spec.get("report_modules", [])]:
    out[f"{name}_from"] = getattr(sys.modules.get(name), "__file__", None)
print(json.dumps(out))
"""

BARE_HANDLER = """
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

app = APIGatewayRestResolver()


@app.get("/hello")
def hello() -> dict:
    return {"hello": "world"}


def lambda_handler(event, context):
    return app.resolve(event, context)
"""


# ---------------------------------------------------------------------------- (a) cold start


def _run_worker(
    worker: Path, spec: dict[str, Any], env: dict[str, str], memory_mb: int | None = None
) -> dict[str, Any]:
    """One fresh interpreter; with memory_mb, throttled to that memory size's CPU share."""
    from bench import cpu_share

    args = [sys.executable, str(worker), json.dumps(spec)]
    if memory_mb is None:
        completed = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120, check=False)
    else:
        completed = cpu_share.run(args, memory_mb, env, timeout=300)
    if completed.returncode != 0:
        raise RuntimeError(f"cold-start worker failed: {completed.stderr[-2000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _median(samples: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(s[key] for s in samples), 1)


def _layer_packages() -> list[str]:
    """The distributions the layer installs: layers/shared/requirements.txt and their dependencies."""
    return requirement_closure(ROOT / "layers/shared/requirements.txt")


def requirement_closure(requirements: Path) -> list[str]:
    """The distributions a requirements file installs: its own and their dependencies."""
    from importlib import metadata

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pending = [
        Requirement(line).name
        for line in requirements.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    found: list[str] = []
    while pending:
        name = canonicalize_name(pending.pop())  # typing_extensions and typing-extensions are one
        if name in found:
            continue
        found.append(name)
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return found


def _layer_copy(directory: Path, with_bytecode: bool) -> Path:
    """The layer's packages (this machine's wheels) as /opt/python holds them: the installed files
    without the bytecode the venv has cached, plus the tallyboard package."""
    target = directory / ("layer-pyc" if with_bytecode else "layer-source") / "python"
    copy_distributions(_layer_packages(), target)
    shutil.copytree(ROOT / "layers/shared/tallyboard", target / "tallyboard", ignore=_no_bytecode)
    if with_bytecode:  # as layers/shared/Makefile ships it
        subprocess.run(
            [*COMPILE_LAYER, str(target)],
            check=True,
        )
    return target


def copy_distributions(names: list[str], target: Path) -> None:
    """The installed files of these distributions (this machine's wheels) under target, without
    the bytecode the venv has cached."""
    from importlib import metadata

    for name in names:
        distribution = metadata.distribution(name)
        for file in distribution.files or []:
            if file.parts[0] == ".." or "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            destination = target / file
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(distribution.locate_file(file), destination)


def _no_bytecode(_: str, names: list[str]) -> set[str]:
    return {n for n in names if n == "__pycache__" or n.endswith(".pyc")}


def worker_files(directory: Path) -> tuple[Path, Path]:
    """The cold-start worker and the bare Powertools handler, written under directory."""
    worker = directory / "worker.py"
    worker.write_text(WORKER)
    bare = directory / "bare" / "app.py"
    bare.parent.mkdir()
    bare.write_text(BARE_HANDLER)
    return worker, bare


Rounds = list[tuple[list[dict[str, Any]], list[dict[str, Any]]]]  # (reals, bares) of each round


def alternating_rounds(
    pairs: int, run_side: Callable[[str], dict[str, Any]], after_round: Callable[[int], None] | None = None
) -> Rounds:
    """`pairs` rounds of run_side("real"), ("bare"), ("bare"), ("real") back to back (bare first
    every other round): a steady change in the machine's load, and whatever the first run of a
    pair leaves warm for the second, hit both sides alike. With one run of each, the median of an
    odd number of alternating pairs fell in whichever order had the majority."""
    rounds: Rounds = []
    for round_number in range(pairs):
        order = ("bare", "real", "real", "bare") if round_number % 2 else ("real", "bare", "bare", "real")
        runs: dict[str, list[dict[str, Any]]] = {"real": [], "bare": []}
        for side in order:
            runs[side].append(run_side(side))
        rounds.append((runs["real"], runs["bare"]))
        if after_round is not None:
            after_round(round_number)
    return rounds


def round_ratios(rounds: Rounds, key: str) -> list[float]:
    """Each round's real-to-bare ratio of `key` (the sums of its two runs of each side)."""
    return [sum(r[key] for r in reals) / sum(b[key] for b in bares) for reals, bares in rounds]


def cold_start(results: Any, environment: dict[str, str], list_keys_event: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory(prefix="tb-bench-") as tmp:
        directory = Path(tmp)
        worker, bare = worker_files(directory)
        env = {**os.environ, **environment}
        handler = str(ROOT / "functions/keys/list_api_keys/app.py")
        real_spec = {"handler": handler, "sys_path": [], "client": "tallyboard"}
        bare_spec = {"handler": str(bare), "sys_path": [], "client": "boto3"}

        # Lambda's /opt is read-only: bytecode the layer does not ship is compiled on every cold start.
        source_layer = _layer_copy(directory, with_bytecode=False)
        pyc_layer = _layer_copy(directory, with_bytecode=True)
        no_write = {**env, "PYTHONDONTWRITEBYTECODE": "1"}
        layer_spec = {**real_spec, "sys_path": [str(pyc_layer)]}
        source_spec = {**real_spec, "sys_path": [str(source_layer)]}
        # The first runs only warm the disk cache.
        _run_worker(worker, bare_spec, env)
        _run_worker(worker, layer_spec, no_write)
        variants: dict[str, list[dict[str, Any]]] = {"layer_source": [], "venv": []}

        def run_side(side: str) -> dict[str, Any]:
            spec, side_env = (layer_spec, no_write) if side == "real" else (bare_spec, env)
            return _run_worker(worker, spec, side_env)

        def variant_runs(round_number: int) -> None:
            if round_number < VARIANT_RUNS:
                variants["layer_source"].append(_run_worker(worker, source_spec, no_write))
                variants["venv"].append(_run_worker(worker, real_spec, env))

        rounds = alternating_rounds(COLD_PAIRS, run_side, variant_runs)
        reals = [run for real_runs, _ in rounds for run in real_runs]
        bares = [run for _, bare_runs in rounds for run in bare_runs]
        for sample in variants["layer_source"] + reals:
            if not str(sample["tallyboard_from"]).startswith(tmp):
                raise RuntimeError(f"layer copy not used: tallyboard came from {sample['tallyboard_from']}")

        results.record(
            "platform.cold_start.load_average",
            [round(n, 1) for n in os.getloadavg()],
            "(1, 5, 15 min: other processes inflate wall times)",
        )
        ratios = round_ratios(rounds, "cold_ms")
        cpu_ratios = round_ratios(rounds, "cold_cpu_ms")
        results.record(
            "platform.cold_start.list_api_keys.import_plus_client_ms", _median(reals, "cold_ms"), "ms"
        )
        results.record("platform.cold_start.list_api_keys.import_ms", _median(reals, "import_ms"), "ms")
        results.record(
            "platform.cold_start.bare_powertools.import_plus_client_ms", _median(bares, "cold_ms"), "ms"
        )
        results.record(
            "platform.cold_start.ratio_real_to_bare",
            round(statistics.median(ratios), 2),
            f"x (median of {COLD_PAIRS} rounds real-bare-bare-real: "
            f"{', '.join(f'{r:.2f}' for r in sorted(ratios))})",
        )
        results.record(
            "platform.cold_start.cpu_ratio_real_to_bare",
            round(statistics.median(cpu_ratios), 2),
            f"x (CPU time: {', '.join(f'{r:.2f}' for r in sorted(cpu_ratios))})",
        )
        source_ms = _median(variants["layer_source"], "cold_ms")
        results.record("platform.cold_start.list_api_keys.layer_without_bytecode_ms", source_ms, "ms")
        results.record(
            "platform.cold_start.list_api_keys.venv_ms", _median(variants["venv"], "cold_ms"), "ms"
        )

        openapi_spec = {
            "handler": str(ROOT / "functions/docs/get_openapi/app.py"),
            "sys_path": [],
            "client": "tallyboard",
            "merge_openapi": True,
        }
        openapi = [_run_worker(worker, openapi_spec, env) for _ in range(VARIANT_RUNS)]
        results.record("platform.cold_start.get_openapi.import_ms", _median(openapi, "import_ms"), "ms")
        results.record("platform.cold_start.get_openapi.first_merge_ms", _median(openapi, "merge_ms"), "ms")
        results.record("platform.cold_start.get_openapi.max_rss_mb", _median(openapi, "max_rss_mb"), "MB")

        served_spec = {**layer_spec, "event": json.dumps(list_keys_event), "warm_invokes": 5}
        served = _run_worker(worker, served_spec, no_write)
        if served["status"] != 200:
            raise RuntimeError(f"list_api_keys answered {served['status']} in the cold-start worker")
        results.record(
            "platform.cold_start.list_api_keys.first_invoke_ms", round(served["invoke_ms"], 1), "ms"
        )
        results.record("platform.cold_start.list_api_keys.max_rss_mb", round(served["max_rss_mb"], 1), "MB")
        results.record("platform.cold_start.bare_powertools.max_rss_mb", _median(bares, "max_rss_mb"), "MB")

        if os.environ.get("BENCH_INSTRUCTIONS") == "1":
            instructions(results, worker, layer_spec, bare_spec, no_write)
        cpu_shares(results, worker, served_spec, {**openapi_spec, "sys_path": [str(pyc_layer)]}, no_write)


def _instructions(args: list[str], env: dict[str, str]) -> int:
    """Instructions one process executes (valgrind's callgrind): the same on a busy machine."""
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    completed = subprocess.run(
        [*valgrind, *args],
        env={**env, "PYTHONMALLOC": "malloc"},  # pymalloc's arenas confuse valgrind
        capture_output=True,
        text=True,
        timeout=1800,
        check=True,
    )
    found = re.search(r"Collected : (\d+)|I\s+refs:\s+([\d,]+)", completed.stderr)
    if found is None:
        raise RuntimeError(f"no instruction count from valgrind: {completed.stderr[-1000:]}")
    return int((found.group(1) or found.group(2)).replace(",", ""))


def instructions(
    results: Any, worker: Path, layer_spec: dict[str, Any], bare_spec: dict[str, Any], env: dict[str, str]
) -> None:
    """BENCH_INSTRUCTIONS=1 (needs valgrind; minutes): the cold-start ratio in instructions
    executed, which a shared machine's load does not move, less the interpreter's own start."""
    if shutil.which("valgrind") is None:
        print("  BENCH_INSTRUCTIONS=1: valgrind is not installed", flush=True)
        return
    start = _instructions([sys.executable, "-c", "import json, resource, sys, time"], env)
    real = _instructions([sys.executable, str(worker), json.dumps(layer_spec)], env) - start
    bare = _instructions([sys.executable, str(worker), json.dumps(bare_spec)], env) - start
    results.record("platform.cold_start.list_api_keys.instructions", real)
    results.record("platform.cold_start.bare_powertools.instructions", bare)
    results.record("platform.cold_start.instruction_ratio_real_to_bare", round(real / bare, 3), "x")


def cpu_shares(
    results: Any, worker: Path, served_spec: dict[str, Any], openapi_spec: dict[str, Any], env: dict[str, str]
) -> None:
    """Init (import + first client) and invoke times with the CPU of each memory size (bench/cpu_share.py):
    an API function serving list_api_keys (first and warm invokes), and the OpenAPI function's
    import + first merge, the heaviest init of the template. The median of SHARE_RUNS runs each."""
    from bench import cpu_share

    print(
        f"  CPU share of a memory size (1,769 MB = 1 vCPU), median of {SHARE_RUNS} runs:\n"
        "  (got: the CPU the process had, CPU time / wall time; where the machine's load gave it less than\n"
        "  its share, CPU ms / share is what Lambda would take)\n"
        f"  {'memory':>7} {'share':>6} {'got':>5} {'init ms':>8} {'init CPU ms':>11} {'1st invoke':>10}"
        f" {'its CPU ms':>10} {'warm invoke':>11} {'its CPU ms':>10} {'openapi init+merge ms':>22}"
        f" {'its CPU ms':>10}"
    )
    for memory_mb in SHARE_MEMORY_SIZES:
        runs, openapi = [], []
        for _ in range(SHARE_RUNS):
            runs.append(_run_worker(worker, served_spec, env, memory_mb))
            openapi.append(_run_worker(worker, openapi_spec, env, memory_mb))
        got = statistics.median(r["total_cpu_ms"] / r["total_ms"] for r in runs)
        figures = {
            "share": round(cpu_share.share_of(memory_mb), 3),
            "share_got": round(got, 3),
            "init_ms": _median(runs, "cold_ms"),
            "init_cpu_ms": _median(runs, "cold_cpu_ms"),
            "first_invoke_ms": _median(runs, "invoke_ms"),
            "first_invoke_cpu_ms": _median(runs, "invoke_cpu_ms"),
            "warm_invoke_ms": _median(runs, "warm_invoke_ms"),
            "warm_invoke_cpu_ms": _median(runs, "warm_invoke_cpu_ms"),
            "openapi_init_and_merge_ms": _median(openapi, "cold_ms"),
            "openapi_init_and_merge_cpu_ms": _median(openapi, "cold_cpu_ms"),
        }
        results.record(f"platform.memory_size.{memory_mb}mb", figures, echo=False)
        print(
            f"  {memory_mb:>5}MB {figures['share']:>6.3f} {got:>5.2f} {figures['init_ms']:>8.0f}"
            f" {figures['init_cpu_ms']:>11.0f} {figures['first_invoke_ms']:>10.0f}"
            f" {figures['first_invoke_cpu_ms']:>10.0f} {figures['warm_invoke_ms']:>11.1f}"
            f" {figures['warm_invoke_cpu_ms']:>10.1f}"
            f" {figures['openapi_init_and_merge_ms']:>22.0f}"
            f" {figures['openapi_init_and_merge_cpu_ms']:>10.0f}",
            flush=True,
        )


# ---------------------------------------------------------------------------- (b) DynamoDB per route


@dataclass
class Sample:
    path: Path
    function: str  # logical id
    authorized: bool
    event: dict[str, Any]
    tokens: set[str] = field(default_factory=set)  # <prefix>_sample ids other than the caller's

    @property
    def route(self) -> str:
        return f"{self.event['httpMethod']} {self.event['resource']}"

    @property
    def destructive(self) -> bool:
        return self.event["httpMethod"] == "DELETE"


class RouteBench:
    """Replays every sample event against a bootstrapped workspace, creating what the samples
    name (a dashboard for dash_sample, …) with the samples that create them."""

    def __init__(self, functions: Any, tenant: dict[str, Any]) -> None:
        from tallyboard_local import template as tpl

        self.functions = functions
        self.authorizer_function = tpl.authorizer_function()
        self.tenant = tenant
        self.produced: dict[str, str] = {}  # "dash_sample" → a real dashboard id
        self.producers: dict[str, Sample] = {}  # "dash_sample" → the sample that creates one
        self.authorizer_event = json.loads((EVENTS_DIR / "keys/authorizer.json").read_text())

    def _text(self, sample: Sample, fresh: dict[str, str]) -> str:
        text = sample.path.read_text().replace(SAMPLE_KEY, self.tenant["apiKey"])
        caller = {
            samples.WORKSPACE: self.tenant["workspaceId"],
            samples.PROJECT: self.tenant["projectId"],
            samples.USER: self.tenant["userId"],
        }

        def real_id(match: re.Match[str]) -> str:
            token = match.group(0)
            return caller.get(token) or fresh.get(token) or self.produced.get(token) or token

        return SAMPLE_TOKEN.sub(real_id, text)

    def build_event(self, sample: Sample, fresh: dict[str, str]) -> dict[str, Any]:
        event = json.loads(self._text(sample, fresh))
        event["requestContext"].pop("authorizer", None)  # the real authorizer's answer goes here
        return event

    def authorize(self, event: dict[str, Any]) -> dict[str, Any]:
        request = {
            **self.authorizer_event,
            "authorizationToken": f"Bearer {self.tenant['apiKey']}",
            "methodArn": "arn:aws:execute-api:us-east-1:123456789012:local/v1/"
            f"{event['httpMethod']}{event['resource']}",
        }
        decision = self.functions.invoke(self.authorizer_function, request)
        return {**decision.get("context", {}), "principalId": decision["principalId"]}

    def call(self, sample: Sample, fresh: dict[str, str]) -> dict[str, Any]:
        """One request as API Gateway makes it: authorizer (if any), then the handler."""
        event = self.build_event(sample, fresh)
        if sample.authorized:
            event["requestContext"]["authorizer"] = self.authorize(event)
        return self.functions.invoke(sample.function, event)

    def learn(self, sample: Sample, result: dict[str, Any]) -> None:
        """A created resource's new id (data.id, data.keyId …) stands in for its sample id."""
        known = set(self.tenant.values()) | set(self.produced.values())
        try:
            data = json.loads(result.get("body") or "{}").get("data")
        except (ValueError, AttributeError):
            return
        if not isinstance(data, dict):
            return
        for value in data.values():
            if isinstance(value, str) and (match := ID_VALUE.match(value)) and value not in known:
                token = f"{match.group(1)}_sample"
                self.produced.setdefault(token, value)
                self.producers.setdefault(token, sample)

    def fresh_targets(self, sample: Sample) -> dict[str, str]:
        """A DELETE gets its own new target each time, made by the sample that creates one."""
        fresh: dict[str, str] = {}
        if not sample.destructive:
            return fresh
        # Only the resource the route deletes (its last path parameter) is new; its parents stay.
        last_parameter = re.findall(r"\{(\w+)\}", sample.event["resource"])[-1:]
        targets = {(sample.event.get("pathParameters") or {}).get(p) for p in last_parameter}
        for token in sample.tokens & targets:
            producer = self.producers.get(token)
            if producer is None:
                continue
            result = self.call(producer, {})
            known = set(self.tenant.values()) | set(self.produced.values())
            for value in json.loads(result.get("body") or "{}").get("data", {}).values():
                if (
                    isinstance(value, str)
                    and value.startswith(token.removesuffix("sample"))
                    and value not in known
                ):
                    fresh[token] = value
        return fresh


def _load_samples() -> list[Sample]:
    from tallyboard_local import template as tpl

    by_directory = samples.function_by_event_name()
    authorized = {(r.function, r.method, r.path): r.authorized for r in tpl.routes()}
    found = []
    for path in samples.event_files():
        event = json.loads(path.read_text())
        function = by_directory.get(samples.event_name(path))
        if function is None or "httpMethod" not in event:
            continue  # the authorizer's own event, or a function not in the template yet
        key = (function, event["httpMethod"], event["resource"])
        tokens = set(SAMPLE_TOKEN.findall(path.read_text().replace(SAMPLE_KEY, "")))
        found.append(
            Sample(
                path,
                function,
                authorized.get(key, True),
                event,
                {f"{t}_sample" for t in tokens} - set(CALLER_SAMPLES),
            )
        )
    return found


def _order(samples: list[Sample]) -> list[Sample]:
    """Creators first (their ids feed the others), deletes last."""
    rank = {"POST": 0, "PUT": 1, "GET": 2, "PATCH": 3, "DELETE": 4}
    return sorted(samples, key=lambda s: (rank.get(s.event["httpMethod"], 2), len(s.tokens), s.path.name))


def _share(counter: Any) -> dict[str, Any]:
    return {
        "calls": counter.calls,
        "items_read": counter.items_read,
        "items_written": counter.items_written,
        "operations": dict(sorted(counter.by_operation.items())),
    }


def dynamodb_per_route(results: Any, functions: Any, tenant: dict[str, Any]) -> None:
    from bench.harness import count_dynamodb
    from tallyboard import access

    bench = RouteBench(functions, tenant)
    rows = []
    for sample in _order(_load_samples()):
        figures: dict[str, Any] = {}
        for phase in ("first_request", "steady"):
            fresh = bench.fresh_targets(sample)
            if phase == "first_request":
                access._known_projects.clear()  # a new container of this function
            event = bench.build_event(sample, fresh)
            authorizer_share = None
            if sample.authorized:
                with count_dynamodb() as counted:
                    event["requestContext"]["authorizer"] = bench.authorize(event)
                authorizer_share = _share(counted)
            with count_dynamodb() as counted:
                result = functions.invoke(sample.function, event)
            bench.learn(sample, result)
            figures[phase] = {
                "status": int(result.get("statusCode", 0)),
                "authorizer": authorizer_share,
                "handler": _share(counted),
            }
        rows.append((sample, figures))
        results.record(f"platform.dynamodb_per_request.{sample.route}", figures, echo=False)
    _print_table(rows)


def _print_table(rows: list[tuple[Sample, dict[str, Any]]]) -> None:
    print(
        "  DynamoDB per request, steady state (first request of a new container in brackets):\n"
        f"  {'route':<52} {'status':>6} {'auth calls/read':>16} {'handler calls/read/written':>27}"
        "  operations"
    )
    for sample, figures in rows:
        steady, first = figures["steady"], figures["first_request"]
        auth = steady["authorizer"]
        handler, first_handler = steady["handler"], first["handler"]
        auth_text = f"{auth['calls']}/{auth['items_read']}" if auth else "-"
        handler_text = f"{handler['calls']}/{handler['items_read']}/{handler['items_written']}"
        if (first_handler["calls"], first_handler["items_read"]) != (handler["calls"], handler["items_read"]):
            handler_text += f" [{first_handler['calls']}/{first_handler['items_read']}]"
        status = f"{steady['status']}" + (
            "" if first["status"] == steady["status"] else f"[{first['status']}]"
        )
        operations = ", ".join(f"{op} x{n}" for op, n in handler["operations"].items())
        print(f"  {sample.route:<52} {status:>6} {auth_text:>16} {handler_text:>27}  {operations}")


# ---------------------------------------------------------------------------- entry point


def run(results: Any) -> None:
    from tallyboard.logic import workspaces
    from tallyboard_local.stack import LocalStack

    started = time.perf_counter()
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "ERROR")
    stack = LocalStack(port=0).start()
    try:
        assert stack.functions
        tenant = workspaces.bootstrap("scale", workspace_name="Bench")
        list_keys = next(s for s in _load_samples() if s.path.stem == "list_api_keys")
        bench = RouteBench(stack.functions, tenant)
        event = bench.build_event(list_keys, {})
        event["requestContext"]["authorizer"] = bench.authorize(event)
        stack_ready = time.perf_counter()
        # moto's botocore hook answers only inside this process: the worker reaches DynamoDB
        # over moto's HTTP server (without it, list_api_keys answered 503)
        cold_start(results, {**stack.environment, "AWS_ENDPOINT_URL": stack.aws_endpoint_url}, event)
        cold_done = time.perf_counter()
        dynamodb_per_route(results, stack.functions, tenant)
        results.record("platform.bench_seconds.stack_start", round(stack_ready - started, 1), "s")
        results.record("platform.bench_seconds.cold_start", round(cold_done - stack_ready, 1), "s")
        results.record("platform.bench_seconds.per_route", round(time.perf_counter() - cold_done, 1), "s")
    finally:
        stack.stop()
    results.record("platform.bench_seconds.total", round(time.perf_counter() - started, 1), "s")
