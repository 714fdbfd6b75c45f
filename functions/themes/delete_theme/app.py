from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import themes
from tallyboard.models.common import ErrorBody, FormatQuery, ResourceId
from tallyboard.text_format import with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.delete(
    "/projects/<projectId>/data_color_themes/<themeId>",
    summary="Delete a data colour theme no dashboard uses",
    description="A theme that dashboards use (deleted ones included) answers 409 naming how many.",
    tags=["themes"],
    responses={
        204: {"description": "Deleted"},
        409: {
            "description": "Dashboards use the theme (the message and details say how many)",
            "content": {"application/json": {"model": ErrorBody}},
        },
    },
)
def delete_theme(
    projectId: Annotated[ResourceId, Path()],
    themeId: Annotated[ResourceId, Path()],
    query: Annotated[FormatQuery, Query()],
) -> Response[None]:
    themes.delete(current_caller(app), projectId, themeId)
    return Response(status_code=204)


lambda_handler = with_text_format(api_handler(app))
