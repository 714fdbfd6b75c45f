from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import holidays
from tallyboard.models.common import ResourceId
from tallyboard.models.holidays import HolidayResponse, UpdateHolidayRequest

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.patch(
    "/holidays/<holidayId>",
    summary="Approve or decline a pending request (owners), or cancel your own pending request",
    tags=["holidays"],
)
def update_holiday(
    holidayId: Annotated[ResourceId, Path()], request: UpdateHolidayRequest
) -> HolidayResponse:
    return holidays.update(current_caller(app), holidayId, request)


lambda_handler = api_handler(app)
