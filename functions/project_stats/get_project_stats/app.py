from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import project_stats
from tallyboard.models.common import ResourceId
from tallyboard.models.project_stats import ProjectStatsResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/projects/<projectId>/stats",
    summary="A project's task counts by status, time logged (total and billable) and team",
    tags=["projects"],
)
def get_project_stats(projectId: Annotated[ResourceId, Path()]) -> ProjectStatsResponse:
    return project_stats.get_stats(current_caller(app), projectId)


lambda_handler = api_handler(app)
