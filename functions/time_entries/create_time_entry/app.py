from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import time_entries
from tallyboard.models.common import ResourceId
from tallyboard.models.time_entries import CreateTimeEntryRequest, TimeEntryResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/projects/<projectId>/time",
    status_code=201,
    summary="Log time on a project (more than 0 and at most 24 hours an entry)",
    tags=["time"],
)
def create_time_entry(
    projectId: Annotated[ResourceId, Path()], request: CreateTimeEntryRequest
) -> TimeEntryResponse:
    return time_entries.create(current_caller(app), projectId, request)


lambda_handler = api_handler(app)
