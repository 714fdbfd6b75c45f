"""Meeting notes of a project: list (newest first) and write one (`notes` required)."""

from __future__ import annotations

from typing import Any

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data import notes
from tallyboard.errors import Conflict
from tallyboard.ids import new_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.models.common import PageQuery
from tallyboard.models.notes import CreateNoteRequest, Note, NoteList, NoteResponse
from tallyboard.timeutil import to_iso


def public_note(note: dict[str, Any]) -> Note:
    return Note(
        **{k: note.get(k) for k in Note.model_fields if k != "created_at"},
        created_at=to_iso(note["createdAt"]),
    )


def list_notes(caller: Caller, project_id: str, query: PageQuery) -> NoteList:
    caller.require("viewer", "project:read")
    project = access.project_in_path(caller, project_id)
    ws = caller.workspace_id
    spec = pages.page_spec(query.limit, query.offset, query.cursor, f"notes|{ws}|{project}")
    page = notes.page(ws, project, spec)
    return NoteList(
        data=[public_note(n) for n in page.items],
        pagination=pages.pagination(spec, notes.count(ws, project), page),
    )


def create(caller: Caller, project_id: str, request: CreateNoteRequest) -> NoteResponse:
    caller.require("editor", "project:write")
    project = access.project_in_path(caller, project_id)
    record: dict[str, Any] = {
        "id": new_id("note"),
        "project_id": project,
        "title": request.title,
        "notes": request.notes,
        "meeting_date": request.meeting_date,
        "attendees": request.attendees,
        "action_items": request.action_items,
        "created_by": caller.user_id,
        "createdAt": now_ms(),
    }
    if not notes.create(caller.workspace_id, record):
        raise Conflict("A note with this id already exists")
    audit.record(
        caller,
        "note.create",
        "note",
        record["id"],
        project_id=project,
        metadata={"name": record["title"]} if record.get("title") else None,
    )
    return NoteResponse(data=public_note(record))
