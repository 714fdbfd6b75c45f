from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import widgets
from tallyboard.models.common import ResourceId
from tallyboard.models.dashboards.widgets import UpdateWidgetRequest, WidgetResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.patch(
    "/dashboards/<dashboardId>/widgets/<widgetId>",
    summary="Update some fields of a widget",
    tags=["dashboards"],
)
def update_widget(
    dashboardId: Annotated[ResourceId, Path()],
    widgetId: Annotated[ResourceId, Path()],
    request: UpdateWidgetRequest,
) -> WidgetResponse:
    return widgets.update(current_caller(app), dashboardId, widgetId, request)


lambda_handler = api_handler(app)
