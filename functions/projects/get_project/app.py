from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import projects
from tallyboard.models.common import ResourceId
from tallyboard.models.projects import ProjectResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/projects/<projectId>",
    summary="A project (archived ones too)",
    tags=["projects"],
)
def get_project(projectId: Annotated[ResourceId, Path()]) -> ProjectResponse:
    return projects.get(current_caller(app), projectId)


lambda_handler = api_handler(app)
