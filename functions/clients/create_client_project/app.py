from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import clients
from tallyboard.models.common import ResourceId
from tallyboard.models.projects import CreateProjectRequest, ProjectResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/clients/<id>/projects",
    status_code=201,
    summary="Create a project for a client",
    description=(
        "The body of seed 001; `start_date`/`end_date` YYYY-MM-DD (end not before start). The slug "
        "is unique in the workspace. The project is an analytics project too (metrics, dashboards, "
        "exports)."
    ),
    tags=["clients"],
)
def create_client_project(
    id: Annotated[ResourceId, Path()], request: CreateProjectRequest
) -> ProjectResponse:
    return clients.create_project(current_caller(app), id, request)


lambda_handler = api_handler(app)
