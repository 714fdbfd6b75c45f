from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import tiles
from tallyboard.models.common import FormatQuery, ResourceId
from tallyboard.models.dashboards.tiles import ReorderTilesRequest, TileOperationResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/dashboards/<dashboardId>/reorder_tiles",
    summary="Put the dashboard's tiles in a new order",
    description=(
        "`tile_order` must hold every tile of the dashboard exactly once; otherwise a 400 names the tiles "
        "missing, the ids not on the dashboard and the ids repeated. The order is the one GET, run_insights "
        "and stream_tiles use; positions are left as they are."
    ),
    tags=["dashboards"],
)
def reorder_tiles(
    dashboardId: Annotated[ResourceId, Path()],
    request: ReorderTilesRequest,
    query: Annotated[FormatQuery, Query()],
) -> TileOperationResponse:
    return tiles.reorder_tiles(current_caller(app), dashboardId, request)


lambda_handler = with_text_format(api_handler(app))
