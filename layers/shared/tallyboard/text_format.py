"""`format=txt` (docs/api.md): the same answer as readable plain text (text/plain), errors included.

A handler opts in by wrapping its Lambda entry point: `lambda_handler = with_text_format(
api_handler(app))`. Whatever JSON the function answers — a result, a validation error, a rate
limit — is rendered when the request's query has `format=txt`; other bodies pass through."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

TEXT = "text/plain; charset=utf-8"
INDENT = "  "


@cache
def _pictures(keep: str) -> dict[int, int]:
    table = {code: 0x2400 + code for code in range(0x20)}  # U+2400-U+241F: ␀ … ␟
    table[0x7F] = 0x2421  # ␡
    for char in keep:
        table.pop(ord(char), None)
    return table


def visible_controls(text: str, keep: str = "") -> str:
    """`text` with each C0 control character and DEL shown as its Unicode control picture (ESC as
    ␛, NUL as ␀), but those in `keep`. For text stored before requests refused them (models/
    common.py): a terminal, a spreadsheet or a log then shows them and never acts on them.
    Pictures rather than `\x1b`: one character for one (lengths and cuts stay), nothing a user
    could have typed as text reads as an escape, and no backslash for JSON or CSV to double."""
    return text.translate(_pictures(keep))


def _scalar(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".") if not value.is_integer() else f"{value:,.0f}"
    return _text(str(value))


def _text(text: str) -> str:
    # One line per field: a stored line break would forge the next field's line; a tab is harmless.
    return visible_controls(text, keep="\t")


def _is_scalar(value: Any) -> bool:
    return not isinstance(value, dict | list)


def _when(key: str, value: Any) -> str | None:
    """Epoch-ms fields (…At, timestamp, last_refresh) also shown as UTC dates."""
    is_ms = isinstance(value, int) and not isinstance(value, bool) and 10**11 < value < 10**13
    if is_ms and (key.endswith("At") or key in {"timestamp", "last_refresh"}):
        return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return None


def render_lines(value: Any, depth: int = 0) -> list[str]:
    pad = INDENT * depth
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            if _is_scalar(item):
                when = _when(key, item)
                lines.append(f"{pad}{_text(str(key))}: {when if when else _scalar(item)}")
            elif isinstance(item, list) and all(_is_scalar(i) for i in item):
                shown = ", ".join(_scalar(i) for i in item) if item else "(none)"
                lines.append(f"{pad}{_text(str(key))}: {shown}")
            elif isinstance(item, list) and item and all(isinstance(i, list) for i in item):
                lines.append(f"{pad}{_text(str(key))}:")
                lines += [f"{pad}{INDENT}" + " | ".join(_scalar(c) for c in row) for row in item]
            else:
                lines.append(f"{pad}{_text(str(key))}:")
                lines += render_lines(item, depth + 1) or [f"{pad}{INDENT}(none)"]
        return lines
    if isinstance(value, list):
        lines = []
        for index, item in enumerate(value, 1):
            if _is_scalar(item):
                lines.append(f"{pad}- {_scalar(item)}")
                continue
            lines.append(f"{pad}[{index}]")
            lines += render_lines(item, depth + 1)
        return lines
    return [pad + _scalar(value)]


def render(body: Any, status: int) -> str:
    """A JSON answer as text: an error as `<status> <error>: <message>` and its details; a result
    as `key: value` lines, nested objects indented, lists numbered."""
    if isinstance(body, dict) and status >= 400 and {"error", "message"} <= set(body):
        lines = [f"{status} {_scalar(body['error'])}: {_scalar(body['message'])}"]
        extra = {k: v for k, v in body.items() if k not in {"error", "message"}}
        if extra:
            lines += render_lines(extra, 1)
        return "\n".join(lines) + "\n"
    return "\n".join(render_lines(body)) + "\n"


def _content_types(result: dict[str, Any]) -> list[tuple[str, str]]:
    """(headers or multiValueHeaders, header name) of each Content-Type the answer sets."""
    return [
        (where, name)
        for where in ("multiValueHeaders", "headers")
        for name in result.get(where) or {}
        if name.lower() == "content-type"
    ]


def wants_text(event: dict[str, Any]) -> bool:
    return ((event.get("queryStringParameters") or {}).get("format")) == "txt"


def with_text_format(
    handler: Callable[[dict[str, Any], Any], dict[str, Any]],
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        result = handler(event, context)
        if not wants_text(event):
            return result
        found = _content_types(result)
        if not found or result.get("isBase64Encoded"):
            return result
        where, name = found[-1]
        current = result[where][name]
        current = current[-1] if isinstance(current, list) else current
        if not str(current).startswith("application/json"):
            return result
        try:
            body = json.loads(result.get("body") or "null")
        except ValueError:
            return result
        result["body"] = render(body, int(result.get("statusCode", 200)))
        for where, name in found:
            result[where][name] = [TEXT] if where == "multiValueHeaders" else TEXT
        return result

    return lambda_handler
