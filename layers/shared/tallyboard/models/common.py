"""Shapes every resource shares."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import CoreSchema, PydanticCustomError

from tallyboard import timeutil
from tallyboard.vocabulary import MAX_PAGE_LIMIT

# Ids are opaque; this only bounds them so junk never reaches a key condition.
ResourceId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


# Text a request stores holds no C0 control character (U+0000-U+001F) nor DEL: a terminal, a CSV
# reader or a log would act on them. Long text may hold tabs and line breaks (LF, or CR LF).
# The patterns state it in the schema, in the dialect both Python and ECMA read (no \s, no \d).
LINE_PATTERN = r"^[^\x00-\x1f\x7f]*$"
TEXT_PATTERN = r"^([^\x00-\x08\x0b-\x1f\x7f]|\r\n)*$"
# What strip_whitespace removes (Unicode White_Space): text that must not be empty once stripped
# holds one character that is neither this nor a control.
_SPACES = r"\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
NON_BLANK_LINE_PATTERN = rf"^[^\x00-\x1f\x7f]*[^\x00-\x1f\x7f{_SPACES}][^\x00-\x1f\x7f]*$"
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\r(?!\n)")


def _refuse_controls(found: re.Pattern[str], allowed: str) -> Any:
    def check(value: Any) -> Any:
        # Before stripping: a control at either end is refused too, not silently dropped.
        if isinstance(value, str) and (hit := found.search(value)) is not None:
            raise PydanticCustomError(
                "control_character",
                "must not hold control characters{allowed}: U+{code} at position {position}",
                {"allowed": allowed, "code": f"{ord(hit.group()[0]):04X}", "position": hit.start()},
            )
        return value

    return BeforeValidator(check)


@dataclass(frozen=True)
class _Pattern:
    """States a rule a validator checks as the schema's `pattern` (pydantic's own is not run)."""

    pattern: str

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        generated = handler(schema)
        generated["pattern"] = self.pattern
        return generated


def line_text(max_length: int, min_length: int = 0, strip: bool = True) -> Any:
    """Single-line text (a name, a title, a tag): no control character at all."""
    blank_refused = strip and min_length > 0
    return Annotated[
        str,
        StringConstraints(min_length=min_length or None, max_length=max_length, strip_whitespace=strip),
        _refuse_controls(_LINE_CONTROL, ""),
        _Pattern(NON_BLANK_LINE_PATTERN if blank_refused else LINE_PATTERN),
    ]


def long_text(max_length: int, min_length: int = 0) -> Any:
    """Free text (a description, notes): tabs and line breaks, no other control character."""
    return Annotated[
        str,
        StringConstraints(min_length=min_length or None, max_length=max_length),
        _refuse_controls(_TEXT_CONTROL, " but tab and line breaks"),
        _Pattern(TEXT_PATTERN),
    ]


class RequestModel(BaseModel):
    """Create/update bodies: unknown fields are a 400 (docs/api.md §1)."""

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
    nextCursor: str | None = Field(
        None, description="Pass as `cursor` for the next page (null on the last page); opaque and sealed"
    )


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


@dataclass(frozen=True)
class PageSpec:
    """Which page of a list a request asks for (logic/pages.py makes it; data modules read it)."""

    limit: int
    offset: int  # the position of the page's first item
    start_key: dict[str, Any] | None  # resume after this key (from a cursor); else skip `offset`
    scope: str  # the list, tenant, project and filters a cursor is sealed to

    @property
    def skip(self) -> int:
        return 0 if self.start_key else self.offset


# Deep pages cost the items they skip; a cursor costs one page at any depth (docs/api.md §1).
MAX_OFFSET = 10_000


def _offset_within_cap(value: int) -> int:
    if value > MAX_OFFSET:
        raise ValueError(f"offset above {MAX_OFFSET}: page on with `cursor` (the previous page's nextCursor)")
    return value


Offset = Annotated[
    int,
    Field(ge=0, json_schema_extra={"maximum": MAX_OFFSET}, description=f"0-{MAX_OFFSET}; deeper: `cursor`"),
    AfterValidator(_offset_within_cap),
]
# A date in a query or a range (timeutil.parse_iso reads it and answers the 400 naming the field).
QueryDate = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "maxLength": timeutil.DATE_MAX_LENGTH,
            "pattern": timeutil.DATE_PATTERN,
            "examples": ["2026-03-01", "2026-03-01T09:30:00Z", "2026-03-01T10:30:00+01:00"],
            "description": (
                "YYYY-MM-DD (midnight UTC) or YYYY-MM-DDThh:mm:ss[.fraction] with Z, ±hh:mm or no zone "
                "(UTC); a moment before 1970 or after 2286-11-20 reads as the nearest one stored"
            ),
        }
    ),
]
# base64url payload "." base64url MAC (logic/pages.py)
Cursor = Annotated[
    str,
    StringConstraints(min_length=3, max_length=2048, pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$"),
    Field(description="The previous page's pagination.nextCursor"),
]


class PageQuery(BaseModel):
    """limit/offset/cursor of a list whose documents give no paging of their own."""

    limit: Annotated[Limit, Field(le=MAX_PAGE_LIMIT)] = Field(
        MAX_PAGE_LIMIT, description=f"1-{MAX_PAGE_LIMIT}"
    )
    offset: Offset = 0
    cursor: Cursor | None = None


class ProjectPageQuery(PageQuery):
    projectId: ResourceId | None = Field(None, description="Optional for a key bound to exactly one project")


# ---------------------------------------------------------------------------- shared by many models

StrictBool = Annotated[bool, Field(strict=True)]


def not_null(schema: dict[str, Any]) -> None:
    """In an update, None only marks a field as not sent: the schema does not offer null."""
    branches = [b for b in schema.pop("anyOf", []) if b.get("type") != "null"]
    if branches:
        schema.update(branches[0])
    schema.pop("default", None)


Format = Literal["json", "txt"]
FORMAT_FIELD: Any = Field(  # a FieldInfo, typed as its default by pydantic
    "json", description="`txt`: a plain-text rendering (text/plain) instead of JSON, errors too"
)


class FormatQuery(BaseModel):
    format: Format = FORMAT_FIELD
