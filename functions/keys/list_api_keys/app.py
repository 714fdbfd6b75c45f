from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import keys
from tallyboard.models.keys import ApiKeyList

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get("/api-keys", summary="List the workspace's API keys, masked (owner only)", tags=["keys"])
def list_api_keys() -> ApiKeyList:
    return keys.list_keys(current_caller(app))


lambda_handler = api_handler(app)
