"""Who is calling: the authorizer's context turned into a Caller, and the role and scope checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tallyboard.errors import Forbidden, Unauthorized
from tallyboard.plans import Plan, get_plan

ROLES = ("viewer", "editor", "owner")
SCOPES = (
    "metrics:read",
    "metrics:write",
    "dashboard:read",
    "dashboard:write",
    "query:read",
    "project:read",
    "project:write",
    "export:write",
    "workspace:read",
    "workspace:write",
)


def _split(value: Any) -> tuple[str, ...]:
    return tuple(v for v in str(value or "").split(",") if v)


@dataclass(frozen=True)
class Caller:
    workspace_id: str
    user_id: str
    key_id: str
    role: str
    scopes: tuple[str, ...]  # empty: every scope the role allows
    project_ids: tuple[str, ...]  # empty: workspace-wide
    plan: Plan
    rate_limit: int
    source_ip: str = ""
    user_agent: str = ""

    @classmethod
    def from_event(cls, event: dict[str, Any]) -> Caller:
        request_context = event.get("requestContext") or {}
        context = request_context.get("authorizer") or {}
        if not context.get("workspaceId"):
            raise Unauthorized()
        identity = request_context.get("identity") or {}
        return cls(
            workspace_id=context["workspaceId"],
            user_id=context.get("userId", ""),
            key_id=context.get("keyId", ""),
            role=context.get("role", "viewer"),
            scopes=_split(context.get("scopes")),
            project_ids=_split(context.get("projectIds")),
            plan=get_plan(context.get("plan", "free")),
            rate_limit=int(context.get("rateLimit") or 0),
            source_ip=identity.get("sourceIp") or "",
            user_agent=identity.get("userAgent") or "",
        )

    @classmethod
    def system(cls, workspace_id: str, user_id: str, actor: str, plan: Plan, project_id: str) -> Caller:
        """The principal of work the platform does for a user (a workflow step, a scheduled
        export): an editor of one project, audited as `actor`."""
        return cls(workspace_id, user_id, actor, "editor", (), (project_id,), plan, 0, user_agent=actor)

    @property
    def rate_limit_binding(self) -> str:
        """Requests are counted per project for a project-restricted key, else per workspace."""
        if self.project_ids:
            return f"project:{self.workspace_id}:{','.join(sorted(self.project_ids))}"
        return f"workspace:{self.workspace_id}"

    def require(self, role: str = "viewer", scope: str | None = None) -> None:
        if ROLES.index(self.role) < ROLES.index(role):
            raise Forbidden(f"This action requires the {role} role", details={"role": self.role})
        if scope and self.scopes and scope not in self.scopes:
            raise Forbidden(f"This key is missing the {scope} scope", details={"scope": scope})

    def require_workspace_key(self) -> None:
        """Workspace-level resources (clients, leads, holidays, team management) need a
        workspace-wide key: a project-restricted key gets 403 there (docs/api.md, Agency workspace)."""
        if self.project_ids:
            raise Forbidden(
                "This resource needs a workspace-wide key; this key is restricted to projects",
                details={"projectIds": "a workspace-wide key (no projectIds) is required"},
            )

    def is_bound_to(self, project_id: str) -> bool:
        return not self.project_ids or project_id in self.project_ids

    def reaches(self, project_ids: Sequence[str], scopes: Sequence[str]) -> bool:
        """Whether a principal with these projects and scopes (empty: all) reaches no further
        than this caller: the rule for every key acting on another principal."""
        within_projects = not self.project_ids or (
            bool(project_ids) and set(project_ids) <= set(self.project_ids)
        )
        within_scopes = not self.scopes or (bool(scopes) and set(scopes) <= set(self.scopes))
        return within_projects and within_scopes
