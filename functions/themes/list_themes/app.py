from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import themes
from tallyboard.models.common import ResourceId
from tallyboard.models.themes import ThemeList, ThemeListQuery
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/projects/<projectId>/data_color_themes",
    summary="The project's data colour themes, oldest first",
    tags=["themes"],
)
def list_themes(
    projectId: Annotated[ResourceId, Path()], query: Annotated[ThemeListQuery, Query()]
) -> ThemeList:
    return themes.list_themes(current_caller(app), projectId, query)


lambda_handler = with_text_format(api_handler(app))
