from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import tasks
from tallyboard.models.common import ResourceId
from tallyboard.models.tasks import TaskResponse, UpdateTaskRequest

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.patch(
    "/tasks/<taskId>",
    summary="Change some fields of a task; completed_at follows the status done",
    tags=["tasks"],
)
def update_task(taskId: Annotated[ResourceId, Path()], request: UpdateTaskRequest) -> TaskResponse:
    return tasks.update(current_caller(app), taskId, request)


lambda_handler = api_handler(app)
