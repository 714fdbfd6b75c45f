from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.insights import generate_metadata as metadata
from tallyboard.models.common import FormatQuery, ResourceId
from tallyboard.models.dashboards.insights import GeneratedMetadata
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/dashboards/<dashboardId>/generate_metadata",
    summary="A suggested name and description from the dashboard's tiles",
    description=(
        "Derived deterministically from the tiles' metrics, services and units (no external model). "
        "Nothing is saved: PATCH /dashboards/{dashboardId} with the name and description to keep them."
    ),
    tags=["dashboards"],
)
def generate_metadata(
    dashboardId: Annotated[ResourceId, Path()], query: Annotated[FormatQuery, Query()]
) -> GeneratedMetadata:
    return metadata.generate_metadata(current_caller(app), dashboardId)


lambda_handler = with_text_format(api_handler(app))
