from typing import Annotated

from aws_lambda_powertools.event_handler import APIGatewayRestResolver
from aws_lambda_powertools.event_handler.openapi.params import Path

from tallyboard.http import api_handler, current_caller, install_api_defaults
from tallyboard.logic import notes
from tallyboard.models.common import ResourceId
from tallyboard.models.notes import CreateNoteRequest, NoteResponse

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.post(
    "/projects/<projectId>/notes",
    status_code=201,
    summary="Write a meeting note for a project (`notes` required)",
    tags=["notes"],
)
def create_note(projectId: Annotated[ResourceId, Path()], request: CreateNoteRequest) -> NoteResponse:
    return notes.create(current_caller(app), projectId, request)


lambda_handler = api_handler(app)
