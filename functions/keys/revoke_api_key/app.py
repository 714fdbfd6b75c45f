from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import keys
from tallyboard.models.common import ResourceId

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.delete(
    "/api-keys/<keyId>",
    summary="Revoke an API key (owner only); it fails with 401 from then on",
    tags=["keys"],
    responses={204: {"description": "Revoked"}},
)
def revoke_api_key(keyId: Annotated[ResourceId, Path()]) -> Response[None]:
    keys.revoke(current_caller(app), keyId)
    return Response(status_code=204)


lambda_handler = api_handler(app)
