"""Meeting note shapes (docs/api.md "Agency workspace")."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, Field

from tallyboard.models.agency import IsoDate
from tallyboard.models.common import Pagination, RequestModel, line_text, long_text

if TYPE_CHECKING:  # mypy cannot run the type factories: it checks the type they build on
    NoteText = str
    Line = str
else:
    NoteText = long_text(20_000, min_length=1)
    Line = line_text(500, min_length=1)


class CreateNoteRequest(RequestModel):
    notes: NoteText = Field(description="The meeting notes (required)")
    title: line_text(200, min_length=1) | None = (  # type: ignore[valid-type]
        None
    )
    meeting_date: IsoDate | None = Field(None, description="YYYY-MM-DD")
    attendees: Annotated[list[Line], Field(max_length=50)] = Field(default_factory=list)
    action_items: Annotated[list[Line], Field(max_length=100)] = Field(default_factory=list)


class Note(BaseModel):
    id: str
    project_id: str
    title: str | None = None
    notes: str
    meeting_date: str | None = None
    attendees: list[str]
    action_items: list[str]
    created_by: str = Field(description="The user id of the key that wrote it")
    created_at: str = Field(description="ISO 8601 UTC")


class NoteResponse(BaseModel):
    data: Note


class NoteList(BaseModel):
    data: list[Note] = Field(description="Newest first")
    pagination: Pagination
