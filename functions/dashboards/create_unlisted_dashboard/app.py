from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import templates as dashboard_templates
from tallyboard.models.common import ErrorBody, FormatQuery
from tallyboard.models.dashboards.templates import CreateUnlistedRequest, DashboardCreatedResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/dashboards/create_unlisted_dashboard",
    status_code=200,  # as the document shows
    summary="Create the project's unlisted dashboard for a tag (one per tag)",
    description=(
        "The tag is `tag`, or the first entry of `tags` (the document's field). Tiles from `template` or "
        "`use_template`, if sent. 200, as the document shows. "
        "Unlisted dashboards never appear in GET /dashboards; they are read by id. A project has at most "
        "one per tag (compared case-insensitively): a second answers 409, whatever the concurrency (the "
        "tag's lock and the dashboard are one conditional transaction)."
    ),
    tags=["dashboards"],
    responses={
        200: {"description": "Created", "content": {"application/json": {"model": DashboardCreatedResponse}}},
        409: {
            "description": "An unlisted dashboard for this tag already exists (details name it)",
            "content": {"application/json": {"model": ErrorBody}},
        },
    },
)
def create_unlisted_dashboard(
    request: CreateUnlistedRequest, query: Annotated[FormatQuery, Query()]
) -> DashboardCreatedResponse:
    return dashboard_templates.create_unlisted(current_caller(app), request)


lambda_handler = with_text_format(api_handler(app))
