from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import dashboards
from tallyboard.models.common import ProjectPageQuery
from tallyboard.models.dashboards.dashboards import DashboardList

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/dashboards",
    summary="List a project's dashboards, oldest first (not deleted or unlisted ones)",
    tags=["dashboards"],
)
def list_dashboards(query: Annotated[ProjectPageQuery, Query()]) -> DashboardList:
    return dashboards.list_dashboards(current_caller(app), query)


lambda_handler = api_handler(app)
