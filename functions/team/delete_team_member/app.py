from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import team
from tallyboard.models.common import ResourceId

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.delete(
    "/team/<userId>",
    summary="Remove a member (owners, workspace-wide key); their API keys answer 401 from then on",
    tags=["team"],
    responses={204: {"description": "Removed"}},
)
def delete_team_member(userId: Annotated[ResourceId, Path()]) -> Response[None]:
    team.remove(current_caller(app), userId)
    return Response(status_code=204)


lambda_handler = api_handler(app)
