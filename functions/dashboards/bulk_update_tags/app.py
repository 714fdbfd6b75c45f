from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import updates as dashboard_updates
from tallyboard.models.common import FormatQuery
from tallyboard.models.dashboards.updates import BulkUpdateTagsRequest, BulkUpdateTagsResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/dashboards/bulk_update_tags",
    summary="Add, remove or set tags on up to 100 dashboards at once, all or nothing",
    description=(
        "`add` adds the tags to each dashboard's, `remove` removes them, `set` replaces them. Every id must "
        "be a dashboard the key can see and edit: otherwise nothing changes and a 404 lists the unknown "
        "ids (403 the restricted ones). One transaction."
    ),
    tags=["dashboards"],
)
def bulk_update_tags(
    request: BulkUpdateTagsRequest, query: Annotated[FormatQuery, Query()]
) -> BulkUpdateTagsResponse:
    return dashboard_updates.bulk_update_tags(current_caller(app), request)


lambda_handler = with_text_format(api_handler(app))
