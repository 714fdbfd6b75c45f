from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import keys
from tallyboard.models.common import PageQuery
from tallyboard.models.keys import ApiKeyList

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get("/api-keys", summary="List the workspace's API keys, masked (owner only)", tags=["keys"])
def list_api_keys(query: Annotated[PageQuery, Query()]) -> ApiKeyList:
    return keys.list_keys(current_caller(app), query)


lambda_handler = api_handler(app)
