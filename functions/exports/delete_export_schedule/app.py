from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import export_schedules
from tallyboard.models.exports import ProjectQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.delete(
    "/exports/schedule",
    summary="Remove the project's scheduled export",
    tags=["exports"],
    responses={204: {"description": "Removed"}},
)
def delete_export_schedule(query: Annotated[ProjectQuery, Query()]) -> Response[None]:
    export_schedules.delete(current_caller(app), query.projectId)
    return Response(status_code=204)


lambda_handler = api_handler(app)
