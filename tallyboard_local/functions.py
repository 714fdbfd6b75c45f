"""The template's Lambda functions, run in-process. Each function gets a small pool of
"containers" (separate module instances), because a Powertools resolver, like a Lambda
container, serves one request at a time."""

from __future__ import annotations

import importlib.util
import itertools
import queue
import sys
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from tallyboard_local import aws_calls
from tallyboard_local import template as tpl

_module_counter = itertools.count()


@dataclass
class LambdaContext:
    function_name: str
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def load_module(path: Path) -> ModuleType:
    name = f"tb_fn_{path.parent.name}_{next(_module_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _empty_container_caches() -> None:
    """Lambda containers share no memory, but in-process functions share the layer's modules: a
    new container starts with the shared package's per-container caches empty, so its first
    request reads what a real container's would (and the IAM check sees the call)."""
    from tallyboard.data.console import console_key
    from tallyboard.data.cursor_key import cursor_key

    cursor_key.cache_clear()
    console_key.cache_clear()


def isolate_resolver_requests() -> None:
    """Powertools keeps the event being resolved on the BaseRouter class (`BaseRouter.current_event
    = ...`): one Lambda process serves one request at a time. In-process functions serve many at
    once, so a handler could read another request's query string or path parameters (the load
    bench saw a GET /metrics answered "projectId is required" and a stray 404). Each resolver
    gets its request's event and context as instance attributes, which the class-wide ones
    cannot overwrite."""
    from aws_lambda_powertools.event_handler.api_gateway import ApiGatewayResolver
    from aws_lambda_powertools.utilities.data_classes.common import BaseProxyEvent

    if getattr(ApiGatewayResolver, "_tallyboard_isolated", False):
        return
    resolve = ApiGatewayResolver.resolve

    def isolated(self: Any, event: Any, context: Any) -> Any:
        raw = event.raw_event if isinstance(event, BaseProxyEvent) else event
        self.current_event = self._to_proxy_event(raw)
        self.lambda_context = context
        return resolve(self, event, context)

    ApiGatewayResolver.resolve = isolated  # type: ignore[method-assign]
    ApiGatewayResolver._tallyboard_isolated = True  # type: ignore[attr-defined]


class FunctionPool:
    def __init__(self, logical_id: str, handler_file: Path, handler_name: str, max_containers: int = 8):
        self.logical_id = logical_id
        self.handler_file = handler_file
        self.handler_name = handler_name
        self.max_containers = max_containers
        self._idle: queue.LifoQueue[ModuleType] = queue.LifoQueue()
        self._created = 0
        self._lock = threading.Lock()

    def _acquire(self) -> ModuleType:
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            if self._created < self.max_containers:
                self._created += 1
                _empty_container_caches()
                return load_module(self.handler_file)
        return self._idle.get()

    def invoke(self, event: Any) -> Any:
        module = self._acquire()
        running = aws_calls.current_function.set(self.logical_id)
        try:
            return getattr(module, self.handler_name)(event, LambdaContext(self.logical_id))
        finally:
            aws_calls.current_function.reset(running)
            self._idle.put(module)


class Functions:
    """Every function of the template by logical id."""

    def __init__(self) -> None:
        isolate_resolver_requests()
        self.pools: dict[str, FunctionPool] = {}
        for logical_id, properties in tpl.functions().items():
            handler_file, handler_name = tpl.handler_location(properties)
            self.pools[logical_id] = FunctionPool(logical_id, handler_file, handler_name)

    def invoke(self, logical_id: str, event: Any) -> Any:
        return self.pools[logical_id].invoke(event)

    def warm(self) -> None:
        for pool in self.pools.values():
            pool._idle.put(pool._acquire())


def install_step_functions_seam(functions: Functions) -> None:
    """moto's ASL interpreter invokes Lambda tasks through moto's simple (docker-less) Lambda
    backend; answer those invocations with the real handlers, in-process."""
    import json

    from moto.awslambda_simple.models import LambdaSimpleBackend

    original = LambdaSimpleBackend.invoke

    def invoke(
        self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> Any:
        logical_id = function_name.rsplit(":", 1)[-1]
        if logical_id not in functions.pools:
            return original(self, function_name, qualifier, body, headers, response_headers)
        try:
            result = functions.invoke(logical_id, json.loads(body or "{}"))
            payload = json.dumps(result).encode()
        except Exception as error:  # the task failed: Step Functions' Retry/Catch see it
            response_headers["x-amz-function-error"] = "Unhandled"
            payload = json.dumps({"errorType": type(error).__name__, "errorMessage": str(error)}).encode()
        response_headers["Content-Length"] = str(len(payload))
        return payload

    LambdaSimpleBackend.invoke = invoke
