from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import metrics
from tallyboard.models.metrics import MAX_TIMESERIES_BUCKETS, TimeseriesQuery, TimeseriesResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/metrics/<metricId>/timeseries",
    summary="Time series of one metric",
    description=(
        "One entry per UTC bucket holding data (hour, day, week starting Monday, calendar month), "
        "named by the bucket start. A bucket overlapping [startDate, endDate] is included whole. "
        f"At most {MAX_TIMESERIES_BUCKETS} buckets per request (more is a 400). `aggregation` "
        "defaults to the metric's natural one: `last` for gauges such as MRR, `sum` for counters. "
        "Read from pre-aggregated rollups: the cost grows with the buckets, not the points."
    ),
    tags=["metrics"],
    responses={
        200: {"description": "The series", "content": {"application/json": {"model": TimeseriesResponse}}},
        404: {"description": "Metric not found"},
    },
)
def get_metric_timeseries(metricId: str, query: Annotated[TimeseriesQuery, Query()]) -> TimeseriesResponse:
    return metrics.timeseries(current_caller(app), metricId, query)


lambda_handler = api_handler(app)
