from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import tiles
from tallyboard.models.common import FormatQuery, ResourceId
from tallyboard.models.dashboards.tiles import MoveTileRequest, TileOperationResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.patch(
    "/dashboards/<dashboardId>/move_tile",
    summary="Move a tile of this dashboard onto another one, as a new bottom row",
    description=(
        "One transaction: the tile is never on both dashboards or neither. Answers this (the source) "
        "dashboard; `tile` is the tile on its new dashboard."
    ),
    tags=["dashboards"],
)
def move_tile(
    dashboardId: Annotated[ResourceId, Path()],
    request: MoveTileRequest,
    query: Annotated[FormatQuery, Query()],
) -> TileOperationResponse:
    return tiles.move_tile(current_caller(app), dashboardId, request)


lambda_handler = with_text_format(api_handler(app))
