from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import time_entries
from tallyboard.models.common import ResourceId
from tallyboard.models.time_entries import TimeEntryList, TimeEntryQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/projects/<projectId>/time",
    summary="A project's time entries, newest day first; filters from, to (YYYY-MM-DD), user_id",
    tags=["time"],
)
def list_time_entries(
    projectId: Annotated[ResourceId, Path()], query: Annotated[TimeEntryQuery, Query()]
) -> TimeEntryList:
    return time_entries.list_entries(current_caller(app), projectId, query)


lambda_handler = api_handler(app)
