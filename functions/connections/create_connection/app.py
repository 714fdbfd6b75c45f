from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import connections
from tallyboard.models.connections import ConnectionResponse, CreateConnectionRequest

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/connections",
    status_code=201,
    summary="Connect a service; credentials are stored encrypted and never returned",
    tags=["connections"],
)
def create_connection(request: CreateConnectionRequest) -> ConnectionResponse:
    return connections.create(current_caller(app), request)


lambda_handler = api_handler(app)
