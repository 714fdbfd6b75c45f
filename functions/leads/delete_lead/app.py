from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import leads
from tallyboard.models.common import ResourceId

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.delete(
    "/leads/<leadId>",
    summary="Delete a lead permanently",
    tags=["leads"],
    responses={204: {"description": "Deleted"}},
)
def delete_lead(leadId: Annotated[ResourceId, Path()]) -> Response[None]:
    leads.delete(current_caller(app), leadId)
    return Response(status_code=204)


lambda_handler = api_handler(app)
