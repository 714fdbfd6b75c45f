"""API keys table: items keyed by the SHA-256 of the plaintext key (never the key itself);
GSI byWorkspace (workspaceId, keyId) lists and finds a workspace's keys."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dynamo import Expression
from tallyboard.models.common import PageSpec


def get_by_hash(key_hash: str) -> dict[str, Any] | None:
    return dynamo.get(dynamo.table("keys"), dynamo.key(keyHash=key_hash), consistent=True)


def put(record: dict[str, Any]) -> None:
    if not dynamo.put_new(dynamo.table("keys"), record, key_attribute="keyHash"):
        raise RuntimeError("API key hash collision")  # 256 random bits: never expected


def _workspace_query(workspace_id: str) -> dict[str, Any]:
    return {
        "IndexName": "byWorkspace",
        "KeyConditionExpression": "workspaceId = :w",
        "ExpressionAttributeValues": {":w": {"S": workspace_id}},
    }


def list_for_workspace(workspace_id: str) -> list[dict[str, Any]]:
    return list(dynamo.query(dynamo.table("keys"), **_workspace_query(workspace_id)))


def count_for_workspace(workspace_id: str) -> int:
    return dynamo.count(dynamo.table("keys"), **_workspace_query(workspace_id))


def page(
    workspace_id: str, spec: PageSpec, keep: Callable[[dict[str, Any]], bool] | None = None
) -> dynamo.Page:
    """A page of the workspace's keys in key id order; `keep` narrows it to a caller's reach."""
    return dynamo.query_page(
        dynamo.table("keys"),
        spec,
        ("keyHash", "workspaceId", "keyId"),
        keep,
        **_workspace_query(workspace_id),
    )


def find_in_workspace(workspace_id: str, key_id: str) -> dict[str, Any] | None:
    items = dynamo.query(
        dynamo.table("keys"),
        IndexName="byWorkspace",
        KeyConditionExpression="workspaceId = :w AND keyId = :k",
        ExpressionAttributeValues={":w": {"S": workspace_id}, ":k": {"S": key_id}},
    )
    return next(iter(items), None)


def mark_revoked(key_hash: str, workspace_id: str, revoked_at: int) -> bool:
    """Revoke a live key of this workspace; False when it is already revoked or not the workspace's."""
    expression = Expression().set("revokedAt", revoked_at)
    expression.condition(
        "{w} = {ws} AND attribute_not_exists({r})", w="#workspaceId", ws=workspace_id, r="#revokedAt"
    )
    return (
        dynamo.update_if(**expression.update(dynamo.table("keys"), dynamo.key(keyHash=key_hash))) is not None
    )
