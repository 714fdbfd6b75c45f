from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import projects
from tallyboard.models.common import ResourceId
from tallyboard.models.projects import ProjectResponse, UpdateProjectRequest

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.patch(
    "/projects/<projectId>",
    summary="Update some fields of a project",
    description=(
        'Partial: only the fields sent change; unknown fields are a 400. `{"status": "active"}` un-'
        "archives. A new slug must be free in the workspace (409 otherwise)."
    ),
    tags=["projects"],
)
def update_project(
    projectId: Annotated[ResourceId, Path()], request: UpdateProjectRequest
) -> ProjectResponse:
    return projects.update(current_caller(app), projectId, request)


lambda_handler = api_handler(app)
