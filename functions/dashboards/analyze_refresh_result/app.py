from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.insights import analyze_refresh_result as refresh
from tallyboard.models.common import ErrorBody, FormatQuery, ResourceId
from tallyboard.models.dashboards.insights import AnalyzeRequest, AnalyzeResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/dashboards/<dashboardId>/analyze_refresh_result",
    summary="Compare a snapshot (before) with the tiles' results now",
    description=(
        "Per insight tile: before, after, absolute and relative change, direction; the biggest movers and "
        "a short plain-language summary, computed deterministically (no external model). The results now "
        "are computed afresh. An unknown cache_key answers 404, one older than 24 hours 410."
    ),
    tags=["dashboards"],
    responses={
        200: {"description": "The comparison", "content": {"application/json": {"model": AnalyzeResponse}}},
        404: {
            "description": "Dashboard or snapshot not found",
            "content": {"application/json": {"model": ErrorBody}},
        },
        410: {
            "description": "The snapshot expired (kept 24 hours)",
            "content": {"application/json": {"model": ErrorBody}},
        },
    },
)
def analyze_refresh_result(
    dashboardId: Annotated[ResourceId, Path()],
    request: AnalyzeRequest,
    query: Annotated[FormatQuery, Query()],
) -> AnalyzeResponse:
    return refresh.analyze(current_caller(app), dashboardId, request.cache_key)


lambda_handler = with_text_format(api_handler(app))
