from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import widgets
from tallyboard.models.common import ResourceId
from tallyboard.models.dashboards.widgets import CreateWidgetRequest, WidgetResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/dashboards/<dashboardId>/widgets",
    status_code=201,
    summary="Add a widget to a dashboard",
    tags=["dashboards"],
)
def create_widget(dashboardId: Annotated[ResourceId, Path()], request: CreateWidgetRequest) -> WidgetResponse:
    return widgets.create(current_caller(app), dashboardId, request)


lambda_handler = api_handler(app)
