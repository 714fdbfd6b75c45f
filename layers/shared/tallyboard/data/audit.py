"""Audit log table: pk <workspaceId>#<projectId or "workspace">, sk <createdAt ms>#<logId>,
newest last; entries expire by TTL after the retention."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.aws import dynamodb
from tallyboard.models.common import PageSpec

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
    dynamodb().put_item(TableName=dynamo.table("audit"), Item=dynamo.to_item(record))


def _range(
    workspace_id: str, project_id: str | None, start_ms: int, end_ms: int, action: str | None
) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "KeyConditionExpression": "#s = :s AND #a BETWEEN :lo AND :hi",
        "ExpressionAttributeNames": {"#s": "scope", "#a": "at"},
        "ExpressionAttributeValues": {
            ":s": {"S": scope_key(workspace_id, project_id)},
            ":lo": {"S": f"{start_ms:013d}#"},
            ":hi": {"S": f"{end_ms:013d}#~"},
        },
    }
    if action:
        kwargs["FilterExpression"] = "#action = :action"
        kwargs["ExpressionAttributeNames"]["#action"] = "action"
        kwargs["ExpressionAttributeValues"][":action"] = {"S": action}
    return kwargs


_HIDDEN = ("scope", "at", "expiresAt")  # the table's keys and TTL


def iter_entries(
    workspace_id: str,
    project_id: str | None,
    start_ms: int,
    end_ms: int,
    action: str | None = None,
    newest_first: bool = True,
) -> Iterator[dict[str, Any]]:
    """Entries in [start_ms, end_ms], one Query page in memory at a time."""
    query = _range(workspace_id, project_id, start_ms, end_ms, action)
    for item in dynamo.query(dynamo.table("audit"), ScanIndexForward=not newest_first, **query):
        yield dynamo.without_keys(item, _HIDDEN)


def list_entries(
    workspace_id: str, project_id: str | None, start_ms: int, end_ms: int
) -> list[dict[str, Any]]:
    """Entries in [start_ms, end_ms], newest first."""
    return list(iter_entries(workspace_id, project_id, start_ms, end_ms))


def page(
    workspace_id: str,
    project_id: str | None,
    start_ms: int,
    end_ms: int,
    action: str | None,
    spec: PageSpec,
) -> tuple[dynamo.Page, int]:
    """A page of entries, newest first, and the exact number in the range (a COUNT Query: no
    items sent back)."""
    query = _range(workspace_id, project_id, start_ms, end_ms, action)
    total = dynamo.count(dynamo.table("audit"), **query)
    page = dynamo.query_page(dynamo.table("audit"), spec, ("scope", "at"), ScanIndexForward=False, **query)
    return page.without_keys(_HIDDEN), total
