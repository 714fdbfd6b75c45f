from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import leads
from tallyboard.models.common import ResourceId
from tallyboard.models.leads import LeadResponse, UpdateLeadRequest

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.patch(
    "/leads/<leadId>",
    summary="Update some fields of a lead",
    description="Partial: only the fields sent change; `null` clears a field (not name or status).",
    tags=["leads"],
)
def update_lead(leadId: Annotated[ResourceId, Path()], request: UpdateLeadRequest) -> LeadResponse:
    return leads.update(current_caller(app), leadId, request)


lambda_handler = api_handler(app)
