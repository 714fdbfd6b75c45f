from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import holidays
from tallyboard.models.common import ErrorBody
from tallyboard.models.holidays import CreateHolidayRequest, HolidayResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/holidays",
    status_code=201,
    summary="Request days off for the key's user; `days` counts working days (Monday to Friday)",
    description="A request sharing a day with another pending or approved request of the same member "
    "is a 409 naming that request.",
    tags=["holidays"],
    responses={
        201: {"description": "Created", "content": {"application/json": {"model": HolidayResponse}}},
        409: {
            "description": "It overlaps another pending or approved request of yours (details name it)",
            "content": {"application/json": {"model": ErrorBody}},
        },
    },
)
def create_holiday(request: CreateHolidayRequest) -> HolidayResponse:
    return holidays.create(current_caller(app), request)


lambda_handler = api_handler(app)
