"""The tile operations: copy_tile, move_tile, reorder_tiles (the document's field names)."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    BaseModel,
    Field,
)

from tallyboard.models.common import (
    RequestModel,
    ResourceId,
)
from tallyboard.models.dashboards.dashboards import (
    DashboardWithWidgets,
)
from tallyboard.models.dashboards.widgets import Widget

MAX_TILES = 100  # logic/dashboards/widgets.MAX_WIDGETS_PER_DASHBOARD


class CopyTileRequest(RequestModel):
    fromDashboardId: ResourceId = Field(description="The dashboard holding the tile (read access suffices)")
    tileId: ResourceId = Field(description="The tile (widget) to copy; the source is left untouched")


class TileRef(RequestModel):
    id: ResourceId


class MoveTileRequest(RequestModel):
    tile: TileRef = Field(description="The tile to move, off the dashboard in the path")
    toDashboard: ResourceId = Field(description="The dashboard the tile lands on, as a new bottom row")


class ReorderTilesRequest(RequestModel):
    tile_order: Annotated[list[ResourceId], Field(max_length=MAX_TILES)] = Field(
        description="Every tile id of the dashboard, each once, in the new order"
    )


class TileOperationResponse(BaseModel):
    data: DashboardWithWidgets = Field(description="The dashboard in the path, tiles in their order")
    tile: Widget | None = Field(None, description="The tile copied or moved (as it now is)")
