from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import updates as dashboard_updates
from tallyboard.models.common import FormatQuery, ResourceId
from tallyboard.models.dashboards.dashboards import DashboardDetailResponse
from tallyboard.models.dashboards.updates import UpdateDashboardRequest
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.patch(
    "/dashboards/<dashboardId>",
    summary="Update a dashboard; `deleted: true` is the soft delete",
    description=(
        "Only the fields sent change. `deleted: true` removes the dashboard from lists and GET (it stays "
        "stored; PATCH `deleted: false` restores it; DELETE is not allowed). `data_color_theme_id` must be a "
        "theme of the dashboard's project (else 400); null clears it. At `restriction_level` 37 only the "
        "dashboard's creator and owners may edit it, and only they may change the level. "
        "`use_template`, `use_dashboard` and `_create_in_folder` apply only when a dashboard is created."
    ),
    tags=["dashboards"],
)
def update_dashboard(
    dashboardId: Annotated[ResourceId, Path()],
    request: UpdateDashboardRequest,
    query: Annotated[FormatQuery, Query()],
) -> DashboardDetailResponse:
    return dashboard_updates.update(current_caller(app), dashboardId, request)


lambda_handler = with_text_format(api_handler(app))
