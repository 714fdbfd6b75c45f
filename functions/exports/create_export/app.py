from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import exports
from tallyboard.models.exports import CreateExportRequest, ExportCreated

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/exports",
    status_code=202,
    summary="Start an export of a project's data (owners and editors; Scale plans and up)",
    description=(
        "JSON or CSV; `dateRange` is a preset or `{startDate, endDate}` in epoch ms or ISO 8601; "
        "no include flag (or `includeAll`) exports every data type. One export at a time per "
        "project: a second while one is queued or processing is a 409. Poll GET /exports/{id}."
    ),
    tags=["exports"],
    responses={
        202: {"description": "Queued", "content": {"application/json": {"model": ExportCreated}}},
        409: {"description": "Another export is in progress"},
    },
)
def create_export(request: CreateExportRequest) -> ExportCreated:
    return exports.create(current_caller(app), request)


lambda_handler = api_handler(app)
