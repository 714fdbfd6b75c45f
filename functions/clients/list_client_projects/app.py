from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import clients
from tallyboard.models.clients import ClientProjectsQuery
from tallyboard.models.common import ResourceId
from tallyboard.models.projects import ProjectList

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/clients/<id>/projects",
    summary="List a client's projects, newest first",
    description=(
        "Filter `status` (active, archived, completed); `limit` 1-500 (default 50), `offset` or `cursor`."
    ),
    tags=["clients"],
)
def list_client_projects(
    id: Annotated[ResourceId, Path()], query: Annotated[ClientProjectsQuery, Query()]
) -> ProjectList:
    return clients.list_projects(current_caller(app), id, query)


lambda_handler = api_handler(app)
