"""API keys table: items keyed by the SHA-256 of the plaintext key (never the key itself);
GSI byWorkspace (workspaceId, keyId) lists and finds a workspace's keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from botocore.exceptions import ClientError

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.models.common import PageSpec
from tallyboard.settings import get_settings


def _table() -> str:
    return get_settings().keys_table


def get_by_hash(key_hash: str) -> dict[str, Any] | None:
    return dynamo.get(_table(), dynamo.key(keyHash=key_hash), consistent=True)


def put(record: dict[str, Any]) -> None:
    if not dynamo.put_new(_table(), record, key_attribute="keyHash"):
        raise RuntimeError("API key hash collision")  # 256 random bits: never expected


def _workspace_query(workspace_id: str) -> dict[str, Any]:
    return {
        "IndexName": "byWorkspace",
        "KeyConditionExpression": "workspaceId = :w",
        "ExpressionAttributeValues": {":w": {"S": workspace_id}},
    }


def list_for_workspace(workspace_id: str) -> list[dict[str, Any]]:
    return list(dynamo.query(_table(), **_workspace_query(workspace_id)))


def count_for_workspace(workspace_id: str) -> int:
    return dynamo.count(_table(), **_workspace_query(workspace_id))


def page(
    workspace_id: str, spec: PageSpec, keep: Callable[[dict[str, Any]], bool] | None = None
) -> dynamo.Page:
    """A page of the workspace's keys in key id order; `keep` narrows it to a caller's reach."""
    return dynamo.query_page(
        _table(),
        spec.limit,
        ("keyHash", "workspaceId", "keyId"),
        spec.start_key,
        spec.skip,
        keep,
        **_workspace_query(workspace_id),
    )


def find_in_workspace(workspace_id: str, key_id: str) -> dict[str, Any] | None:
    items = dynamo.query(
        _table(),
        IndexName="byWorkspace",
        KeyConditionExpression="workspaceId = :w AND keyId = :k",
        ExpressionAttributeValues={":w": {"S": workspace_id}, ":k": {"S": key_id}},
    )
    return next(iter(items), None)


def mark_revoked(key_hash: str, workspace_id: str, revoked_at: int) -> bool:
    """Revoke a live key of this workspace; False when it is already revoked or not the workspace's."""
    try:
        dynamodb().update_item(
            TableName=_table(),
            Key=dynamo.key(keyHash=key_hash),
            UpdateExpression="SET revokedAt = :t",
            ConditionExpression="workspaceId = :w AND attribute_not_exists(revokedAt)",
            ExpressionAttributeValues={":t": {"N": str(revoked_at)}, ":w": {"S": workspace_id}},
        )
    except ClientError as error:
        if dynamo.is_condition_failure(error):
            return False
        raise
    return True
