from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import team
from tallyboard.models.team import CreateMemberRequest, MemberResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/team",
    status_code=201,
    summary="Add a member to the team (owners, workspace-wide key)",
    tags=["team"],
)
def create_team_member(request: CreateMemberRequest) -> MemberResponse:
    return team.create(current_caller(app), request)


lambda_handler = api_handler(app)
