"""boto3 clients, created lazily once per container. Endpoint and region come from the
environment (AWS_ENDPOINT_URL points every client at the local moto server)."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

_CONFIG = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=3, read_timeout=10)


@cache
def client(service: str) -> Any:
    return boto3.session.Session().client(service, config=_CONFIG)


def dynamodb() -> Any:
    return client("dynamodb")
