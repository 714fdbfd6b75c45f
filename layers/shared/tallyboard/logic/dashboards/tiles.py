"""Tiles across dashboards (docs/api.md): copy_tile, move_tile, reorder_tiles. A tile is a widget.

Both dashboards must be in the caller's reach: visible to the key (its project bound, not
deleted), and editable by it where the operation changes them (the source of a copy is only
read). A copied or moved tile lands as a new bottom row (x 0, below the lowest tile), keeping
its size. A move is one transaction: the tile is never on both dashboards or neither."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.data.dashboards import dashboards as store
from tallyboard.data.dashboards import tiles as stored_tiles
from tallyboard.errors import BadRequest, Conflict, NotFound
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit
from tallyboard.logic.dashboards.dashboards import (
    dashboard_not_found,
    detail,
    is_visible,
    order_tiles,
    public_widget,
    require_edit,
)
from tallyboard.models.dashboards.tiles import (
    MAX_TILES,
    CopyTileRequest,
    MoveTileRequest,
    ReorderTilesRequest,
    TileOperationResponse,
)

RETRIES = 3


def tile_not_found() -> NotFound:
    return NotFound("Tile not found")


def _full() -> Conflict:
    return Conflict(f"A dashboard holds at most {MAX_TILES} tiles")


def next_row(widgets: list[dict[str, Any]]) -> int:
    """The y of a new bottom row: below every tile."""
    return max((int(w["position"]["y"]) + int(w["position"]["h"]) for w in widgets), default=0)


def _visible(caller: Caller, dashboard_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The dashboard and its widgets, read consistently (a conditional write checks them)."""
    dashboard, widgets = store.get_with_widgets(caller.workspace_id, dashboard_id, consistent=True)
    if not is_visible(caller, dashboard):
        raise dashboard_not_found()
    assert dashboard is not None
    return dashboard, widgets


def _response(caller: Caller, dashboard_id: str, tile: dict[str, Any]) -> TileOperationResponse:
    dashboard, widgets = store.get_with_widgets(caller.workspace_id, dashboard_id, consistent=True)
    if dashboard is None:  # gone the very moment after the write
        raise dashboard_not_found()
    return TileOperationResponse(data=detail(dashboard, widgets), tile=public_widget(tile))


