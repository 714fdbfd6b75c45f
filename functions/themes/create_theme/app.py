from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import themes
from tallyboard.models.common import FormatQuery, ResourceId
from tallyboard.models.themes import CreateThemeRequest, ThemeResponse
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/projects/<projectId>/data_color_themes",
    status_code=201,
    summary="Create a data colour theme (a name and 1-32 hex colours)",
    tags=["themes"],
)
def create_theme(
    projectId: Annotated[ResourceId, Path()],
    request: CreateThemeRequest,
    query: Annotated[FormatQuery, Query()],
) -> ThemeResponse:
    return themes.create(current_caller(app), projectId, request)


lambda_handler = with_text_format(api_handler(app))
