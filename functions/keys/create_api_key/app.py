from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import keys
from tallyboard.models.keys import CreateApiKeyRequest, CreatedApiKeyResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/api-keys",
    status_code=201,
    summary="Create an API key (owner only); the key is shown once",
    tags=["keys"],
)
def create_api_key(request: CreateApiKeyRequest) -> CreatedApiKeyResponse:
    return keys.create(current_caller(app), request)


lambda_handler = api_handler(app)
