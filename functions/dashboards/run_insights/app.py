from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.insights import run_insights as insights
from tallyboard.logic.insights.tiles import CACHE_TTL_SECONDS
from tallyboard.models.common import ResourceId
from tallyboard.models.dashboards.insights import RunInsightsQuery, RunInsightsResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/dashboards/<dashboardId>/run_insights",
    summary="Every tile's current result, computed from the metric rollups",
    description=(
        "An insight tile reads `config.metricId` over `config.timeRange` (`<n>h|d|w|y`, default 30d, ending "
        "now) in `config.interval` buckets with `config.aggregation` (default: the metric's natural one). "
        f"`refresh=blocking` serves a result computed in the last {CACHE_TTL_SECONDS} seconds, else "
        "computes and caches it; `force_blocking` always computes; `force_cache` never does (a tile without "
        "a fresh result answers status `cache_miss`). Scope `query:read`."
    ),
    tags=["dashboards"],
)
def run_insights(
    dashboardId: Annotated[ResourceId, Path()], query: Annotated[RunInsightsQuery, Query()]
) -> RunInsightsResponse:
    return insights.run_insights(current_caller(app), dashboardId, query)


lambda_handler = with_text_format(api_handler(app))
