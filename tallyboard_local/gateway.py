"""A small API Gateway (REST, proxy integration) for local runs: routes from template.yaml,
the real authorizer (uncached, so a revoked key fails at once), gateway responses from the
template, and proxy events handed to the real handlers."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tallyboard_local import template as tpl
from tallyboard_local.functions import Functions

STAGE_PREFIX = f"/{tpl.API_STAGE}"
GATEWAY_MAX_BODY = 10 * 1024 * 1024  # API Gateway's own payload limit
ARN_PREFIX = "arn:aws:execute-api:us-east-1:123456789012:local"


class GatewayReply(Exception):
    def __init__(self, kind: str):
        self.kind = kind


class Gateway:
    def __init__(self, functions: Functions):
        self.functions = functions
        # The template as deployed: every path also has an ANY method (the 405 answer).
        template = tpl.deployable()
        self.resources: dict[str, dict[str, tpl.Route]] = {}
        for route in tpl.routes(template):
            self.resources.setdefault(route.path, {})[route.method] = route
        # Like API Gateway, a literal path segment wins over a {parameter} (/exports/schedule).
        self.paths = sorted(self.resources, key=lambda path: path.count("{"))
        self.responses = tpl.gateway_responses(template)
        self.authorizer = tpl.authorizer_function(template)

    def _match(self, method: str, path: str) -> tuple[tpl.Route, dict[str, str]]:
        """As API Gateway: the resource first, then its method, the explicit one before ANY."""
        for resource in self.paths:
            methods = self.resources[resource]
            if match := next(iter(methods.values())).pattern.match(path):
                route = methods.get(method) or methods.get(tpl.ANY)
                if route is None:
                    break
                return route, match.groupdict()
        raise GatewayReply("MISSING_AUTHENTICATION_TOKEN")

    def _authorize(self, headers: dict[str, str], route: tpl.Route) -> dict[str, Any]:
        token = next((v for k, v in headers.items() if k.lower() == "authorization"), None)
        if not token:
            raise GatewayReply("UNAUTHORIZED")
        event = {
            "type": "TOKEN",
            "authorizationToken": token,
            "methodArn": f"{ARN_PREFIX}/{tpl.API_STAGE}/{route.method}{route.path}",
        }
        try:
            decision = self.functions.invoke(self.authorizer, event)
        except Exception as error:
            # API Gateway's contract: exactly "Unauthorized" is a 401; anything else, a failure.
            kind = "UNAUTHORIZED" if str(error) == "Unauthorized" else "AUTHORIZER_FAILURE"
            raise GatewayReply(kind) from error
        statements = decision["policyDocument"]["Statement"]
        if any(s["Effect"] != "Allow" for s in statements):
            raise GatewayReply("ACCESS_DENIED")
        if not decision.get("usageIdentifierKey"):
            raise GatewayReply("INVALID_API_KEY")  # ApiKeyRequired: no usage plan for this plan tier
        return {**decision.get("context", {}), "principalId": decision["principalId"]}

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], body: bytes, source_ip: str
    ) -> tuple[int, dict[str, list[str]], bytes]:
        split = urlsplit(raw_path)
        if not split.path.startswith(STAGE_PREFIX + "/"):
            return self._reply("MISSING_AUTHENTICATION_TOKEN")
        path = split.path[len(STAGE_PREFIX) :]
        try:
            if len(body) > GATEWAY_MAX_BODY:
                raise GatewayReply("REQUEST_TOO_LARGE")
            route, path_parameters = self._match(method, path)
            authorizer = self._authorize(headers, route) if route.authorized else None
        except GatewayReply as reply:
            return self._reply(reply.kind)
        event = self._proxy_event(method, path, split.query, headers, body, source_ip, route, path_parameters)
        if authorizer is not None:
            event["requestContext"]["authorizer"] = authorizer
        result = self.functions.invoke(route.function, event)
        return self._from_proxy_result(result)

    def _reply(self, kind: str) -> tuple[int, dict[str, list[str]], bytes]:
        status, body, headers = self.responses.get(kind, (500, '{"error":"Internal Server Error"}', {}))
        return (
            status,
            {"Content-Type": ["application/json"], **{k: [v] for k, v in headers.items()}},
            body.encode(),
        )

    @staticmethod
    def _proxy_event(
        method: str,
        path: str,
        query: str,
        headers: dict[str, str],
        body: bytes,
        source_ip: str,
        route: tpl.Route,
        path_parameters: dict[str, str],
    ) -> dict[str, Any]:
        multi_query: dict[str, list[str]] = {}
        for name, value in parse_qsl(query, keep_blank_values=True):
            multi_query.setdefault(name, []).append(value)
        try:
            text_body: str | None = body.decode("utf-8") if body else None
            is_base64 = False
        except UnicodeDecodeError:
            text_body, is_base64 = base64.b64encode(body).decode(), True
        user_agent = next((v for k, v in headers.items() if k.lower() == "user-agent"), "")
        now = time.time()
        return {
            "resource": route.path,
            "path": path,
            "httpMethod": method,
            "headers": dict(headers),
            "multiValueHeaders": {k: [v] for k, v in headers.items()},
            "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
            "multiValueQueryStringParameters": multi_query or None,
            "pathParameters": path_parameters or None,
            "stageVariables": None,
            "requestContext": {
                "resourcePath": route.path,
                "httpMethod": method,
                "path": STAGE_PREFIX + path,
                "stage": tpl.API_STAGE,
                "requestId": str(uuid.uuid4()),
                "requestTimeEpoch": int(now * 1000),
                "accountId": "123456789012",
                "apiId": "local",
                "identity": {"sourceIp": source_ip, "userAgent": user_agent},
            },
            "body": text_body,
            "isBase64Encoded": is_base64,
        }

    @staticmethod
    def _from_proxy_result(result: dict[str, Any]) -> tuple[int, dict[str, list[str]], bytes]:
        headers: dict[str, list[str]] = {k: [str(v)] for k, v in (result.get("headers") or {}).items()}
        for name, values in (result.get("multiValueHeaders") or {}).items():
            headers[name] = [str(v) for v in values]
        body = result.get("body") or ""
        raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
        return int(result.get("statusCode", 200)), headers, raw


def _request_handler(gateway: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "tallyboard-local"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items()}
            try:
                status, response_headers, payload = gateway.handle(
                    self.command, self.path, headers, body, self.client_address[0]
                )
            except Exception:
                status, response_headers = 502, {"Content-Type": ["application/json"]}
                payload = json.dumps({"message": "Internal server error"}).encode()
            self.send_response(
                status, HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else ""
            )
            for name, values in response_headers.items():
                if name.lower() in {"content-length", "connection", "transfer-encoding"}:
                    continue
                for value in values:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

        def __getattr__(self, name: str) -> Any:
            # Any other method (TRACE, QUERY, …) reaches the route table too, as on API Gateway,
            # which answers it from the gateway responses instead of http.server's 501 page.
            if name.startswith("do_"):
                return self._serve
            raise AttributeError(name)

        def log_message(self, format: str, *args: Any) -> None:  # quiet by default
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # bursts of concurrent clients (socketserver's default is 5)


class GatewayServer:
    def __init__(self, gateway: Gateway, host: str = "127.0.0.1", port: int = 3000):
        self.httpd = _Server((host, port), _request_handler(gateway))
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="gateway", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}/{tpl.API_STAGE}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
