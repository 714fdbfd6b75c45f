"""Writes of the tile operations (copy_tile, move_tile, reorder_tiles) and of adding or removing
a widget: each one transaction with the dashboard's side of the change (its order `tileOrder`,
`tilesVersion`, `widgetCount`), so a tile is never on two dashboards or none."""

from __future__ import annotations

from typing import Any

from tallyboard.data import dynamo
from tallyboard.data.dashboards.dashboards import (
    dashboard_key,
    live,
    widget_delete,
    widget_put,
)
from tallyboard.data.dynamo import Expression, transact


def tiles_touch(
    workspace_id: str,
    dashboard_id: str,
    updated_at: int,
    *,
    appended: list[str] | None = None,
    order: list[str] | None = None,
    version: int | None = None,
    removed: int = 0,
    max_tiles: int | None = None,
) -> dict[str, Any]:
    """The dashboard's side of a change of its tiles: updatedAt, widgetCount, tilesVersion, and
    the order (appended ids, or a whole new order conditional on the version read)."""
    expression = live(Expression()).set("updatedAt", updated_at).add("tilesVersion", 1)
    added = len(appended or [])
    if added - removed:
        expression.add("widgetCount", added - removed)
    if appended:
        expression.append("tileOrder", appended)
        if max_tiles is not None:
            expression.condition(
                "attribute_not_exists({c}) OR {c} <= {room}", c="#widgetCount", room=max_tiles - added
            )
    if order is not None:
        expression.set("tileOrder", order)
        expression.equals_or_absent("tilesVersion", version)
    return {"Update": expression.update(dynamo.table("entities"), dashboard_key(workspace_id, dashboard_id))}


def add_tile(workspace_id: str, widget: dict[str, Any], max_tiles: int) -> list[str] | None:
    """A new tile at the end of its dashboard's order (copy_tile)."""
    touch = tiles_touch(
        workspace_id, widget["dashboardId"], widget["createdAt"], appended=[widget["id"]], max_tiles=max_tiles
    )
    return transact([widget_put(workspace_id, widget), touch])


def move_tile(
    workspace_id: str,
    widget: dict[str, Any],
    from_dashboard: str,
    source_order: list[str],
    source_version: int | None,
    max_tiles: int,
) -> list[str] | None:
    """The widget leaves `from_dashboard` and lands on widget["dashboardId"], atomically.
    Cancellation codes: [old widget, new widget, source dashboard, target dashboard]."""
    at = widget["updatedAt"]
    return transact(
        [
            widget_delete(workspace_id, from_dashboard, widget["id"]),
            widget_put(workspace_id, widget),
            tiles_touch(
                workspace_id, from_dashboard, at, order=source_order, version=source_version, removed=1
            ),
            tiles_touch(
                workspace_id, widget["dashboardId"], at, appended=[widget["id"]], max_tiles=max_tiles
            ),
        ]
    )


def reorder_tiles(
    workspace_id: str, dashboard_id: str, order: list[str], version: int | None, updated_at: int
) -> bool:
    """Replace the tile order if the tiles are still those read (tilesVersion); False otherwise."""
    update = tiles_touch(workspace_id, dashboard_id, updated_at, order=order, version=version)["Update"]
    return dynamo.update_if(**update) is not None


def remove_tile(
    workspace_id: str,
    dashboard_id: str,
    widget_id: str,
    order: list[str],
    version: int | None,
    updated_at: int,
) -> list[str] | None:
    """Delete a widget and drop it from the order. Codes: [widget, dashboard]."""
    return transact(
        [
            widget_delete(workspace_id, dashboard_id, widget_id),
            tiles_touch(workspace_id, dashboard_id, updated_at, order=order, version=version, removed=1),
        ]
    )
