"""Powertools idempotency on the IdempotencyTable (key attribute `id`, TTL attribute
`expiration`): a request with an `Idempotency-Key` runs once; a retry with the same key and
body gets the first response back; the same key with another body, or while the first is still
running, raises Powertools' own errors (mapped to 409 by the logic)."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb

EXPIRES_AFTER_SECONDS = 24 * 3600

__all__ = ["IdempotencyAlreadyInProgressError", "IdempotencyValidationError", "once"]


@cache
def persistence_layer() -> DynamoDBPersistenceLayer:
    # The shared client: one connection pool, and the benchmarks count these calls too.
    return DynamoDBPersistenceLayer(
        table_name=dynamo.table("idempotency"),
        key_attr="id",
        expiry_attr="expiration",
        boto3_client=dynamodb(),
    )


def once(
    operation: str,
    key: str,
    payload: dict[str, Any],
    produce: Callable[[], dict[str, Any]],
    lambda_context: Any = None,
) -> dict[str, Any]:
    """Run `produce` once per (operation, key); `payload` is what a retry must repeat exactly.

    `key` must already carry the tenant (workspace + the client's header value), so two
    workspaces never share a record."""
    config = IdempotencyConfig(
        event_key_jmespath="key",
        payload_validation_jmespath="request",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=EXPIRES_AFTER_SECONDS,
    )
    if lambda_context is not None and hasattr(lambda_context, "get_remaining_time_in_millis"):
        config.register_lambda_context(lambda_context)  # an abandoned in-progress record expires

    def run(request: dict[str, Any]) -> dict[str, Any]:
        return produce()

    wrapped = idempotent_function(
        data_keyword_argument="request",
        persistence_store=persistence_layer(),
        config=config,
        key_prefix=operation,
    )(run)
    return wrapped(request={"key": key, "request": payload})
