"""Projects (docs/api.md "Agency workspace"): the analytics project and the agency project are one
item, so a client's project has metrics and dashboards, and GET /projects lists the analytics
projects too. A project the key is not bound to answers 404 like one that does not exist."""

from __future__ import annotations

import re
import secrets
from typing import Any

from tallyboard.auth import Caller
from tallyboard.data import clients as client_store
from tallyboard.data import leads as lead_store
from tallyboard.data import projects as store
from tallyboard.errors import BadRequest, Conflict, NotFound, unknown_reference
from tallyboard.ids import now_ms
from tallyboard.logic import audit, pages
from tallyboard.logic.dashboards.dashboards import slugify
from tallyboard.logic.partial_update import sent_fields
from tallyboard.models.common import Pagination
from tallyboard.models.leads import CLOSED
from tallyboard.models.projects import (
    MAX_SLUG_LENGTH,
    CampaignMetrics,
    Project,
    ProjectList,
    ProjectListQuery,
    ProjectResponse,
    UpdateProjectRequest,
    dates_in_order,
)
from tallyboard.timeutil import to_iso

_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_ATTEMPTS = 10  # name, name-2 … name-10; then name-<random>
UPDATE_ATTEMPTS = 3
# Request field → item attribute (items keep the analytics routes' camelCase).
FIELDS = {
    "name": "name",
    "slug": "slug",
    "status": "status",
    "description": "description",
    "client_id": "clientId",
    "budget": "budget",
    "start_date": "startDate",
    "end_date": "endDate",
}
NOT_NULL = ("name", "slug", "status")


def project_not_found() -> NotFound:
    return NotFound("Project not found")


def public_project(record: dict[str, Any]) -> Project:
    created = record.get("createdAt") or 0
    return Project(
        id=record["id"],
        name=record["name"],
        slug=record.get("slug") or project_slug(record["name"]),
        description=record.get("description"),
        status=record.get("status") or "active",
        client_id=record.get("clientId"),
        budget=record.get("budget"),
        start_date=record.get("startDate"),
        end_date=record.get("endDate"),
        created_at=to_iso(created),
        updated_at=to_iso(record.get("updatedAt") or created),
    )


def project_slug(name: str) -> str:
    """The slug a name gives: dashboards' slugify, kept to lower-case ASCII and hyphens."""
    slug = slugify(name)[:MAX_SLUG_LENGTH]
    return slug if _SLUG.match(slug) else "project"


def _candidates(base: str) -> list[str]:
    def suffixed(suffix: str) -> str:
        return f"{base[: MAX_SLUG_LENGTH - len(suffix) - 1].rstrip('-')}-{suffix}"

    return [base, *(suffixed(str(n)) for n in range(2, SLUG_ATTEMPTS + 1)), suffixed(secrets.token_hex(3))]


def store_new(workspace_id: str, record: dict[str, Any], slug_sent: bool = False) -> dict[str, Any]:
    """Store a new project with a slug unique in the workspace: the one sent (409 when taken), or
    the name's, suffixed -2, -3 … while taken. The project and the slug's claim are one
    transaction, so two projects never hold one slug."""
    for slug in [record["slug"]] if slug_sent else _candidates(record["slug"]):
        outcome = store.create(workspace_id, {**record, "slug": slug})
        if outcome is None:
            return {**record, "slug": slug}
        if outcome != store.SLUG_TAKEN:
            raise Conflict("A project with this id already exists")
    raise Conflict(
        "Invalid parameter: slug is taken by another project of this workspace",
        details={"slug": "taken by another project of this workspace"},
    )


def visible(caller: Caller, project_id: str, consistent: bool = False) -> dict[str, Any]:
    """The project, if the key may see it; else the same 404 as for a project that does not exist."""
    project = (
        store.get(caller.workspace_id, project_id, consistent) if caller.is_bound_to(project_id) else None
    )
    if project is None:
        raise project_not_found()
    return project


def list_projects(caller: Caller, query: ProjectListQuery) -> ProjectList:
    """Projects the key can see that are not archived, by id; `id` fetches one (archived too)."""
    caller.require("viewer", "project:read")
    if query.id is not None:
        project = visible(caller, query.id)
        return ProjectList(
            data=[public_project(project)],
            pagination=Pagination(total=1, limit=query.limit, offset=0, hasMore=False),
        )
    bound = tuple(sorted(caller.project_ids))
    spec = pages.page_spec(
        query.limit, query.offset, query.cursor, f"projects|{caller.workspace_id}|{','.join(bound)}"
    )
    page, total = store.page_listed(caller.workspace_id, spec, bound)
    return ProjectList(
        data=[public_project(p) for p in page.items], pagination=pages.pagination(spec, total, page)
    )


