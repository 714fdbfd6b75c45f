from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.dashboards import dashboards
from tallyboard.models.dashboards.dashboards import CreateDashboardRequest, DashboardResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post("/dashboards", status_code=201, summary="Create a dashboard", tags=["dashboards"])
def create_dashboard(request: CreateDashboardRequest) -> DashboardResponse:
    return dashboards.create(current_caller(app), request)


lambda_handler = api_handler(app)
