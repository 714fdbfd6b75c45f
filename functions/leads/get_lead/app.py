from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import leads
from tallyboard.models.common import ResourceId
from tallyboard.models.leads import LeadResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/leads/<leadId>",
    summary="A lead",
    tags=["leads"],
)
def get_lead(leadId: Annotated[ResourceId, Path()]) -> LeadResponse:
    return leads.get(current_caller(app), leadId)


lambda_handler = api_handler(app)
