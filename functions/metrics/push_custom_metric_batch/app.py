from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import metrics
from tallyboard.models.metrics import CustomMetricBatchRequest, CustomMetricBatchResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/metrics/custom/batch",
    status_code=201,
    summary="Push up to 1,000 custom metric points",
    description=(
        "All-or-nothing validation: one invalid point is a 400 naming its index (points.<i>.<field>) "
        "and nothing is stored. The response lists the stored ids in request order. "
        "`Idempotency-Key` works as on POST /metrics/custom."
    ),
    tags=["metrics"],
    responses={
        201: {"description": "Stored", "content": {"application/json": {"model": CustomMetricBatchResponse}}},
        409: {"description": "Idempotency-Key reused with another body, or still in progress"},
    },
)
def push_custom_metric_batch(request: CustomMetricBatchRequest) -> CustomMetricBatchResponse:
    key = app.current_event.headers.get("Idempotency-Key")
    return metrics.push_batch(current_caller(app), request, key, app.lambda_context)


lambda_handler = api_handler(app)
