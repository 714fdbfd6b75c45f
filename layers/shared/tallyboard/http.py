"""What every handler shares: error mapping to the documented shape, the caller, and the
per-request gate (plan, exact rate limit, body size, body read as JSON) with the
X-RateLimit-* headers on every authenticated response, errors included."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.functions import is_metrics_disabled

from tallyboard import rate_limit
from tallyboard.auth import Caller
from tallyboard.data.aws import is_transient
from tallyboard.errors import (
    ApiError,
    BadRequest,
    Forbidden,
    MethodNotAllowed,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    internal_error_body,
)
from tallyboard.observability import logger, metrics
from tallyboard.plans import API_PLANS_MESSAGE
from tallyboard.settings import get_settings

JSON = content_types.APPLICATION_JSON
# Answers to a key are the key holder's data: no cache keeps them, no browser guesses their type.
SECURITY_HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


def error_response(error: ApiError) -> Response[dict[str, Any]]:
    return Response(status_code=error.status, content_type=JSON, body=error.body(), headers=error.headers)


def _field_name(loc: tuple[Any, ...], body: Any, error_type: str = "") -> str:
    """The client's name for the field an error is about. pydantic puts the member of a union
    it tried into `loc` ("none", "literal['a','b']", a model's class name …); those are not
    fields, so the body sent is walked and only the names it has (or the one missing) are kept."""
    if not loc:
        return "body"
    where, *path = loc
    if where != "body":
        # ("query", "projectId") for a plain parameter, ("query", "query", "projectId") for a
        # field of a query model: the client named the parameter, not the model.
        return ".".join(str(p) for p in (path[1:] if len(path) > 1 else path)) or str(where)
    parts: list[str] = []
    current = body
    for index, part in enumerate(path):
        present = (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        )
        if present:
            parts.append(str(part))
            current = current[part]
        elif index == len(path) - 1 and error_type == "missing":
            parts.append(str(part))
    return ".".join(parts) or "body"


def _sent_body(app: APIGatewayRestResolver) -> Any:
    try:
        return json.loads(app.current_event.body or "null")
    except ValueError:
        return None


def _validation_error(exc: RequestValidationError, body: Any = None) -> Response[dict[str, Any]]:
    errors = exc.errors()
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(BadRequest("Request body is not valid JSON"))
    details: dict[str, str] = {}
    for e in errors:
        message = str(e.get("msg", "is invalid")).removeprefix("Value error, ")
        details.setdefault(_field_name(tuple(e.get("loc") or ()), body, str(e.get("type", ""))), message)
    field, message = next(iter(details.items()))
    return error_response(BadRequest(f"Invalid parameter: {field}: {message}", details=details))


def install_api_defaults(app: APIGatewayRestResolver) -> None:
    """Map validation and domain errors to the documented error body."""
    app.exception_handler(RequestValidationError)(lambda exc: _validation_error(exc, _sent_body(app)))
    app.exception_handler(ApiError)(error_response)
    app.not_found()(lambda _exc: error_response(NotFound("Route not found")))


def current_caller(app: APIGatewayRestResolver) -> Caller:
    return Caller.from_event(app.current_event.raw_event)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _read_body_as_json(event: dict[str, Any]) -> None:
    """Enforce the size limit and read the body as JSON whatever its Content-Type said
    (curl -d sends form-encoded); NaN and Infinity are not JSON."""
    body = event.get("body")
    if body is None:
        return
    raw = base64.b64decode(body) if event.get("isBase64Encoded") else body.encode()
    if len(raw) > get_settings().max_body_bytes:
        raise PayloadTooLarge("Request body exceeds the 1 MB limit")
    try:
        text = raw.decode("utf-8")
        if text.strip():
            json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:
        raise BadRequest("Request body is not valid JSON") from error
    event["body"], event["isBase64Encoded"] = text, False
    for name in ("headers", "multiValueHeaders"):
        headers = {k: v for k, v in (event.get(name) or {}).items() if k.lower() != "content-type"}
        headers["Content-Type"] = JSON if name == "headers" else [JSON]
        event[name] = headers


def _with_headers(response: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    multi = response.setdefault("multiValueHeaders", {})
    for name, value in headers.items():
        multi[name] = [value]
    return response


def _serve(app: APIGatewayRestResolver, event: dict[str, Any], context: Any) -> dict[str, Any]:
    headers: dict[str, str] = {}
    try:
        caller = Caller.from_event(event)
        if not caller.plan.api_access:
            raise Forbidden(API_PLANS_MESSAGE)
        headers = rate_limit.consume(caller)
        _read_body_as_json(event)
        response = app.resolve(event, context)
    except ApiError as error:
        headers = {**headers, **error.headers}
        response = _plain(error.status, error.body())
    except Exception as error:
        if is_transient(error):
            # DynamoDB throttled or failed past botocore's retries: the client may retry. The rate
            # limit fails closed the same way (its counter is the first write of every request).
            logger.warning("Transient AWS error", extra={"error": type(error).__name__})
            unavailable = ServiceUnavailable()
            headers = {**headers, **unavailable.headers}
            response = _plain(unavailable.status, unavailable.body())
        else:
            logger.exception("Unhandled error")
            response = _plain(500, internal_error_body())
    headers = {**headers, **SECURITY_HEADERS}
    context = (event.get("requestContext") or {}).get("authorizer") or {}
    logger.debug(
        "Request served",
        extra={
            "route": f"{event.get('httpMethod')} {event.get('resource')}",
            "status": response["statusCode"],
            "keyId": context.get("keyId"),
            "workspaceId": context.get("workspaceId"),
        },
    )
    metrics.add_metric(name=f"Responses{response['statusCode'] // 100}xx", unit=MetricUnit.Count, value=1)
    return _with_headers(response, headers)


def _plain(status: int, body: dict[str, Any]) -> dict[str, Any]:
    return {
        "statusCode": status,
        "multiValueHeaders": {"Content-Type": [JSON]},
        "body": json.dumps(body),
        "isBase64Encoded": False,
    }


def api_handler(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point of an authenticated endpoint."""

    @metrics.log_metrics
    def instrumented(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return _serve(app, event, context)

    # Never the event: it carries the Authorization header (whatever POWERTOOLS_LOGGER_LOG_EVENT says).
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            return instrumented(event, context)
        finally:
            if is_metrics_disabled():
                metrics.clear_metrics()  # Powertools keeps them when disabled, then prints at 100

    return lambda_handler


def public_handler(app: APIGatewayRestResolver) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point of a route served without a key (the docs)."""

    # Never the event: it carries the Authorization header (whatever POWERTOOLS_LOGGER_LOG_EVENT says).
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            return app.resolve(event, context)
        except Exception:
            logger.exception("Unhandled error")
            return _plain(500, internal_error_body())

    return lambda_handler


def method_not_allowed_handler(functions_root: Path) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The Lambda entry point of every known path's catch-all ANY method: API Gateway routes a
    path's declared methods to their own functions, so a request here used an undeclared one. 405
    in the error shape, `Allow` listing the path's methods as the OpenAPI document declares them.
    The key was checked by the authorizer; nothing is counted or stored."""
    from tallyboard.logic import docs

    # Never the event: it carries the Authorization header (whatever POWERTOOLS_LOGGER_LOG_EVENT says).
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, log_event=False)
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        path, method = str(event.get("resource") or ""), str(event.get("httpMethod") or "")
        try:
            allowed = docs.allowed_methods(functions_root, path)
        except Exception:
            logger.exception("Unhandled error")
            return _with_headers(_plain(500, internal_error_body()), SECURITY_HEADERS)
        if not allowed:
            error: ApiError = NotFound("Route not found")
        else:
            listed = ", ".join(allowed)
            error = MethodNotAllowed(
                f"{method} is not allowed on {path}; allowed: {listed}", headers={"Allow": listed}
            )
        return _with_headers(_plain(error.status, error.body()), {**error.headers, **SECURITY_HEADERS})

    return lambda_handler
