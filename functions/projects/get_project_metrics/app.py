from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import projects
from tallyboard.models.common import ResourceId
from tallyboard.models.projects import CampaignMetrics

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/projects/<projectId>/metrics",
    summary="Campaign figures of a project",
    description=(
        "Computed from the project's leads and budget: roi = (revenue - budget) / budget x 100, "
        "cost_per_lead = budget / leads, conversion_rate = closed leads / leads x 100, "
        "revenue_generated = value of Closed leads; two decimals, null where a denominator is 0."
    ),
    tags=["projects"],
)
def get_project_metrics(projectId: Annotated[ResourceId, Path()]) -> CampaignMetrics:
    return projects.campaign_metrics(current_caller(app), projectId)


lambda_handler = api_handler(app)
