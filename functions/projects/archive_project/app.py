from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import projects
from tallyboard.models.common import ResourceId
from tallyboard.models.projects import ProjectResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.delete(
    "/projects/<projectId>",
    summary="Archive a project (soft delete)",
    description=(
        "The project leaves GET /projects but stays readable by id; its metrics, dashboards and "
        'exports stay. PATCH `{"status": "active"}` restores it.'
    ),
    tags=["projects"],
    # The contract's soft delete (API.md: DELETE archives; still readable by id): a client, or
    # schemathesis' use-after-free check, must not expect a 404 after it.
    openapi_extensions={"x-soft-delete": True},
)
def archive_project(projectId: Annotated[ResourceId, Path()]) -> ProjectResponse:
    return projects.archive(current_caller(app), projectId)


lambda_handler = api_handler(app)
