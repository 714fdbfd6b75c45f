"""Free-form JSON objects with bounded size, depth, lengths and numbers (widget `config`,
connection `accountInfo`, a point's `metadata`): one checker, and a schema that states every
limit it enforces, so a client (or a generator) knows which objects are accepted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any, Union

from pydantic import AfterValidator, Field, PlainSerializer, SkipValidation, StringConstraints, WithJsonSchema
from typing_extensions import TypeAliasType

from tallyboard.models.common import check_number


@dataclass(frozen=True)
class JsonLimits:
    """What a bounded object may hold. DynamoDB numbers hold 38 digits between 1e-130 and 1e125:
    the number bounds keep every value storable exactly (no 500 from a huge or tiny value)."""

    name: str  # the schema components' prefix: one named type per depth
    max_depth: int  # the object itself is depth 1
    max_keys: int  # of any object, the top one included
    max_key: int  # characters of a key
    max_number: float
    min_fraction: float
    max_items: int | None = None  # of a nested list (else only the byte size bounds it)
    max_string: int | None = None


def _check(value: Any, depth: int, limits: JsonLimits) -> None:
    if depth > limits.max_depth:
        raise ValueError(f"is nested deeper than {limits.max_depth} levels")
    if value is None or isinstance(value, bool):
        return
    if isinstance(value, int | float):
        check_number(value, limits.max_number, limits.min_fraction)
    elif isinstance(value, str):
        if limits.max_string is not None and len(value) > limits.max_string:
            raise ValueError(f"strings must be at most {limits.max_string} characters")
    elif isinstance(value, list):
        _check_list(value, depth, limits)
    elif isinstance(value, dict):
        _check_object(value, depth, limits)
    else:
        raise ValueError("must be plain JSON")


def _check_list(value: list[Any], depth: int, limits: JsonLimits) -> None:
    if limits.max_items is not None and len(value) > limits.max_items:
        raise ValueError(f"lists must hold at most {limits.max_items} items")
    for item in value:
        _check(item, depth + 1, limits)


def _check_object(value: dict[Any, Any], depth: int, limits: JsonLimits) -> None:
    if len(value) > limits.max_keys:
        raise ValueError(f"objects must hold at most {limits.max_keys} keys")
    for key, item in value.items():
        if not isinstance(key, str) or not 1 <= len(key) <= limits.max_key:
            raise ValueError(f"keys must be 1 to {limits.max_key} characters")
        _check(item, depth + 1, limits)


def bounded(value: dict[str, Any], max_bytes: int, limits: JsonLimits) -> dict[str, Any]:
    _check(value, 1, limits)
    if len(json.dumps(value, ensure_ascii=False).encode()) > max_bytes:
        raise ValueError(f"must be at most {max_bytes} bytes as JSON")
    return value


def number_ranges(max_number: float, min_fraction: float) -> list[dict[str, Any]]:
    """What check_number accepts, as JSON Schema alternatives: 0, or a magnitude in range."""
    return [
        {"const": 0},
        {"minimum": min_fraction, "maximum": max_number},
        {"minimum": -max_number, "maximum": -min_fraction},
    ]


def _number_schema(limits: JsonLimits) -> dict[str, Any]:
    return {"type": "number", "anyOf": number_ranges(limits.max_number, limits.min_fraction)}


def json_value(depth: int, limits: JsonLimits) -> Any:
    """The JSON Schema of a value nested at `depth`, as a named type (one OpenAPI component per
    depth, `<name><depth>`): the limits `_check` enforces, down to the last depth, whose lists and
    objects must be empty. Never validated by pydantic (`_check` is, with its own messages): it
    only describes."""
    last = depth == limits.max_depth
    child = Any if last else json_value(depth + 1, limits)
    key = Annotated[str, StringConstraints(min_length=1, max_length=limits.max_key)]
    return TypeAliasType(
        f"{limits.name}{depth}",
        Union[  # noqa: UP007 - a runtime union of annotated types
            bool,
            Annotated[float, WithJsonSchema(_number_schema(limits))],
            Annotated[str, StringConstraints(max_length=limits.max_string)],
            Annotated[list[child], Field(max_length=0 if last else limits.max_items)],  # type: ignore[valid-type]
            Annotated[dict[key, child], Field(max_length=0 if last else limits.max_keys)],  # type: ignore[valid-type]
            None,
        ],
    )


def _as_sent(value: Any) -> Any:
    return value


def bounded_json_object(max_bytes: int, limits: JsonLimits) -> Any:
    """A JSON object within `limits` and `max_bytes`. The schema states every limit but the total
    size (JSON Schema has no measure of it; the description says it)."""
    member = SkipValidation[json_value(2, limits)]  # type: ignore[misc, valid-type]
    return Annotated[
        dict[str, member],  # type: ignore[valid-type]
        AfterValidator(partial(bounded, max_bytes=max_bytes, limits=limits)),
        PlainSerializer(_as_sent),  # checked JSON, kept as sent (the union of members only describes)
        Field(
            description=f"At most {max_bytes} bytes as JSON",
            json_schema_extra={
                "maxProperties": limits.max_keys,
                "propertyNames": {"minLength": 1, "maxLength": limits.max_key},
            },
        ),
    ]
