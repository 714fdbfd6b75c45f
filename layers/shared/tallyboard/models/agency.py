"""Field types the agency resources share (docs/api.md "Agency workspace": snake_case fields, ISO 8601
dates): calendar dates, money, contact details, and case-insensitive choices from a documented
list that are stored in the documented spelling."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, StringConstraints, WithJsonSchema

from tallyboard.models.common import check_number, line_text, long_text

MAX_MONEY = 1e12  # far beyond any budget or deal; keeps every value storable exactly
MIN_MONEY = 0.01  # a cent: a smaller positive amount is a typo


def _real_date(value: str) -> str:
    try:
        date.fromisoformat(value)
    except ValueError:
        raise ValueError("must be a real calendar date, YYYY-MM-DD") from None
    return value


# A calendar date, YYYY-MM-DD (the documents' `start_date`, `end_date`, `from`, `to`).
IsoDate = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$"),
    AfterValidator(_real_date),
    Field(json_schema_extra={"format": "date"}, examples=["2025-01-31"]),
]


def _money(value: Any) -> Any:
    check_number(value, MAX_MONEY, MIN_MONEY)
    if value < 0:
        raise ValueError("must not be negative")
    return value


# An amount: 0, or 0.01 to 1e12 (a JSON number; never a string or a boolean).
Money = Annotated[
    int | float,
    BeforeValidator(_money),
    WithJsonSchema({"type": "number", "anyOf": [{"const": 0}, {"minimum": MIN_MONEY, "maximum": MAX_MONEY}]}),
]

Name = line_text(200, min_length=1)
Text = long_text(5000)
ShortText = line_text(200)
# White space, spelt out for a character class: `\s` is one set in pydantic's engine (U+0085 in),
# another in ECMA-262, the spec's dialect (U+0085 out, U+FEFF in), a third in Python (U+001C-U+001F
# in). This is the union of the first two, and every engine reads it alike.
SPACE = r"\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
# An address or a URL holds no space and no control character (C0, DEL), as no text field does.
_PART = f"[^@{SPACE}\\x00-\\x1f\\x7f]+"
Email = Annotated[str, StringConstraints(max_length=254, pattern=f"^{_PART}@{_PART}[.]{_PART}$")]
Phone = Annotated[str, StringConstraints(max_length=50, pattern=r"^[0-9+()./ x-]*$")]
Website = Annotated[
    str, StringConstraints(max_length=500, pattern=f"^(https?://)?[^{SPACE}\\x00-\\x1f\\x7f]+$")
]


def _folded(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def choice(allowed: Sequence[str], what: str) -> Any:
    """A string from `allowed`, accepted in any case (and spacing), stored in its documented
    spelling; anything else is a 400 that lists the allowed values."""
    by_folded = {_folded(value): value for value in allowed}

    def canonical(value: Any) -> Any:
        if not isinstance(value, str):
            raise ValueError(f"must be a string, one of: {', '.join(allowed)}")
        found = by_folded.get(_folded(value))
        if found is None:
            raise ValueError(f"unknown {what} {value[:50]!r}; one of: {', '.join(allowed)} (any case)")
        return found

    return Annotated[
        str,
        BeforeValidator(canonical),
        Field(
            json_schema_extra={"enum": list(allowed)},
            description=f"One of the documented values, in any case: {', '.join(allowed)}",
        ),
    ]


def _literal(char: str) -> str:
    """A character as a regular expression that means the same in Python and ECMA-262 (JSON
    Schema's dialect, which refuses escapes such as `\\-` outside a class)."""
    return char if char.isalnum() or char in "-_ '" else f"[{re.escape(char)}]"


def any_case(allowed: Sequence[str], what: str) -> Any:
    """A string from `allowed` in any letter case, stored in its documented spelling; anything
    else is a 400 that lists the allowed values. The schema states exactly that (a pattern whose
    letters match either case), so a client's validator accepts what the API accepts."""
    by_folded = {value.casefold(): value for value in allowed}
    alternatives = "|".join(
        "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else _literal(c) for c in value)
        for value in allowed
    )

    def canonical(value: Any) -> Any:
        found = by_folded.get(value.casefold()) if isinstance(value, str) else None
        if found is None:
            shown = repr(value[:50]) if isinstance(value, str) else "value"
            raise ValueError(f"unknown {what} {shown}; one of: {', '.join(allowed)} (any case)")
        return found

    return Annotated[
        str,
        BeforeValidator(canonical),
        Field(
            json_schema_extra={"pattern": f"^(?:{alternatives})$"},
            description=f"One of {', '.join(allowed)}, in any case",
        ),
    ]


# RFC 3339 (the JSON Schema `date-time` format): the ISO 8601 profile clients send.
_DATE_TIME = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$", re.ASCII
)
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)


def calendar_day(text: str) -> date | None:
    """The calendar date a JSON Schema `date` or `date-time` string names (a date-time's date as
    written, in its own offset); None when it is neither."""
    if _FULL_DATE.match(text):
        day = text
    else:
        found = _DATE_TIME.match(text)
        if found is None:
            return None
        day, hour, minute, second, _, _, offset_hours, offset_minutes = found.groups()
        limits = (
            (hour, 23),
            (minute, 59),
            (second, 60),
            (offset_hours or "0", 23),
            (offset_minutes or "0", 59),
        )
        if any(int(value) > limit for value, limit in limits):
            return None
    try:
        return date.fromisoformat(day)
    except ValueError:
        return None


DATE_OR_DATE_TIME_SCHEMA = {
    "anyOf": [{"type": "string", "format": "date"}, {"type": "string", "format": "date-time"}],
}
