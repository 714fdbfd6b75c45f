"""PATCH bodies, read the same way on every route: only the fields sent change, and `null`
clears a field that may be empty."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from pydantic import BaseModel

from tallyboard.errors import BadRequest


def sent_fields(request: BaseModel, nullable: Collection[str] = ()) -> dict[str, Any]:
    """The fields the body sent, by name. A null for a field outside `nullable`, or a body that
    sends nothing, is a 400 naming the fields."""
    sent = request.model_dump(exclude_unset=True)
    nulls = sorted(name for name, value in sent.items() if value is None and name not in nullable)
    if nulls:
        raise BadRequest(
            f"Invalid parameter: {nulls[0]}: may not be null", details=dict.fromkeys(nulls, "may not be null")
        )
    if not sent:
        raise BadRequest(
            "Invalid parameter: body: at least one field to update is required",
            details={"body": f"one of {', '.join(type(request).model_fields)} is required"},
        )
    return sent
