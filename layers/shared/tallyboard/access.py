"""Project access: the one check every projectId goes through (docs/api.md §1, Tenancy)."""

from __future__ import annotations

from tallyboard.auth import Caller
from tallyboard.data import entities
from tallyboard.errors import BadRequest, Forbidden, NotFound, project_forbidden

# Projects are never hard-deleted, so a project seen once stays valid for the container's life.
_known_projects: set[tuple[str, str]] = set()


def project_for(caller: Caller, project_id: str | None) -> str:
    """The project a request acts on; 403 for one the key cannot see (foreign and missing alike)."""
    if not project_id:
        if len(caller.project_ids) == 1:
            return caller.project_ids[0]
        raise BadRequest(
            "Invalid parameter: projectId is required (a key bound to one project needs none)",
            details={"projectId": "required"},
        )
    if not caller.is_bound_to(project_id):
        raise project_forbidden()
    known = (caller.workspace_id, project_id)
    if known not in _known_projects:
        if entities.get_project(caller.workspace_id, project_id) is None:
            raise project_forbidden()
        _known_projects.add(known)
    return project_id


def project_in_path(caller: Caller, project_id: str) -> str:
    """A project named in the path (/projects/{projectId}/…): one the key cannot see answers 404,
    exactly like one that exists nowhere (foreign, missing and unbound alike)."""
    try:
        return project_for(caller, project_id)
    except Forbidden:
        raise NotFound("Project not found") from None
