from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import export_schedules
from tallyboard.models.exports import ExportSchedule, ProjectQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get("/exports/schedule", summary="The project's scheduled export", tags=["exports"])
def get_export_schedule(query: Annotated[ProjectQuery, Query()]) -> ExportSchedule:
    return export_schedules.get(current_caller(app), query.projectId)


lambda_handler = api_handler(app)
