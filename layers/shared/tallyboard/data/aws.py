"""AWS clients, created lazily once per container. Endpoint and region come from the
environment (AWS_ENDPOINT_URL points every client at the local moto server).

They are botocore's low-level clients, the ones boto3.client() returns, made without importing
boto3: its import (s3transfer, multiprocessing, the resource layer) costs a cold start more than
the rest of the shared package does, and nothing here uses what it adds."""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ReadTimeoutError,
)

_CONFIG = Config(retries={"max_attempts": 4, "mode": "standard"}, connect_timeout=3, read_timeout=10)
# Left to itself botocore presigns S3 URLs with SigV2 in us-east-1, which S3 refuses for
# buckets created since June 2020.
_SERVICE_CONFIG = {"s3": _CONFIG.merge(Config(signature_version="s3v4"))}


@cache
def client(service: str) -> Any:
    return botocore.session.Session().create_client(service, config=_SERVICE_CONFIG.get(service, _CONFIG))


def dynamodb() -> Any:
    return client("dynamodb")


def missing_configuration(error: BaseException) -> str | None:
    """What an AWS call could not start without (a region, credentials, a reachable endpoint),
    in words an operator acts on; None for any other error."""
    if isinstance(error, NoRegionError):
        return "no AWS region: set AWS_DEFAULT_REGION, or AWS_PROFILE to a profile with a region"
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return "no AWS credentials: set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
    if isinstance(error, EndpointConnectionError):
        return f"cannot reach {error.kwargs.get('endpoint_url')}: is the endpoint up?"
    return None


# Errors that outlived botocore's own retries but say "later", not "never": throttling, a
# service's 5xx, a timeout or a dropped connection.
_TRANSIENT_CODES = {
    "ProvisionedThroughputExceededException",
    "ThrottlingException",
    "Throttling",
    "RequestLimitExceeded",
    "TooManyRequestsException",
    "SlowDown",
    "InternalServerError",
    "InternalFailure",
    "ServiceUnavailable",
    "RequestTimeout",
}


def is_transient(error: BaseException) -> bool:
    if isinstance(error, ConnectionError | ReadTimeoutError | ConnectTimeoutError | EndpointConnectionError):
        return True
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        return code in _TRANSIENT_CODES or status >= 500
    return False
