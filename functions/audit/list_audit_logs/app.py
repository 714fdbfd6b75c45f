from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import audit
from tallyboard.models.audit import AuditLogList, AuditLogQuery

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/audit-logs",
    summary="A project's audit log, newest first (owners and editors; plans with audit logs)",
    description=(
        "Every write on the project and every export download URL issued. Filters: `action`, "
        "`startDate`/`endDate` (ISO 8601); `limit` 1-500 (default 100), `offset` 0-10000."
    ),
    tags=["audit"],
)
def list_audit_logs(query: Annotated[AuditLogQuery, Query()]) -> AuditLogList:
    return audit.list_logs(current_caller(app), query)


lambda_handler = api_handler(app)
