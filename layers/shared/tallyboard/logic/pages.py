"""Pages of every list: `limit` with a capped `offset` (the documents' clients) or a sealed
`cursor` (one page at any depth).

A cursor is the DynamoDB key to resume after, with the position it stands at, MACed (HMAC-SHA256)
together with the list's scope — the list, tenant, project and filters that decide its content.
A forged or altered cursor, or one from another tenant, project or filter, is a 400: it never
reaches a Query. Sealed, not encrypted: what it carries is the caller's own item key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from tallyboard.data.cursor_key import cursor_key
from tallyboard.data.dynamo import Page
from tallyboard.errors import BadRequest
from tallyboard.models.common import PageSpec, Pagination

_MAC_BYTES = 16


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _mac(scope: str, payload: str) -> bytes:
    return hmac.new(cursor_key(), f"{scope}\n{payload}".encode(), hashlib.sha256).digest()[:_MAC_BYTES]


def seal(position: dict[str, Any], scope: str) -> str:
    payload = _b64(json.dumps(position, separators=(",", ":"), sort_keys=True).encode())
    return f"{payload}.{_b64(_mac(scope, payload))}"


def _invalid() -> BadRequest:
    return BadRequest(
        "Invalid parameter: cursor is not a nextCursor of this list",
        {"cursor": "the pagination.nextCursor of a previous page, with the same project and filters"},
    )


def open_cursor(cursor: str, scope: str) -> dict[str, Any]:
    payload, _, mac = cursor.partition(".")
    try:
        valid = hmac.compare_digest(_unb64(mac), _mac(scope, payload))
        position = json.loads(_unb64(payload)) if valid else None
    except ValueError:
        position = None
    if not isinstance(position, dict) or not isinstance(position.get("k"), dict):
        raise _invalid()
    return position


def page_spec(limit: int, offset: int, cursor: str | None, scope: str) -> PageSpec:
    cursor_key()  # read once per container whether or not this request pages on
    if cursor is None:
        return PageSpec(limit, offset, None, scope)
    if offset:
        raise BadRequest(
            "Invalid parameter: send either offset or cursor, not both", {"cursor": "without offset"}
        )
    position = open_cursor(cursor, scope)
    return PageSpec(limit, int(position.get("o", 0)), position["k"], scope)


def pagination(spec: PageSpec, total: int, page: Page) -> Pagination:
    next_offset = spec.offset + len(page.items)
    next_cursor = seal({"k": page.next_key, "o": next_offset}, spec.scope) if page.next_key else None
    return Pagination(
        total=total,
        limit=spec.limit,
        offset=spec.offset,
        hasMore=page.next_key is not None,
        nextCursor=next_cursor,
    )
