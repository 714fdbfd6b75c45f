from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import dashboards
from tallyboard.models.common import ResourceId
from tallyboard.models.dashboards.dashboards import DashboardDetailResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/dashboards/<dashboardId>",
    summary="A dashboard with its widgets (in creation order)",
    tags=["dashboards"],
)
def get_dashboard(dashboardId: Annotated[ResourceId, Path()]) -> DashboardDetailResponse:
    return dashboards.get(current_caller(app), dashboardId)


lambda_handler = api_handler(app)
