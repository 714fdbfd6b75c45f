"""Pure rendering of the console's keys and audit pages, and the status of an API refusal page."""

from __future__ import annotations

from typing import Any

import pytest
from tallyboard_client._errors import (
    APIConnectionError,
    AuthenticationError,
    BadRequestError,
    PermissionDeniedError,
)

from tallyboard.console import audit, keys
from tallyboard.console.routing import Context

KEY = {
    "id": "key_1",
    "name": "<b>CI</b>",
    "role": "editor",
    "projectIds": ["proj_a"],
    "scopes": [],
    "maskedKey": "tb_…abcd",
    "status": "active",
    "userId": "user_1",
    "createdAt": 1_764_763_200_000,
}


def test_the_keys_table_is_masked_escaped_and_revokes_active_keys_only() -> None:
    revoked = {**KEY, "id": "key_2", "status": "revoked", "revokedAt": 1_764_763_260_000}
    html = keys.keys_table("/v1", "tok", [KEY, revoked])

    assert "<code>tb_…abcd</code>" in html and "&lt;b&gt;CI&lt;/b&gt;" in html and "<b>" not in html
    assert html.count('action="/v1/console/keys/key_1/revoke"') == 1
    assert "key_2/revoke" not in html and "revoked 2025-12-03 12:01" in html
    assert 'name="csrf" value="tok"' in html
    assert ">all<" in html  # no scopes: as wide as the creating key


def test_the_create_form_lists_every_documented_scope_and_the_projects() -> None:
    html = keys.create_form("", "tok", [{"id": "proj_a", "name": "Alpha"}], {"scope.query:read": "on"})

    for scope in keys.SCOPES:
        assert f'name="scope.{scope}"' in html
    assert 'id="scope-query-read" name="scope.query:read" value="on" checked' in html
    assert 'id="project-proj_a" name="project.proj_a"' in html and "Alpha (proj_a)" in html
    assert '<option value="viewer" selected>' in html  # least privilege first


def test_the_create_request_sends_what_was_typed_for_the_api_to_judge() -> None:
    form = {"csrf": "t", "name": "", "role": "admin", "project.proj_a": "on", "scope.metrics:read": "on"}
    assert keys.create_request(form) == {
        "name": "",
        "role": "admin",
        "projectIds": ["proj_a"],
        "scopes": ["metrics:read"],
    }
    assert keys.create_request({"name": "x", "role": "viewer"})["projectIds"] is None


def test_the_created_page_holds_the_plaintext_once() -> None:
    html = keys.created_body("", {**KEY, "key": "tb_secret<"})
    assert html.count("tb_secret&lt;") == 1 and "tb_secret<" not in html


def test_audit_dates_are_whole_days_and_anything_else_goes_as_typed() -> None:
    choice = audit.choice_of({"startDate": "2026-05-01", "endDate": "2026-05-02", "limit": "7"})
    query = audit.api_query(choice, None, 0)
    assert (query["startDate"], query["endDate"], query["limit"]) == (
        "2026-05-01",
        "2026-05-02T23:59:59.999Z",
        25,
    )
    odd = audit.api_query(audit.choice_of({"endDate": "2026-02-30", "startDate": "soon"}), "c", 5)
    assert (odd["startDate"], odd["endDate"], odd["cursor"], odd["offset"]) == ("soon", "2026-02-30", "c", 5)


def test_the_pager_follows_next_cursor_and_steps_back_by_offset() -> None:
    choice = audit.choice_of({"action": "dashboard_created", "limit": "10"})
    middle = audit.pager("", choice, {"total": 30, "limit": 10, "offset": 10, "nextCursor": "abc+/="}, 10)
    assert "Entries 11 to 20 of 30" in middle
    assert 'rel="prev" href="/console/audit?action=dashboard_created&amp;limit=10&amp;offset=0"' in middle
    assert (
        'rel="next" href="/console/audit?action=dashboard_created&amp;limit=10&amp;cursor=abc%2B%2F%3D"'
        in middle
    )
    last = audit.pager("", choice, {"total": 30, "limit": 10, "offset": 20, "nextCursor": None}, 10)
    assert 'rel="next"' not in last and "offset=10" in last
    assert 'rel="prev"' not in audit.pager("", choice, {"total": 0, "offset": 0}, 0)


def test_audit_rows_name_who_and_summarise_metadata() -> None:
    entry: dict[str, Any] = {
        "userId": "user_1",
        "action": "<x>",
        "metadata": {"b": {"n": 1}, "a": "y"},
        "createdAt": 0,
    }
    assert audit.summary(entry["metadata"]) == 'a: y; b: {"n":1}'
    assert audit.who(entry, {"user_1": "Ada"}) == "Ada (user_1)" and audit.who(entry, {}) == "user_1"
    html = audit.entries_table([entry], {})
    assert "&lt;x&gt;" in html and "1970-01-01 00:00" in html
    assert audit.entries_table([], {}) == "<p>No entries match.</p>"


def _context() -> Context:
    return Context(request=None, session=None, client=None, csrf="tok", base="")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (BadRequestError(400, {"error": "Bad Request", "message": "name too short"}, {}), 400),
        (PermissionDeniedError(403, {"error": "Forbidden", "message": "owner role"}, {}), 403),
        (APIConnectionError("refused"), 502),
    ],
)
def test_an_api_refusal_is_a_page_with_its_status(error: Exception, status: int) -> None:
    page = _context().failure("API keys", error)  # type: ignore[arg-type]
    assert page.status_code == status
    assert str(error).split(": ")[-1].encode() in page.body


def test_a_401_signs_out_rather_than_showing_a_page() -> None:
    with pytest.raises(AuthenticationError):
        _context().failure("API keys", AuthenticationError(401, {"message": "Invalid"}, {}))


def test_the_audit_filters_offer_a_project_choice_only_when_there_is_one_to_make() -> None:
    choice = audit.choice_of({"projectId": "proj_b"})
    two = audit.filter_form("", choice, [{"id": "proj_a", "name": "A"}, {"id": "proj_b", "name": "B"}])
    assert '<option value="proj_b" selected>B</option>' in two and '<option value="proj_a">A</option>' in two
    assert 'name="projectId"' not in audit.filter_form("", choice, [{"id": "proj_a", "name": "A"}])
