from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import exports
from tallyboard.models.common import ResourceId
from tallyboard.models.exports import ExportJob

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.delete(
    "/exports/<exportJobId>",
    summary="Cancel a queued or processing export",
    description="The workflow stops, the partial file is dropped and the project may export again.",
    tags=["exports"],
    responses={
        200: {"description": "Cancelled", "content": {"application/json": {"model": ExportJob}}},
        409: {"description": "The export already ended"},
    },
)
def cancel_export(exportJobId: Annotated[ResourceId, Path()]) -> ExportJob:
    return exports.cancel(current_caller(app), exportJobId)


lambda_handler = api_handler(app)
