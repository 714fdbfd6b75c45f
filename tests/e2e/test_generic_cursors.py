"""Every list route (a GET operation taking `cursor`), enumerated from the OpenAPI document:
paging by cursor walks the same items in the same order as paging by offset; a cursor is
sealed to its list, tenant, project and filters, so a tampered, forged or another tenant's
cursor is a 400 naming `cursor` and never data; an offset past the cap is a 400 that points at
`cursor`."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable
from typing import Any

import pytest

from tallyboard.models.common import MAX_OFFSET
from tests.conftest import Tenant, assert_error
from tests.e2e.generic_spec import Examples, Operation, Resources, operations, served_spec_for_collection

SPEC = served_spec_for_collection()
OPERATIONS = operations(SPEC)
LISTS = [
    op for op in OPERATIONS if op.method == "GET" and any(p["name"] == "cursor" for p in op.params("query"))
]
ITEMS = 3


def _resources(tenant: Tenant) -> Resources:
    return Resources(tenant, OPERATIONS, Examples(SPEC, tenant.project_id, "zq" + secrets.token_hex(6)))


def _seed(op: Operation, tenant: Tenant, resources: Resources) -> None:
    """A few items in the list, through its collection's POST where there is one."""
    post = next((o for o in OPERATIONS if o.method == "POST" and o.path == op.path), None)
    for _ in range(ITEMS if post else 0):
        resources.tenant.post(
            resources.fill(op.path), params=resources.examples.query(post), json=resources.examples.body(post)
        )


def _page(tenant: Tenant, path: str, query: dict[str, str], **extra: Any) -> dict[str, Any]:
    response = tenant.get(path, params={**query, **{k: str(v) for k, v in extra.items()}})
    assert response.status_code == 200, f"{path} {extra}: {response.status_code} {response.text[:300]}"
    return response.json()


def _ids(body: dict[str, Any]) -> list[str]:
    """Each item's identity (its state may move on between reads: an export's progress)."""
    return [
        item.get("id") or next(v for k, v in item.items() if k.endswith("Id") and k != "projectId")
        for item in body["data"]
    ]


def _forged(cursor: str | None) -> list[str]:
    position = base64.urlsafe_b64encode(json.dumps({"k": {"pk": {"S": "WS#ws_other"}}, "o": 1}).encode())
    forged = [f"{position.decode().rstrip('=')}.{base64.urlsafe_b64encode(secrets.token_bytes(16)).decode()}"]
    if cursor:
        payload, mac = cursor.split(".")
        flipped = ("A" if mac[0] != "A" else "B") + mac[1:]
        forged += [f"{payload}.{flipped}", f"{payload[:-2]}{'AA' if payload[-2:] != 'AA' else 'BB'}.{mac}"]
    return [f.rstrip("=") for f in forged]


@pytest.mark.parametrize("op", LISTS, ids=str)
def test_cursor_pages_are_the_offset_pages_and_sealed_to_their_list(
    op: Operation, make_tenant: Callable[..., Tenant]
) -> None:
    tenant, other = make_tenant("agency"), make_tenant("agency")
    resources, other_resources = _resources(tenant), _resources(other)
    _seed(op, tenant, resources)
    _seed(op, other, other_resources)
    path, query = resources.fill(op.path), resources.examples.query(op)

    whole = _page(tenant, path, query)
    by_offset = [_page(tenant, path, query, limit=1, offset=n) for n in range(len(whole["data"]))]
    walked, cursor, first_cursor = [], None, None
    for _ in range(len(whole["data"]) + 1):
        body = _page(tenant, path, query, limit=1, **({"cursor": cursor} if cursor else {}))
        walked += _ids(body)
        cursor = body["pagination"]["nextCursor"]
        first_cursor = first_cursor or cursor
        assert body["pagination"]["hasMore"] == (cursor is not None)
        if cursor is None:
            break
    assert walked == _ids(whole) == [i for page in by_offset for i in _ids(page)]

    other_path, other_query = other_resources.fill(op.path), other_resources.examples.query(op)
    refused = [(tenant, path, query, c) for c in _forged(first_cursor)]
    if first_cursor:  # the same list of another tenant
        refused.append((other, other_path, other_query, first_cursor))
    for who, where, params, bad in refused:
        response = who.get(where, params={**params, "limit": "1", "cursor": bad})
        body = assert_error(response, 400)
        assert "cursor" in json.dumps(body.get("details") or {}) + body["message"], body

    too_deep = tenant.get(path, params={**query, "offset": str(MAX_OFFSET + 1)})
    assert "cursor" in assert_error(too_deep, 400)["message"]
