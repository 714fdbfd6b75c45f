from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import connections
from tallyboard.models.common import ProjectPageQuery
from tallyboard.models.connections import ConnectionList

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/connections",
    summary="List a project's connections, oldest first (never their credentials)",
    tags=["connections"],
)
def list_connections(query: Annotated[ProjectPageQuery, Query()]) -> ConnectionList:
    return connections.list_connections(current_caller(app), query)


lambda_handler = api_handler(app)
