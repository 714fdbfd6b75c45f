"""A widget's own writes: its item and its dashboard's (updatedAt, widgetCount) in one
transaction, which fails when either is gone. Adding and removing widgets changes the tile order
too: those are in tiles.py."""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dashboards.dashboards import dashboard_key, widget_key
from tallyboard.data.dynamo import Expression


def _touch_dashboard(
    workspace_id: str, dashboard_id: str, updated_at: int, count_change: int
) -> dict[str, Any]:
    expression = Expression().set("updatedAt", updated_at).add("widgetCount", count_change)
    expression.condition("{d} = {no}", d="#deleted", no=False)
    return expression.update(dynamo.table("entities"), dashboard_key(workspace_id, dashboard_id))


def update_widget(
    workspace_id: str, dashboard_id: str, widget_id: str, changes: dict[str, Any], updated_at: int
) -> bool:
    """Set `changes` and `updatedAt` on the widget and bump the dashboard; False when either is gone."""
    expression = Expression().condition("attribute_exists(pk)")
    for name, value in {**changes, "updatedAt": updated_at}.items():
        expression.set(name, value)
    update = expression.update(dynamo.table("entities"), widget_key(workspace_id, dashboard_id, widget_id))
    committed = dynamo.transact(
        [{"Update": update}, {"Update": _touch_dashboard(workspace_id, dashboard_id, updated_at, 0)}]
    )
    return committed is None
