"""`tallyboard-local invoke <FunctionLogicalId> -e <event file or ->`: what `sam local invoke -e`
does, without Docker or Lambda images. The function's real handler runs in this process, with the
template's environment resolved against the local resources, on the running `make run` stack
(found through its demo file) or, when none answers, on a fresh one. The response is printed on
stdout as one JSON line, as sam prints it; logs go to stderr.

The events in events/ use placeholder ids (tallyboard_local/samples.py). Each invocation gets a
real tenant: a workspace bootstrapped for this process, whose ids replace ws_sample, proj_sample,
user_sample, key_sample and the sample key. An API event that names an entity (dash_sample,
task_sample, …) gets one of its own, made by the events/ create event of its kind, so a GET, PATCH
or DELETE answers for a real record, and no event touches the demo's data. Several -e run in
order, one line each; without a logical id each event file runs on the function its path names
(events/<domain>/<endpoint>.json ↔ functions/<domain>/<endpoint>/)."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import socket
import sys
import time
import traceback
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tallyboard_local import samples
from tallyboard_local import template as tpl

PROG = "tallyboard-local invoke"

# Entity placeholder → the events/ create event that makes one (its response holds the id).
ENTITY_SOURCES = {
    "dash_sample": "dashboards/create_dashboard",
    "dash_target": "dashboards/create_dashboard",
    "widget_sample": "dashboards/create_widget",
    "conn_sample": "connections/create_connection",
    "task_sample": "tasks/create_task",
    "lead_sample": "leads/create_lead",
    "client_sample": "clients/create_client",
    "hol_sample": "holidays/create_holiday",
    "theme_sample": "themes/create_theme",
    "user_sample_member": "team/create_team_member",
    "exp_sample": "exports/create_export",
    "snap_019a3f2b6c000123456789abcdef01234567": "dashboards/snapshot_dashboard",  # a cache_key
}
# A route that reads what another creates, though its event names no entity.
ROUTE_PRECONDITIONS = {
    ("GET", "/exports/schedule"): "exports/put_export_schedule",
    ("DELETE", "/exports/schedule"): "exports/put_export_schedule",
    ("GET", "/metrics/{metricId}/timeseries"): "metrics/push_custom_metric",
}
# Longest first, whole words: user_sample_member is not user_sample, sk_test_sample is nothing.
_ENTITY = re.compile(r"\b(" + "|".join(sorted(ENTITY_SOURCES, key=len, reverse=True)) + r")\b")


class InvokeError(Exception):
    """Something the user gave cannot be invoked: said in one line, exit 2."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=PROG, description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("function", nargs="?", help="the function's logical id in template.yaml")
    parser.add_argument(
        "-e", "--event", action="append", required=True, help="an event file, or - for stdin (repeatable)"
    )
    parser.add_argument("--fresh", action="store_true", help="a fresh local stack even if `make run` is up")
    parser.add_argument("--demo-file", type=Path, help="the running stack's demo file")
    return parser


def _read_events(function: str | None, sources: list[str]) -> list[tuple[str, str]]:
    """(logical id, event text) for each -e, all read before any stack starts."""
    functions = tpl.functions()
    if function is not None and function not in functions:
        raise InvokeError(
            f"no function {function!r} in template.yaml (e.g. {', '.join(sorted(functions)[:3])}, …)"
        )
    by_path = samples.function_by_event_name()
    events = []
    for source in sources:
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text()
            json.loads(text)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            raise InvokeError(f"cannot read the event {source}: {error}") from None
        target = function
        if target is None:
            path = Path(source).resolve()
            name = samples.event_name(path) if path.is_relative_to(samples.EVENTS_DIR) else None
            if name not in by_path:
                raise InvokeError(f"{source}: name the function (only events/ files imply theirs)")
            target = by_path[name]
        events.append((target, text))
    return events


def _answers(url: str) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 80), timeout=1):
            return True
    except OSError:
        return False


def _running_stack(demo_file: Path) -> dict[str, Any] | None:
    try:
        demo = json.loads(demo_file.read_text())
    except (OSError, json.JSONDecodeError):
        return None
    if not demo.get("resources") or not _answers(demo.get("awsEndpointUrl", "")):
        return None  # a demo file left by a stack that is gone, or by an older one
    return demo


def _use_running_stack(demo: dict[str, Any]) -> Any:
    """This process's AWS clients and function environment point at the running stack's moto."""
    from tallyboard.data import aws as aws_clients
    from tallyboard.settings import get_settings
    from tallyboard_local import resources
    from tallyboard_local.functions import Functions
    from tallyboard_local.stack import ACCOUNT, REGION, STACK_NAME

    resolver = tpl.Resolver(demo["resources"], STACK_NAME, REGION, ACCOUNT)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": demo["awsEndpointUrl"],
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_REGION": REGION,
            **resources.function_environment(resolver),
            "POWERTOOLS_LOG_LEVEL": os.environ.get("POWERTOOLS_LOG_LEVEL", "WARNING"),
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
    )
    get_settings.cache_clear()
    aws_clients.client.cache_clear()
    return Functions()


