"""Writes of create_from_template_json and create_unlisted_dashboard: the dashboard and its tiles
in one transaction; an unlisted one also takes its project's lock for the tag in it."""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dashboards.dashboards import (
    dashboard_put,
    widget_put,
)
from tallyboard.data.dynamo import transact
from tallyboard.data.entities import workspace_pk

UNLISTED_SK_PREFIX = "TAG#"


def unlisted_lock_key(workspace_id: str, project_id: str, tag: str) -> dict[str, Any]:
    return dynamo.key(
        pk=f"{workspace_pk(workspace_id)}#P#{project_id}#UNLISTED", sk=UNLISTED_SK_PREFIX + tag.lower()
    )


def lock_put(
    workspace_id: str, project_id: str, tag: str, dashboard_id: str, created_at: int
) -> dict[str, Any]:
    item = {
        **unlisted_lock_key(workspace_id, project_id, tag),
        "kind": {"S": "unlisted-lock"},
        "tag": {"S": tag},
        "dashboardId": {"S": dashboard_id},
        "createdAt": {"N": str(created_at)},
    }
    return {
        "Put": {
            "TableName": dynamo.table("entities"),
            "Item": item,
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def unlisted_lock(workspace_id: str, project_id: str, tag: str) -> dict[str, Any] | None:
    return dynamo.get(
        dynamo.table("entities"), unlisted_lock_key(workspace_id, project_id, tag), consistent=True
    )


def create_with_tiles(
    workspace_id: str, record: dict[str, Any], widgets: list[dict[str, Any]], lock_tag: str | None = None
) -> list[str] | None:
    """A new dashboard and its tiles in one transaction; with lock_tag, its project's
    unlisted lock for that tag first (codes: [lock, dashboard, tiles…])."""
    items = [dashboard_put(workspace_id, record)] + [widget_put(workspace_id, w) for w in widgets]
    if lock_tag is not None:
        items.insert(
            0, lock_put(workspace_id, record["projectId"], lock_tag, record["id"], record["createdAt"])
        )
    return transact(items)
