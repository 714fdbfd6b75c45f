from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import notes
from tallyboard.models.common import PageQuery, ResourceId
from tallyboard.models.notes import NoteList

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get("/projects/<projectId>/notes", summary="A project's meeting notes, newest first", tags=["notes"])
def list_notes(projectId: Annotated[ResourceId, Path()], query: Annotated[PageQuery, Query()]) -> NoteList:
    return notes.list_notes(current_caller(app), projectId, query)


lambda_handler = api_handler(app)
