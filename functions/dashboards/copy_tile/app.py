from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import tiles
from tallyboard.models.common import FormatQuery, ResourceId
from tallyboard.models.dashboards.tiles import CopyTileRequest, TileOperationResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/dashboards/<dashboardId>/copy_tile",
    summary="Copy a tile of another dashboard onto this one, as a new bottom row",
    description="The source dashboard is only read and left untouched; `tile` is the new copy.",
    tags=["dashboards"],
)
def copy_tile(
    dashboardId: Annotated[ResourceId, Path()],
    request: CopyTileRequest,
    query: Annotated[FormatQuery, Query()],
) -> TileOperationResponse:
    return tiles.copy_tile(current_caller(app), dashboardId, request)


lambda_handler = with_text_format(api_handler(app))
