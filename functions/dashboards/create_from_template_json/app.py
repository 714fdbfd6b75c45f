from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import templates as dashboard_templates
from tallyboard.models.common import FormatQuery
from tallyboard.models.dashboards.templates import CreateFromTemplateRequest, DashboardCreatedResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/dashboards/create_from_template_json",
    status_code=200,  # as the document shows
    summary="Create a dashboard with its tiles from a template document, or a template by name",
    description=(
        "`template` (a template document) or `use_template` (a template's template_name, any case: "
        "Executive Summary, Revenue Dashboard). The dashboard and every tile are written in one "
        "transaction (all or nothing). 200, as the document shows."
    ),
    tags=["dashboards"],
)
def create_from_template_json(
    request: CreateFromTemplateRequest, query: Annotated[FormatQuery, Query()]
) -> DashboardCreatedResponse:
    return dashboard_templates.create_from_template(current_caller(app), request)


lambda_handler = with_text_format(api_handler(app))