def get(caller: Caller, project_id: str) -> ProjectResponse:
    caller.require("viewer", "project:read")
    return ProjectResponse(data=public_project(visible(caller, project_id)))


def _check_dates(project: dict[str, Any], sent: dict[str, Any]) -> None:
    start = sent["start_date"] if "start_date" in sent else project.get("startDate")
    end = sent["end_date"] if "end_date" in sent else project.get("endDate")
    if dates_in_order(start, end):
        return
    if "end_date" in sent:
        raise BadRequest(
            "Invalid parameter: end_date: must not be before start_date",
            details={"end_date": f"must not be before start_date ({start})"},
        )
    raise BadRequest(
        "Invalid parameter: start_date: must not be after end_date",
        details={"start_date": f"must not be after end_date ({end})"},
    )


def _apply(
    caller: Caller, project: dict[str, Any], sent: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Write the sent fields on the project as read, re-reading and retrying when another write
    came first; the project before and the attributes written."""
    for attempt in range(UPDATE_ATTEMPTS):
        if attempt:
            project = visible(caller, project["id"], consistent=True)
        _check_dates(project, sent)
        changes = {FIELDS[name]: value for name, value in sent.items()}
        changes["updatedAt"] = max(now_ms(), project.get("updatedAt") or 0)
        new_slug = sent.get("slug") if sent.get("slug") not in (None, project.get("slug")) else None
        outcome = store.update(caller.workspace_id, project, changes, new_slug)
        if outcome is None:
            return project, changes
        if outcome == store.SLUG_TAKEN:
            raise Conflict(
                "Invalid parameter: slug is taken by another project of this workspace",
                details={"slug": "taken by another project of this workspace"},
            )
    raise Conflict("The project changed while this update was applied; retry the request")


def _updated(project: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    merged = {**project, **changes}
    return {k: v for k, v in merged.items() if v is not None}


def update(caller: Caller, project_id: str, request: UpdateProjectRequest) -> ProjectResponse:
    """Partial update; linking a client needs a workspace-wide key (clients are workspace-level)."""
    caller.require("editor", "project:write")
    sent = sent_fields(request, nullable=set(FIELDS) - set(NOT_NULL))
    project = visible(caller, project_id, consistent=True)
    if "client_id" in sent:
        caller.require_workspace_key()
        if sent["client_id"] and client_store.get(caller.workspace_id, sent["client_id"]) is None:
            raise unknown_reference("client_id", "Client", sent["client_id"])
    project, changes = _apply(caller, project, sent)
    audit.record(
        caller,
        "project.update",
        "project",
        project_id,
        project_id=project_id,
        metadata={"fields": sorted(sent)},
    )
    return ProjectResponse(data=public_project(_updated(project, changes)))


def archive(caller: Caller, project_id: str) -> ProjectResponse:
    """DELETE archives (soft): the project stays readable by id and PATCH status active restores it."""
    caller.require("editor", "project:write")
    project = visible(caller, project_id, consistent=True)
    if project.get("status") == "archived":
        return ProjectResponse(data=public_project(project))
    project, changes = _apply(caller, project, {"status": "archived"})
    audit.record(caller, "project.archive", "project", project_id, project_id=project_id)
    return ProjectResponse(data=public_project(_updated(project, changes)))


def _two_decimals(value: float | None) -> int | float | None:
    """Rounded to two decimals; an integral result as an integer (320, not 320.0)."""
    if value is None:
        return None
    rounded = round(value, 2)
    return int(rounded) if rounded == int(rounded) else rounded


def campaign_metrics(caller: Caller, project_id: str) -> CampaignMetrics:
    """Campaign figures, computed from the project's leads and budget on every read."""
    caller.require("viewer", "project:read")
    project = visible(caller, project_id)
    leads = closed = 0
    revenue = 0.0
    for lead in lead_store.iter_project_leads(caller.workspace_id, project_id):
        leads += 1
        if lead.get("status") == CLOSED:
            closed += 1
            revenue += lead.get("value") or 0
    spend = project.get("budget") or 0
    return CampaignMetrics(
        project_id=project_id,
        roi=_two_decimals((revenue - spend) / spend * 100 if spend else None),
        leads_generated=leads,
        cost_per_lead=_two_decimals(spend / leads if leads else None),
        conversion_rate=_two_decimals(closed / leads * 100 if leads else None),
        revenue_generated=_two_decimals(revenue) or 0,
    )
