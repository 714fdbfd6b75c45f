from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import exports
from tallyboard.models.common import ResourceId
from tallyboard.models.exports import ExportJob

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/exports/<exportJobId>",
    summary="An export's status, progress and, once completed, its download URL",
    description=(
        "`downloadUrl` is signed when you ask and works until `expiresAt` (24 hours after "
        "completion); after that the file is gone (`fileExpired`)."
    ),
    tags=["exports"],
)
def get_export(exportJobId: Annotated[ResourceId, Path()]) -> ExportJob:
    return exports.get(current_caller(app), exportJobId)


lambda_handler = api_handler(app)
