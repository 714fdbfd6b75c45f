from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import team
from tallyboard.models.common import ResourceId
from tallyboard.models.team import MemberResponse, UpdateMemberRequest

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.patch(
    "/team/<userId>",
    summary="Change some fields of a member (owners, workspace-wide key)",
    tags=["team"],
)
def update_team_member(userId: Annotated[ResourceId, Path()], request: UpdateMemberRequest) -> MemberResponse:
    return team.update(current_caller(app), userId, request)


lambda_handler = api_handler(app)
