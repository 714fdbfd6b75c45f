from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import widgets
from tallyboard.models.common import ResourceId

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.delete(
    "/dashboards/<dashboardId>/widgets/<widgetId>",
    summary="Remove a widget from a dashboard",
    tags=["dashboards"],
    responses={204: {"description": "Removed"}},
)
def delete_widget(
    dashboardId: Annotated[ResourceId, Path()], widgetId: Annotated[ResourceId, Path()]
) -> Response[None]:
    widgets.delete(current_caller(app), dashboardId, widgetId)
    return Response(status_code=204)


lambda_handler = api_handler(app)
