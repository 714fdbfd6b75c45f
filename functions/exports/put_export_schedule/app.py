from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Body, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import export_schedules
from tallyboard.models.exports import ExportSchedule, ExportScheduleRequest, ProjectQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.put(
    "/exports/schedule",
    summary="Set the project's weekly or monthly scheduled export (replaces the existing one)",
    description="Runs at `hour` (UTC) on `dayOfWeek` (weekly) or `dayOfMonth` 1-28 (monthly).",
    tags=["exports"],
)
def put_export_schedule(
    query: Annotated[ProjectQuery, Query()], request: Annotated[ExportScheduleRequest, Body()]
) -> ExportSchedule:
    return export_schedules.put(current_caller(app), query.projectId, request)


lambda_handler = api_handler(app)
