"""What the unit tests of logic share: a caller as the authorizer would describe one."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.plans import PLANS


def caller(role: str = "editor", **kwargs: Any) -> Caller:
    """A workspace-wide key of ws_1's user_1 on the scale plan; kwargs replace any field."""
    fields: dict[str, Any] = {
        "workspace_id": "ws_1",
        "user_id": "user_1",
        "key_id": "key_1",
        "role": role,
        "scopes": (),
        "project_ids": (),
        "plan": PLANS["scale"],
        "rate_limit": 1000,
        **kwargs,
    }
    return Caller(**fields)
