from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import tasks
from tallyboard.models.common import ResourceId
from tallyboard.models.tasks import TaskList, TaskListQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/projects/<projectId>/tasks",
    summary="A project's tasks, oldest first; filters status, assigned_to, task_list",
    tags=["tasks"],
)
def list_tasks(
    projectId: Annotated[ResourceId, Path()], query: Annotated[TaskListQuery, Query()]
) -> TaskList:
    return tasks.list_tasks(current_caller(app), projectId, query)


lambda_handler = api_handler(app)
