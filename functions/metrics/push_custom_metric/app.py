from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import metrics
from tallyboard.models.metrics import CustomMetricRequest, CustomMetricResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/metrics/custom",
    status_code=201,
    summary="Push one custom metric point",
    description=(
        "Stores one immutable point (editor or owner, scope metrics:write). `timestamp` (epoch ms) "
        "defaults to now. With an `Idempotency-Key` header (1-255 printable characters) a retry "
        "with the same key and body returns the first response and stores nothing; the same key "
        "with another body, or while the first is in progress, is a 409."
    ),
    tags=["metrics"],
    responses={
        201: {"description": "Stored", "content": {"application/json": {"model": CustomMetricResponse}}},
        409: {"description": "Idempotency-Key reused with another body, or still in progress"},
    },
)
def push_custom_metric(request: CustomMetricRequest) -> CustomMetricResponse:
    key = app.current_event.headers.get("Idempotency-Key")
    return metrics.push(current_caller(app), request, key, app.lambda_context)


lambda_handler = api_handler(app)
