from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import exports
from tallyboard.models.exports import ExportList, ExportListQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/exports",
    summary="The project's exports of the last 30 days, newest first",
    description="`limit` 1-100 (default 20), `offset` from 0. Download URLs are on GET /exports/{id}.",
    tags=["exports"],
)
def list_exports(query: Annotated[ExportListQuery, Query()]) -> ExportList:
    return exports.list_jobs(current_caller(app), query)


lambda_handler = api_handler(app)
