"""In-process functions serve requests concurrently, but Powertools keeps the event being
resolved on the BaseRouter class: tallyboard_local.functions gives each resolver its own."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard_local.functions import isolate_resolver_requests


def _event(path: str, query: dict[str, str] | None) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": "GET",
        "headers": {},
        "multiValueHeaders": {},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in (query or {}).items()} or None,
        "pathParameters": None,
        "requestContext": {"resourcePath": path, "httpMethod": "GET", "stage": "v1"},
        "body": None,
        "isBase64Encoded": False,
    }


def test_a_request_resolved_meanwhile_does_not_replace_the_event_a_handler_reads() -> None:
    isolate_resolver_requests()
    first, second = APIGatewayRestResolver(), APIGatewayRestResolver()

    @second.get("/other")
    def other() -> dict[str, Any]:
        return {}

    @first.get("/metrics")
    def metrics() -> dict[str, Any]:
        # Another container resolves its request while this one is being served.
        second.resolve(_event("/other", None), None)
        return {"projectId": first.current_event.get_query_string_value("projectId")}

    response = first.resolve(_event("/metrics", {"projectId": "proj_1"}), None)

    assert response["statusCode"] == 200
    assert response["body"] == '{"projectId":"proj_1"}'
