from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import clients
from tallyboard.models.clients import ClientList, ClientPageQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/clients",
    summary="List the workspace's clients, newest first",
    description="Workspace-wide keys only. `limit` 1-500 (default 50), `offset` 0-10000 or `cursor`.",
    tags=["clients"],
)
def list_clients(query: Annotated[ClientPageQuery, Query()]) -> ClientList:
    return clients.list_clients(current_caller(app), query)


lambda_handler = api_handler(app)