class Invoker:
    def __init__(self, functions: Any, tenant: dict[str, Any]):
        self.functions = functions
        self.tenant = tenant
        self.by_path = samples.function_by_event_name()
        self.holidays_booked = 0

    def _tenant_ids(self) -> dict[str, str]:
        return {
            samples.SAMPLE_KEY: self.tenant["apiKey"],
            samples.WORKSPACE: self.tenant["workspaceId"],
            samples.PROJECT: self.tenant["projectId"],
            samples.KEY: self.tenant["keyId"],
        }

    def _substitute(self, text: str, ids: dict[str, str]) -> str:
        for sample, real in self._tenant_ids().items():
            text = text.replace(sample, real)
        text = _ENTITY.sub(lambda m: ids.get(m.group(1), m.group(1)), text)
        return re.sub(rf"\b{samples.USER}\b", self.tenant["userId"], text)

    def _create(self, name: str, ids: dict[str, str]) -> str:
        text = (samples.EVENTS_DIR / f"{name}.json").read_text()
        event = json.loads(self._prepare(text, ids))
        if name == "holidays/create_holiday":
            event["body"] = self._next_free_weeks(event["body"])
        result = self.functions.invoke(self.by_path[name], event)
        if name == "exports/create_export":
            result = self._once_no_export_runs(event, result)
        body = json.loads(result.get("body") or "{}")
        if not 200 <= int(result["statusCode"]) < 300:
            raise RuntimeError(f"{name} answered {result['statusCode']}: {result.get('body')}")
        created = body.get("data") or body
        return str(created.get("id") or created.get("exportJobId") or created.get("cache_key"))

    def _once_no_export_runs(self, event: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
        """One export of a project runs at a time (409): an earlier event's must end first. Its
        workflow may not be listed as running yet when this one asks, so wait and ask again."""
        from tallyboard_local.stack import wait_for_workflows

        deadline = time.monotonic() + 60
        while int(result["statusCode"]) == 409 and time.monotonic() < deadline:
            wait_for_workflows()
            time.sleep(0.2)
            result = self.functions.invoke(self.by_path["exports/create_export"], event)
        return result

    def _next_free_weeks(self, body: str) -> str:
        """A member's requests may not overlap (409): each holiday made for an event is booked
        four weeks after the one before, clear of the sample's own dates."""
        from datetime import date, timedelta

        self.holidays_booked += 1
        request = json.loads(body)
        for field in ("start_date", "end_date"):
            day = date.fromisoformat(request[field]) + timedelta(weeks=4 * self.holidays_booked)
            request[field] = day.isoformat()
        return json.dumps(request)

    def _prepare(self, text: str, ids: dict[str, str]) -> str:
        """The event with real ids; entities it names are created first (they may name others)."""
        if "httpMethod" in json.loads(text):
            for placeholder in dict.fromkeys(_ENTITY.findall(text)):
                if placeholder not in ids:
                    ids[placeholder] = self._create(ENTITY_SOURCES[placeholder], ids)
        return self._substitute(text, ids)

    def _precondition(self, event: dict[str, Any]) -> None:
        name = ROUTE_PRECONDITIONS.get((event.get("httpMethod"), event.get("resource")))
        if name is None:
            return
        self._create(name, {})
        metric_id = (event.get("pathParameters") or {}).get("metricId")
        if metric_id:
            self._wait_for_catalog(metric_id)

    def _wait_for_catalog(self, metric_id: str, timeout_s: float = 20.0) -> None:
        """A series is read once the aggregator (the stack's stream pump) has folded the push."""
        from tallyboard.data.metrics import reads as metric_reads

        deadline = time.monotonic() + timeout_s
        while (
            metric_reads.get_catalog(self.tenant["workspaceId"], self.tenant["projectId"], metric_id) is None
        ):
            if time.monotonic() > deadline:
                raise RuntimeError(f"metric {metric_id} not folded after {timeout_s} s")
            time.sleep(0.05)

    def invoke(self, logical_id: str, text: str) -> tuple[Any, bool]:
        """The function's response, or Lambda's error document when it raised (and False)."""
        try:
            event = json.loads(self._prepare(text, {}))
            self._precondition(event)
            return self.functions.invoke(logical_id, event), True
        except Exception as error:
            traceback.print_exc()
            stack = traceback.format_exception(error)
            return {"errorMessage": str(error), "errorType": type(error).__name__, "stackTrace": stack}, False


def main(argv: list[str], demo_file: Path) -> int:
    args = _parser().parse_args(argv)
    out = sys.stdout
    try:
        events = _read_events(args.function, args.event)
    except InvokeError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return 2
    ok = True
    # Handlers and their loggers write to stdout: there, only the responses.
    with contextlib.redirect_stdout(sys.stderr), contextlib.ExitStack() as cleanup:
        running = None if args.fresh else _running_stack(args.demo_file or demo_file)
        if running:
            functions = _use_running_stack(running)
            where = f"the running stack at {running['baseUrl']}"
        else:
            from tallyboard_local.stack import LocalStack, wait_for_workflows

            stack = LocalStack(port=0).start()
            cleanup.callback(stack.stop)
            cleanup.callback(wait_for_workflows)  # an export the event started ends before moto does
            functions, where = stack.functions, f"a fresh local stack at {stack.base_url}"
        from tallyboard.logic import workspaces

        tenant = workspaces.bootstrap("scale", workspace_name="tallyboard-local invoke")
        print(f"{PROG}: on {where}; tenant {json.dumps(tenant)}", flush=True)
        invoker = Invoker(functions, tenant)
        for logical_id, text in events:
            result, succeeded = invoker.invoke(logical_id, text)
            ok = ok and succeeded
            out.write(json.dumps(result) + "\n")
            out.flush()
    return 0 if ok else 1
