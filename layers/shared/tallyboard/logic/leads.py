"""Leads (docs/api.md "Agency workspace"). Status and tags
are taken from the documented lists in any case and stored in the documented spelling (the
models do that). Leads are workspace-level: a workspace-wide key, project:read to read and
project:write to write. A lead linked to a project counts in its campaign figures."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.data import clients as client_store
from tallyboard.data import leads as store
from tallyboard.data import projects as project_store
from tallyboard.errors import Conflict, NotFound, unknown_reference
from tallyboard.ids import new_sorted_id, now_ms
from tallyboard.logic import audit, pages
from tallyboard.logic.partial_update import sent_fields
from tallyboard.models.leads import (
    CreateLeadRequest,
    Lead,
    LeadList,
    LeadListQuery,
    LeadResponse,
    UpdateLeadRequest,
)
from tallyboard.timeutil import to_iso

# Request field → item attribute (camelCase, like every item).
FIELDS = {
    "name": "name",
    "status": "status",
    "company": "company",
    "email": "email",
    "phone": "phone",
    "tags": "tags",
    "rep": "rep",
    "value": "value",
    "source": "source",
    "notes": "notes",
    "project_id": "projectId",
    "client_id": "clientId",
}
NOT_NULL = ("name", "status")


def lead_not_found() -> NotFound:
    return NotFound("Lead not found")


def public_lead(record: dict[str, Any]) -> Lead:
    values = {name: record.get(attribute) for name, attribute in FIELDS.items()}
    return Lead(
        id=record["id"],
        **{**values, "tags": values["tags"] or []},
        created_at=to_iso(record["createdAt"]),
        updated_at=to_iso(record.get("updatedAt") or record["createdAt"]),
    )


def _reader(caller: Caller) -> None:
    caller.require("viewer", "project:read")
    caller.require_workspace_key()


def _writer(caller: Caller) -> None:
    caller.require("editor", "project:write")
    caller.require_workspace_key()


def _check_links(caller: Caller, sent: dict[str, Any]) -> None:
    """A project or client a lead names must be the workspace's: else a 404 naming the field."""
    project_id, client_id = sent.get("project_id"), sent.get("client_id")
    if project_id and project_store.get(caller.workspace_id, project_id) is None:
        raise unknown_reference("project_id", "Project", project_id)
    if client_id and client_store.get(caller.workspace_id, client_id) is None:
        raise unknown_reference("client_id", "Client", client_id)


def list_leads(caller: Caller, query: LeadListQuery) -> LeadList:
    """The workspace's leads, newest first; `status` and `rep` filters in any case."""
    _reader(caller)
    rep = query.rep.strip() if query.rep else None
    spec = pages.page_spec(
        query.limit,
        query.offset,
        query.cursor,
        f"leads|{caller.workspace_id}|{query.status or ''}|{(rep or '').casefold()}",
    )
    page, total = store.page(caller.workspace_id, spec, query.status, rep)
    return LeadList(data=[public_lead(r) for r in page.items], pagination=pages.pagination(spec, total, page))


def create(caller: Caller, request: CreateLeadRequest) -> LeadResponse:
    _writer(caller)
    sent = request.model_dump()
    _check_links(caller, sent)
    created_at = now_ms()
    record = {
        "id": new_sorted_id("lead", created_at),
        "workspaceId": caller.workspace_id,
        **{FIELDS[name]: value for name, value in sent.items()},
        "createdBy": caller.user_id,
        "createdAt": created_at,
        "updatedAt": created_at,
    }
    if not store.put(caller.workspace_id, record):
        raise Conflict("A lead with this id already exists")
    audit.record(
        caller,
        "lead.create",
        "lead",
        record["id"],
        metadata={"name": request.name, "status": request.status, "projectId": request.project_id},
    )
    return LeadResponse(data=public_lead(record))


def get(caller: Caller, lead_id: str) -> LeadResponse:
    _reader(caller)
    lead = store.get(caller.workspace_id, lead_id)
    if lead is None:
        raise lead_not_found()
    return LeadResponse(data=public_lead(lead))


def update(caller: Caller, lead_id: str, request: UpdateLeadRequest) -> LeadResponse:
    """Partial update: the fields sent change, `null` clears one (not name or status)."""
    _writer(caller)
    sent = sent_fields(request, nullable=set(FIELDS) - set(NOT_NULL))
    if store.get(caller.workspace_id, lead_id) is None:
        raise lead_not_found()  # before the links: an unknown lead is a 404 whatever the body says
    _check_links(caller, sent)
    changes = {FIELDS[name]: value for name, value in sent.items()}
    if "tags" in changes and changes["tags"] is None:
        changes["tags"] = []
    changes["updatedAt"] = now_ms()
    updated = store.update(caller.workspace_id, lead_id, changes)
    if updated is None:
        raise lead_not_found()
    audit.record(caller, "lead.update", "lead", lead_id, metadata={"fields": sorted(sent)})
    return LeadResponse(data=public_lead(updated))


def delete(caller: Caller, lead_id: str) -> None:
    """Delete permanently (docs/api.md "Agency workspace")."""
    _writer(caller)
    if not store.delete(caller.workspace_id, lead_id):
        raise lead_not_found()
    audit.record(caller, "lead.delete", "lead", lead_id)
