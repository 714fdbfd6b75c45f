from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import tasks
from tallyboard.models.common import ResourceId
from tallyboard.models.tasks import TaskResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get("/tasks/<taskId>", summary="A task", tags=["tasks"])
def get_task(taskId: Annotated[ResourceId, Path()]) -> TaskResponse:
    return tasks.get(current_caller(app), taskId)


lambda_handler = api_handler(app)
