from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import clients
from tallyboard.models.clients import ClientTeam, SetClientTeamRequest
from tallyboard.models.common import ResourceId

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.put(
    "/clients/<id>/team",
    summary="Set who is assigned to a client",
    description=(
        "`user_ids`: workspace members (GET /team); replaces the list. An unknown id is a 404 naming it."
    ),
    tags=["clients"],
)
def put_client_team(id: Annotated[ResourceId, Path()], request: SetClientTeamRequest) -> ClientTeam:
    return clients.set_team(current_caller(app), id, request)


lambda_handler = api_handler(app)
