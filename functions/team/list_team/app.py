from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import team
from tallyboard.models.common import PageQuery
from tallyboard.models.team import MemberList

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/team",
    summary="Every member of the workspace, in id order (any key: this is how ids resolve to names)",
    tags=["team"],
)
def list_team(query: Annotated[PageQuery, Query()]) -> MemberList:
    return team.list_team(current_caller(app), query)


lambda_handler = api_handler(app)
