"""Shapes every resource shares."""

from __future__ import annotations

import math
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

# Ids are opaque; this only bounds them so junk never reaches a key condition.
ResourceId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class RequestModel(BaseModel):
    """Create/update bodies: unknown fields are a 400 (API.md §1)."""

    model_config = ConfigDict(extra="forbid")


class ErrorBody(BaseModel):
    error: str
    message: str
    details: dict[str, Any] | None = None


class Pagination(BaseModel):
    total: int
    limit: int
    offset: int
    hasMore: bool


# DynamoDB holds numbers of magnitude 1e-130 to 9.99e125 (38 significant digits); anything else
# fails the write. Every number a request can store is checked against a range inside that.
DYNAMO_MIN_MAGNITUDE = 1e-130


def check_number(value: Any, max_magnitude: float, min_magnitude: float = DYNAMO_MIN_MAGNITUDE) -> None:
    """A finite number, 0 or of magnitude between min_magnitude and max_magnitude."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be a number")
    magnitude = abs(value)
    if not math.isfinite(magnitude) or magnitude > max_magnitude or 0 < magnitude < min_magnitude:
        raise ValueError(
            f"numbers must be finite, and 0 or of magnitude {min_magnitude:.0e} to {max_magnitude:.0e}"
        )


def _integral(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def json_int(ge: int, le: int) -> Any:
    """A JSON integer in [ge, le]: 47 or 47.0 (both are JSON Schema integers), never "47" or true."""
    return Annotated[int, Field(strict=True, ge=ge, le=le), BeforeValidator(_integral)]


Limit = Annotated[int, Field(ge=1)]
Offset = Annotated[int, Field(ge=0, le=10_000_000)]