def copy_tile(caller: Caller, dashboard_id: str, request: CopyTileRequest) -> TileOperationResponse:
    """Copy `tileId` of `fromDashboardId` onto the dashboard in the path, as a new bottom row."""
    caller.require("editor", "dashboard:write")
    target, target_widgets = _visible(caller, dashboard_id)
    require_edit(caller, target)
    source, tile = store.get_dashboard_and_widget(
        caller.workspace_id, request.fromDashboardId, request.tileId
    )
    if not is_visible(caller, source):
        raise dashboard_not_found()
    if tile is None:
        raise tile_not_found()
    if int(target.get("widgetCount", 0)) >= MAX_TILES:
        raise _full()
    created_at = now_ms()
    copy = {
        **{k: tile[k] for k in ("type", "title", "visible", "config")},
        "id": new_id("widget"),
        "dashboardId": dashboard_id,
        "projectId": target["projectId"],
        "position": {**tile["position"], "x": 0, "y": next_row(target_widgets)},
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    if stored_tiles.add_tile(caller.workspace_id, copy, MAX_TILES) is not None:
        _visible(caller, dashboard_id)  # deleted meanwhile: 404; else it filled up meanwhile
        raise _full()
    audit.record(
        caller,
        "tile.copy",
        "widget",
        copy["id"],
        project_id=target["projectId"],
        metadata={
            "dashboardId": dashboard_id,
            "fromDashboardId": request.fromDashboardId,
            "tileId": tile["id"],
        },
    )
    return _response(caller, dashboard_id, copy)


def move_tile(caller: Caller, dashboard_id: str, request: MoveTileRequest) -> TileOperationResponse:
    """The tile leaves the dashboard in the path and lands on `toDashboard` as a new bottom row
    (`toDashboard` the dashboard it is on: nothing changes)."""
    caller.require("editor", "dashboard:write")
    tile_id, to_id = request.tile.id, request.toDashboard
    for _ in range(RETRIES):
        source, source_widgets = _visible(caller, dashboard_id)
        require_edit(caller, source)
        tile = next((w for w in source_widgets if w["id"] == tile_id), None)
        if tile is None:
            raise tile_not_found()
        if to_id == dashboard_id:  # already there: nothing moves
            return TileOperationResponse(data=detail(source, source_widgets), tile=public_widget(tile))
        target, target_widgets = _visible(caller, to_id)
        require_edit(caller, target)
        if int(target.get("widgetCount", 0)) >= MAX_TILES:
            raise _full()
        moved_at = max(now_ms(), int(tile["updatedAt"]))
        moved = {
            **tile,
            "dashboardId": to_id,
            "projectId": target["projectId"],
            "position": {**tile["position"], "x": 0, "y": next_row(target_widgets)},
            "updatedAt": moved_at,
        }
        order = [w["id"] for w in order_tiles(source, source_widgets) if w["id"] != tile_id]
        reasons = stored_tiles.move_tile(
            caller.workspace_id,
            moved,
            dashboard_id,
            order,
            source.get("tilesVersion"),
            MAX_TILES,
        )
        if reasons is None:
            audit.record(
                caller,
                "tile.move",
                "widget",
                tile_id,
                project_id=source["projectId"],
                metadata={"dashboardId": dashboard_id, "toDashboard": to_id},
            )
            return _response(caller, dashboard_id, moved)
        # Something changed between the reads and the transaction (a tile added or removed, a
        # dashboard deleted or filled up): read again; what is now true decides.
    raise Conflict("The dashboards kept changing while the tile was being moved; retry")


def reorder_tiles(caller: Caller, dashboard_id: str, request: ReorderTilesRequest) -> TileOperationResponse:
    """`tile_order` must hold every tile of the dashboard exactly once."""
    caller.require("editor", "dashboard:write")
    dashboard, widgets = _visible(caller, dashboard_id)
    require_edit(caller, dashboard)
    current = {w["id"] for w in widgets}
    sent = request.tile_order
    duplicated = sorted({i for i in sent if sent.count(i) > 1})
    unknown = [i for i in dict.fromkeys(sent) if i not in current]
    missing = [w["id"] for w in order_tiles(dashboard, widgets) if w["id"] not in set(sent)]
    if duplicated or unknown or missing:
        parts = []
        if missing:
            parts.append(f"{len(missing)} tile(s) missing")
        if unknown:
            parts.append(f"{len(unknown)} id(s) not on this dashboard")
        if duplicated:
            parts.append(f"{len(duplicated)} id(s) repeated")
        details: dict[str, Any] = {"tile_order": "must list every tile of the dashboard exactly once"}
        details.update(
            {k: v for k, v in (("missing", missing), ("unknown", unknown), ("duplicated", duplicated)) if v}
        )
        raise BadRequest(
            "Invalid parameter: tile_order is not a permutation of the dashboard's tiles: "
            + ", ".join(parts),
            details=details,
        )
    updated_at = max(now_ms(), int(dashboard["updatedAt"]))
    if not stored_tiles.reorder_tiles(
        caller.workspace_id, dashboard_id, sent, dashboard.get("tilesVersion"), updated_at
    ):
        raise Conflict("The dashboard's tiles changed meanwhile; read them again and retry")
    audit.record(
        caller,
        "tile.reorder",
        "dashboard",
        dashboard_id,
        project_id=dashboard["projectId"],
        metadata={"tiles": len(sent)},
    )
    record = {**dashboard, "tileOrder": sent, "updatedAt": updated_at}
    return TileOperationResponse(data=detail(record, widgets), tile=None)


def remove(caller: Caller, dashboard_id: str, widget_id: str) -> bool:
    """Delete a tile and drop it from the order (DELETE …/widgets/{id}); False when the tile is
    gone. Retries while other tile changes interleave."""
    for _ in range(RETRIES):
        dashboard, widgets = _visible(caller, dashboard_id)
        if not any(w["id"] == widget_id for w in widgets):
            return False
        order = [w["id"] for w in order_tiles(dashboard, widgets) if w["id"] != widget_id]
        reasons = stored_tiles.remove_tile(
            caller.workspace_id, dashboard_id, widget_id, order, dashboard.get("tilesVersion"), now_ms()
        )
        if reasons is None:
            return True
        if reasons[0] == "ConditionalCheckFailed":
            return False
    raise Conflict("The dashboard's tiles kept changing; retry")
