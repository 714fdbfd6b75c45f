"""Control characters over real HTTP: refused at the door in every text a request stores (a 400
naming the field, nothing stored), tab and line breaks kept in long text; and text stored before
the rule (written straight to the tables here) is shown escaped by every text rendering."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard.data.dashboards import widgets as stored_widgets
from tallyboard.logic import metrics
from tests.conftest import Tenant, assert_error
from tests.e2e.test_dashboards import create_dashboard
from tests.e2e.test_widgets import add_widget

ESC_RED = "\x1b[31m"
# (what, method, path, body, the field the 400 names, the list that must not change)
CASES = [
    ("client name", "POST", "/clients", {"name": f"Acme{ESC_RED}"}, "name", "/clients"),
    ("client name, NUL at an end", "POST", "/clients", {"name": "\x00Acme"}, "name", "/clients"),
    ("project name", "PATCH", "/projects/{pid}", {"name": "Launch\x07"}, "name", "/projects/{pid}"),
    (
        "project description",
        "PATCH",
        "/projects/{pid}",
        {"description": "a\x00b"},
        "description",
        "/projects/{pid}",
    ),
    ("task name", "POST", "/projects/{pid}/tasks", {"name": "Brief\x1b"}, "name", "/projects/{pid}/tasks"),
    (
        "task list, a tab in a name",
        "POST",
        "/projects/{pid}/tasks",
        {"name": "Brief", "task_list": "To\tdo"},
        "task_list",
        "/projects/{pid}/tasks",
    ),
    (
        "dashboard name",
        "POST",
        "/dashboards",
        {"projectId": "{pid}", "name": f"Board{ESC_RED}"},
        "name",
        "/dashboards?projectId={pid}",
    ),
    (
        "dashboard tag, a line break in a name",
        "POST",
        "/dashboards",
        {"projectId": "{pid}", "name": "Board", "tags": ["ok", "two\nlines"]},
        "tags.1",
        "/dashboards?projectId={pid}",
    ),
    (
        "theme name",
        "POST",
        "/projects/{pid}/data_color_themes",
        {"name": "Brand\x1b", "colors": ["#ffffff"]},
        "name",
        "/projects/{pid}/data_color_themes",
    ),
    (
        "note text",
        "POST",
        "/projects/{pid}/notes",
        {"notes": f"Kick-off{ESC_RED}"},
        "notes",
        "/projects/{pid}/notes",
    ),
    (
        "note text, a lone CR",
        "POST",
        "/projects/{pid}/notes",
        {"notes": "fake\rline"},
        "notes",
        "/projects/{pid}/notes",
    ),
    (
        "metric unit",
        "POST",
        "/metrics/custom",
        {"projectId": "{pid}", "metricId": "m", "value": 1, "unit": f"USD{ESC_RED}"},
        "unit",
        "/metrics?projectId={pid}",
    ),
    (
        "metric name in a batch",
        "POST",
        "/metrics/custom/batch",
        {"projectId": "{pid}", "points": [{"metricId": "m", "value": 1, "metricName": "M\x7f"}]},
        "points.0.metricName",
        "/metrics?projectId={pid}",
    ),
    ("lead notes", "POST", "/leads", {"name": "Lead", "notes": "x\x08y"}, "notes", "/leads"),
]


def _filled(value: Any, project_id: str) -> Any:
    if isinstance(value, str):
        return value.replace("{pid}", project_id)
    if isinstance(value, list):
        return [_filled(v, project_id) for v in value]
    if isinstance(value, dict):
        return {k: _filled(v, project_id) for k, v in value.items()}
    return value


def _read(tenant: Tenant, path: str) -> Any:
    response = tenant.get(path)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("what", "method", "path", "body", "field", "listed"), CASES, ids=[c[0] for c in CASES]
)
def test_a_control_character_is_a_400_naming_the_field_and_nothing_is_stored(
    tenant: Tenant, what: str, method: str, path: str, body: dict[str, Any], field: str, listed: str
) -> None:
    path, body, listed = (_filled(v, tenant.project_id) for v in (path, body, listed))
    before = _read(tenant, listed)

    response = tenant.request(method, path, json=body)

    details = assert_error(response, 400, "Bad Request")["details"]
    assert field in details, details
    assert "control characters" in details[field]
    assert _read(tenant, listed) == before


def test_a_widget_title_with_a_control_character_is_refused(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant, name="Board")
    path = f"/dashboards/{dashboard['id']}/widgets"
    assert "title" in assert_error(tenant.post(path, json={"type": "text", "title": "T\x1b"}), 400)["details"]
    widget = add_widget(tenant, dashboard["id"])
    patched = tenant.patch(f"{path}/{widget['id']}", json={"title": "\x00"})
    assert "title" in assert_error(patched, 400)["details"]
    assert _read(tenant, f"/dashboards/{dashboard['id']}")["data"]["widgets"] == [widget]


def test_long_text_keeps_tabs_and_line_breaks(tenant: Tenant) -> None:
    text = "Agenda:\n\t1. budget\r\n\t2. dates\n"
    created = tenant.post(f"/projects/{tenant.project_id}/notes", json={"notes": text, "title": "Kick-off"})
    assert created.status_code == 201, created.text
    notes = _read(tenant, f"/projects/{tenant.project_id}/notes")["data"]
    assert [n["notes"] for n in notes] == [text]


# ----------------------------------------------------------------------------- stored before the rule


def _legacy_board(tenant: Tenant) -> dict[str, Any]:
    """A dashboard whose tile title and metric unit hold ESC and NUL, as a write before the rule
    stored them (straight to the tables: the API refuses them now)."""
    metrics.record_points(
        tenant.workspace_id,
        tenant.project_id,
        [{"metricId": "legacy", "value": 5, "unit": f"USD{ESC_RED}", "metricName": "Sales\x00"}],
    )
    dashboard = create_dashboard(tenant, name="Legacy")
    widget = add_widget(tenant, dashboard["id"], title="Plain", config={"metricId": "legacy"})
    changes = {"title": f"Red{ESC_RED}tile\x07"}
    assert stored_widgets.update_widget(tenant.workspace_id, dashboard["id"], widget["id"], changes, 1)
    return dashboard


def test_run_insights_as_text_shows_stored_control_characters_escaped(tenant: Tenant) -> None:
    dashboard = _legacy_board(tenant)

    response = tenant.get(f"/dashboards/{dashboard['id']}/run_insights", params={"format": "txt"})

    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    text = response.text
    assert not any(ord(c) < 0x20 and c not in "\t\n" for c in text), repr(text)
    assert "title: Red␛[31mtile␇" in text
    assert "unit: USD␛[31m" in text


def test_generate_metadata_does_not_repeat_stored_control_characters(tenant: Tenant) -> None:
    dashboard = _legacy_board(tenant)

    response = tenant.post(f"/dashboards/{dashboard['id']}/generate_metadata")

    assert response.status_code == 200, response.text
    suggested = response.json()
    assert "Sales␀" in suggested["name"] and "USD␛[31m" in suggested["description"], suggested
    assert not any(ord(c) < 0x20 for c in suggested["name"] + suggested["description"])
    # the suggestion is text the API takes back
    saved = tenant.patch(
        f"/dashboards/{dashboard['id']}", json={k: suggested[k] for k in ("name", "description")}
    )
    assert saved.status_code == 200, saved.text
