from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic.insights import stream_tiles as streams
from tallyboard.models.common import FormatQuery, ResourceId
from tallyboard.text_format import TEXT, with_text_format

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)

EVENT_STREAM = "text/event-stream; charset=utf-8"
# One event as an SSE reader sees it (OpenAPI's text/event-stream schema describes each event):
# its name, its data (a JSON document) and, for a tile, the tile's id.
EVENT_SCHEMA = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"enum": ["metadata", "tile", "truncated", "done"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "id": {"type": "string", "description": "tile events: the tile id"},
    },
}


@app.get(
    "/dashboards/<dashboardId>/stream_tiles",
    summary="The dashboard and its tiles as Server-Sent Events",
    description=(
        "`event: metadata` (the dashboard, the tile count), then one `event: tile` per tile (its result, "
        "as run_insights computes it with refresh=blocking, `id:` the tile id), then `event: done`. "
        "Delivered as one buffered body (the Python Lambda runtime cannot stream), at most "
        f"{streams.MAX_STREAM_BYTES // (1024 * 1024)} MB: past it an `event: truncated` names the tiles "
        "left out (run_insights returns them). `format=txt` answers the same events as plain text."
    ),
    tags=["dashboards"],
    responses={
        200: {
            "description": "text/event-stream events",
            "content": {"text/event-stream": {"schema": EVENT_SCHEMA}},
        },
    },
)
def stream_tiles(
    dashboardId: Annotated[ResourceId, Path()], query: Annotated[FormatQuery, Query()]
) -> Response[str]:
    if query.format == "txt":
        return Response(200, TEXT, streams.stream_tiles_text(current_caller(app), dashboardId))
    return Response(200, EVENT_STREAM, streams.stream_tiles(current_caller(app), dashboardId))


lambda_handler = with_text_format(api_handler(app))
