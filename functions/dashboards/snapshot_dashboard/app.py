from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.insights import snapshot_dashboard as snapshots
from tallyboard.models.common import FormatQuery, ResourceId
from tallyboard.models.dashboards.insights import SnapshotResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/dashboards/<dashboardId>/snapshot",
    summary="Store the tiles' current results; returns the cache_key for analyze_refresh_result",
    description=(
        "The results come from the insight cache where fresh (as run_insights with refresh=blocking) and "
        "are kept 24 hours. Editors, scope `query:read`."
    ),
    tags=["dashboards"],
)
def snapshot_dashboard(
    dashboardId: Annotated[ResourceId, Path()], query: Annotated[FormatQuery, Query()]
) -> SnapshotResponse:
    return snapshots.snapshot(current_caller(app), dashboardId)


lambda_handler = with_text_format(api_handler(app))
