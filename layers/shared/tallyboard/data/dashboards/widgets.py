"""A widget's own writes: its item and its dashboard's (updatedAt, widgetCount) in one
transaction, which fails when either is gone. Adding and removing widgets changes the tile order
too: those are in tiles.py."""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dashboards.dashboards import dashboard_key, entities_table, widget_key


def _touch_dashboard(
    workspace_id: str, dashboard_id: str, updated_at: int, count_change: int
) -> dict[str, Any]:
    return {
        "TableName": entities_table(),
        "Key": dashboard_key(workspace_id, dashboard_id),
        "UpdateExpression": "SET updatedAt = :t ADD widgetCount :c",
        "ConditionExpression": "deleted = :no",
        "ExpressionAttributeValues": {
            ":t": {"N": str(updated_at)},
            ":c": {"N": str(count_change)},
            ":no": {"BOOL": False},
        },
    }


def update_widget(
    workspace_id: str, dashboard_id: str, widget_id: str, changes: dict[str, Any], updated_at: int
) -> bool:
    """Set `changes` and `updatedAt` on the widget and bump the dashboard; False when either is gone."""
    fields = {**changes, "updatedAt": updated_at}
    names = {f"#f{i}": name for i, name in enumerate(fields)}
    values = dynamo.to_item({f":v{i}": value for i, value in enumerate(fields.values())})
    update = {
        "TableName": entities_table(),
        "Key": widget_key(workspace_id, dashboard_id, widget_id),
        "UpdateExpression": "SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
        "ConditionExpression": "attribute_exists(pk)",
        "ExpressionAttributeNames": names,
        "ExpressionAttributeValues": values,
    }
    committed = dynamo.transact(
        [{"Update": update}, {"Update": _touch_dashboard(workspace_id, dashboard_id, updated_at, 0)}]
    )
    return committed is None
