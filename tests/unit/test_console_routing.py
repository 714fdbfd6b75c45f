"""Which API the console calls with the signed-in key."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from tallyboard.console.routing import api_url


def _request(host: str, request_context: dict[str, Any]) -> Request:
    event = {"requestContext": request_context}
    scope = {"type": "http", "headers": [(b"host", host.encode())], "aws.event": event, "path": "/console"}
    return Request(scope)


def test_in_aws_the_key_goes_to_the_domain_api_gateway_served_not_the_host_header() -> None:
    forged = _request(
        "attacker.example", {"stage": "v1", "domainName": "abc.execute-api.eu-west-1.amazonaws.com"}
    )

    assert api_url(forged) == "https://abc.execute-api.eu-west-1.amazonaws.com/v1"


def test_locally_events_carry_no_domain_and_the_host_header_names_the_gateway() -> None:
    assert api_url(_request("127.0.0.1:3000", {"stage": "v1"})) == "http://127.0.0.1:3000/v1"
