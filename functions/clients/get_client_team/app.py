from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import clients
from tallyboard.models.clients import ClientTeam
from tallyboard.models.common import ResourceId

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/clients/<id>/team",
    summary="Team members assigned to a client",
    description="In the order they were assigned.",
    tags=["clients"],
)
def get_client_team(id: Annotated[ResourceId, Path()]) -> ClientTeam:
    return clients.team(current_caller(app), id)


lambda_handler = api_handler(app)
