from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import holidays
from tallyboard.models.holidays import HolidayList, HolidayQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/holidays",
    summary="Holiday requests of the key's user (scope=me) or the team, with a year's annual leave stats",
    description="Workspace-wide keys only. Every request, whatever its year, unless `year` narrows the "
    "list to the requests starting in it; `stats` are for `year` (default: the current one). "
    "`status` filters pending, approved, declined or cancelled.",
    tags=["holidays"],
)
def list_holidays(query: Annotated[HolidayQuery, Query()]) -> HolidayList:
    return holidays.list_holidays(current_caller(app), query)


lambda_handler = api_handler(app)
