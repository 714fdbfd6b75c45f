"""Dashboards made whole from a template (docs/api.md, Dashboard operations): create_from_template_json and
create_unlisted_dashboard. A template is a document (`template`) or one named by its
template_name (`use_template`, as PostHog names its templates): the templates the documents show
(TEMPLATES). The dashboard and its tiles are one transaction; an unlisted one also
takes its tag's lock in that transaction, so a project has at most one per tag, whatever the
concurrency (the second answers 409, naming only that project's dashboard)."""

from __future__ import annotations

from typing import Any

from tallyboard import access
from tallyboard.auth import Caller
from tallyboard.data.dashboards import templates as stored_templates
from tallyboard.errors import BadRequest, Conflict
from tallyboard.ids import new_id
from tallyboard.logic import audit
from tallyboard.logic.dashboards.dashboards import detail, new_record
from tallyboard.models.dashboard_ops import (
    TEMPLATES,
    CreateFromTemplateRequest,
    CreateUnlistedRequest,
    DashboardCreatedResponse,
    DashboardTemplate,
)
from tallyboard.models.dashboards import MAX_TAGS

GRID_COLUMNS = 12


def _template_of(
    template: DashboardTemplate | None, use_template: str | None, required: bool
) -> DashboardTemplate | None:
    """The template a request names: its document, or the one `use_template` names."""
    if template is not None and use_template is not None:
        raise BadRequest(
            "Invalid body: send template or use_template, not both", {"use_template": "not with template"}
        )
    if use_template is not None:
        found = TEMPLATES.get(use_template.casefold())
        if found is None:
            names = ", ".join(t.template_name for t in TEMPLATES.values())
            raise BadRequest(
                f"Invalid parameter: use_template names no template ({names})",
                {"use_template": f"one of: {names}"},
            )
        return found
    if template is None and required:
        raise BadRequest(
            "Invalid body: template or use_template is required",
            {"template": "a template document, or use_template naming a template"},
        )
    return template


def _tiles(
    template: DashboardTemplate | None, dashboard_id: str, project_id: str, at: int
) -> list[dict[str, Any]]:
    """The template's tiles as widget records, in order. Tiles without a position are packed left
    to right in rows of 12 columns, below every placed tile."""
    if template is None:
        return []
    placed = [t.position for t in template.tiles if "position" in t.model_fields_set]
    x, y, row_height = 0, max((p.y + p.h for p in placed), default=0), 0
    records = []
    for tile in template.tiles:
        if "position" in tile.model_fields_set:
            position = tile.position.model_dump()
        else:
            w, h = tile.position.w, tile.position.h
            if x and x + w > GRID_COLUMNS:
                x, y, row_height = 0, y + row_height, 0
            position = {"x": x, "y": y, "w": w, "h": h}
            x, row_height = x + w, max(row_height, h)
        records.append(
            {
                "id": new_id("widget"),
                "dashboardId": dashboard_id,
                "projectId": project_id,
                "type": tile.type,
                "title": tile.title,
                "position": position,
                "visible": tile.visible,
                "config": tile.config,
                "createdAt": at,
                "updatedAt": at,
            }
        )
    return records


def _create(
    caller: Caller,
    project_id: str | None,
    name: str,
    description: str | None,
    tags: list[str],
    template: DashboardTemplate | None,
    unlisted_tag: str | None = None,
) -> DashboardCreatedResponse:
    caller.require("editor", "dashboard:write")
    project = access.project_for(caller, project_id)
    record = new_record(
        caller, project, name=name, description=description, tags=tags, unlisted=unlisted_tag is not None
    )
    widgets = _tiles(template, record["id"], project, record["createdAt"])
    record.update(widgetCount=len(widgets), tileOrder=[w["id"] for w in widgets])
    reasons = stored_templates.create_with_tiles(caller.workspace_id, record, widgets, lock_tag=unlisted_tag)
    if reasons is not None:
        if unlisted_tag is not None and reasons[0] == "ConditionalCheckFailed":
            # The lock is the project's, which the key reaches: the id it names is the key's to see.
            existing = stored_templates.unlisted_lock(caller.workspace_id, project, unlisted_tag) or {}
            raise Conflict(
                f"An unlisted dashboard for the tag {unlisted_tag!r} already exists in this project",
                details={"tag": unlisted_tag, "dashboardId": existing.get("dashboardId")},
            )
        raise Conflict("A dashboard with this id already exists")  # fresh random ids: never expected
    audit.record(
        caller,
        "dashboard.create",
        "dashboard",
        record["id"],
        project_id=project,
        metadata={
            "name": name,
            "tiles": len(widgets),
            "source": "unlisted" if unlisted_tag is not None else "template",
            **({"tag": unlisted_tag} if unlisted_tag is not None else {}),
        },
    )
    return DashboardCreatedResponse(data=detail(record, widgets))


def create_from_template(caller: Caller, request: CreateFromTemplateRequest) -> DashboardCreatedResponse:
    template = _template_of(request.template, request.use_template, required=True)
    assert template is not None
    return _create(
        caller,
        request.projectId,
        request.name or template.template_name,
        request.description if request.description is not None else template.dashboard_description,
        template.tags,
        template,
    )


def _unlisted_tags(request: CreateUnlistedRequest) -> tuple[str, list[str]]:
    """The unlisted tag and the request's further tags: `tag`, or `tags` (its first entry)."""
    if request.tag is not None and request.tags is not None:
        raise BadRequest("Invalid body: send tag or tags, not both", {"tags": "not with tag"})
    if request.tag is not None:
        return request.tag, []
    if request.tags:
        return request.tags[0], request.tags[1:]
    raise BadRequest(
        "Invalid body: tag (or tags) is required",
        {"tag": "the unlisted tag, or tags whose first entry is the unlisted tag"},
    )


def create_unlisted(caller: Caller, request: CreateUnlistedRequest) -> DashboardCreatedResponse:
    """An unlisted dashboard for a tag: never in GET /dashboards, reachable by id."""
    tag, more_tags = _unlisted_tags(request)
    template = _template_of(request.template, request.use_template, required=False)
    name = request.name or (template.template_name if template else tag)
    description = request.description
    if description is None and template is not None:
        description = template.dashboard_description
    tags = list(dict.fromkeys([tag, *more_tags, *(template.tags if template else [])]))[:MAX_TAGS]
    return _create(caller, request.projectId, name, description, tags, template, unlisted_tag=tag)
