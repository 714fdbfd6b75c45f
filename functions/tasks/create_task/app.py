from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import tasks
from tallyboard.models.common import ResourceId
from tallyboard.models.tasks import CreateTaskRequest, TaskResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/projects/<projectId>/tasks",
    status_code=201,
    summary="Create a task in a project",
    description=(
        "`name` is required; `status` defaults to todo; `priority` is low, medium or high in any case "
        "(stored Low, Medium, High) or null; `assigned_to` takes user ids or display names and stores "
        "display names."
    ),
    tags=["tasks"],
)
def create_task(projectId: Annotated[ResourceId, Path()], request: CreateTaskRequest) -> TaskResponse:
    return tasks.create(current_caller(app), projectId, request)


lambda_handler = api_handler(app)
