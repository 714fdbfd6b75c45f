from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import tasks
from tallyboard.models.common import ResourceId

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.delete(
    "/tasks/<taskId>",
    summary="Delete a task permanently",
    tags=["tasks"],
    responses={204: {"description": "Deleted"}},
)
def delete_task(taskId: Annotated[ResourceId, Path()]) -> Response[None]:
    tasks.delete(current_caller(app), taskId)
    return Response(status_code=204)


lambda_handler = api_handler(app)
