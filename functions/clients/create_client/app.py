from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import clients
from tallyboard.models.clients import ClientResponse, CreateClientRequest

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/clients",
    status_code=201,
    summary="Create a client",
    description="Workspace-wide keys only (editors and owners).",
    tags=["clients"],
)
def create_client(request: CreateClientRequest) -> ClientResponse:
    return clients.create(current_caller(app), request)


lambda_handler = api_handler(app)
