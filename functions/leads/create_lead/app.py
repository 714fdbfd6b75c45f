from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import leads
from tallyboard.models.leads import CreateLeadRequest, LeadResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/leads",
    status_code=201,
    summary="Create a lead",
    description=(
        "`name` and `status` required; status and tags from the documented lists in any case, "
        "stored in the documented spelling."
    ),
    tags=["leads"],
)
def create_lead(request: CreateLeadRequest) -> LeadResponse:
    return leads.create(current_caller(app), request)


lambda_handler = api_handler(app)
