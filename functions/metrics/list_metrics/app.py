from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import metrics
from tallyboard.models.metrics import ListMetricsQuery, MetricList

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/metrics",
    summary="List metric points, newest first",
    description=(
        "Points of a project, newest first (timestamp, then id, descending). `limit` 1-1000 "
        "(default 100; above 1000 is a 400), `offset` from 0. Dates are ISO 8601 with Z or an "
        "offset; a date without a zone is UTC. Points past the plan's retention never appear."
    ),
    tags=["metrics"],
)
def list_metrics(query: Annotated[ListMetricsQuery, Query()]) -> MetricList:
    return metrics.list_metrics(current_caller(app), query)


lambda_handler = api_handler(app)
