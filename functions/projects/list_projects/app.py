from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import projects
from tallyboard.models.projects import ProjectList, ProjectListQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/projects",
    summary="List the projects the key can see that are not archived, by id",
    description=(
        "`id` fetches one project (archived too; 404 if the key cannot see it). `limit` 1-100, "
        "`offset` or `cursor`."
    ),
    tags=["projects"],
)
def list_projects(query: Annotated[ProjectListQuery, Query()]) -> ProjectList:
    return projects.list_projects(current_caller(app), query)


lambda_handler = api_handler(app)
