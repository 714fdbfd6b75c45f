from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import themes
from tallyboard.models.common import FormatQuery, ResourceId
from tallyboard.models.themes import ThemeResponse, UpdateThemeRequest
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.patch(
    "/projects/<projectId>/data_color_themes/<themeId>",
    summary="Update a data colour theme's name or colours",
    tags=["themes"],
)
def update_theme(
    projectId: Annotated[ResourceId, Path()],
    themeId: Annotated[ResourceId, Path()],
    request: UpdateThemeRequest,
    query: Annotated[FormatQuery, Query()],
) -> ThemeResponse:
    return themes.update(current_caller(app), projectId, themeId, request)


lambda_handler = with_text_format(api_handler(app))
