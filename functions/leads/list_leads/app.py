from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import leads
from tallyboard.models.leads import LeadList, LeadListQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/leads",
    summary="List the workspace's leads, newest first",
    description=(
        "Filters `status` and `rep`, in any case. `limit` 1-100, `offset` or `cursor`. Workspace-"
        "wide keys only."
    ),
    tags=["leads"],
)
def list_leads(query: Annotated[LeadListQuery, Query()]) -> LeadList:
    return leads.list_leads(current_caller(app), query)


lambda_handler = api_handler(app)
