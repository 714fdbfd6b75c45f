"""Audit log table: pk <workspaceId>#<projectId or "workspace">, sk <createdAt ms>#<logId>,
newest last; entries expire by TTL after the retention."""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.settings import get_settings

WORKSPACE_SCOPE = "workspace"


def scope_key(workspace_id: str, project_id: str | None) -> str:
    return f"{workspace_id}#{project_id or WORKSPACE_SCOPE}"


def append(workspace_id: str, project_id: str | None, entry: dict[str, Any], expires_at: int) -> None:
    record = {
        **entry,
        "scope": scope_key(workspace_id, project_id),
        "at": f"{entry['createdAt']:013d}#{entry['id']}",
        "expiresAt": expires_at,
    }
    dynamodb().put_item(TableName=get_settings().audit_table, Item=dynamo.to_item(record))


def list_entries(
    workspace_id: str, project_id: str | None, start_ms: int, end_ms: int
) -> list[dict[str, Any]]:
    """Entries in [start_ms, end_ms], newest first."""
    items = dynamo.query(
        get_settings().audit_table,
        KeyConditionExpression="#s = :s AND #a BETWEEN :lo AND :hi",
        ExpressionAttributeNames={"#s": "scope", "#a": "at"},
        ExpressionAttributeValues={
            ":s": {"S": scope_key(workspace_id, project_id)},
            ":lo": {"S": f"{start_ms:013d}#"},
            ":hi": {"S": f"{end_ms:013d}#~"},
        },
        ScanIndexForward=False,
    )
    return [{k: v for k, v in i.items() if k not in {"scope", "at", "expiresAt"}} for i in items]
