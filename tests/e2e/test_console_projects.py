"""The console's agency pages in a real browser against the session stack: the projects list,
a project's stats and campaign figures (exactly GET /projects/{id}/stats and /metrics), and the
tasks board (a column per status holding exactly the API's tasks, the API's filters, a move that
PATCHes the task). Refusals over plain HTTP: a move without its CSRF token, a viewer's move (the
API's 403), a bad status (the API's 400), an unknown or foreign project (the API's 404)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tests.conftest import Tenant
from tests.e2e.console_browser import axe_serious, console, shot, sign_in, submit
from tests.e2e.test_clients import create_client, create_project
from tests.e2e.test_console import signed_in_cookie
from tests.e2e.test_projects import add_lead
from tests.e2e.test_tasks import add_member, create_task
from tests.e2e.test_time_notes import log_time

STATUSES = ("todo", "in-progress", "done")


@dataclass
class Agency:
    project: dict[str, Any]
    client: dict[str, Any]
    tasks: list[dict[str, Any]]


@pytest.fixture
def agency(tenant: Tenant) -> Agency:
    ann, bob = add_member(tenant, "Ann Lee"), add_member(tenant, "Bob Stone")
    client = create_client(tenant, name="Acme <Corp>")
    project = create_project(
        tenant,
        client["id"],
        name="Spring launch",
        budget=1000,
        start_date="2026-01-05",
        end_date="2026-03-31",
    )
    for status, value in (("Closed", 1234.5), ("Needs Closing", 800), ("No Response", None)):
        add_lead(tenant, project["id"], status, value)
    specs = [
        {
            "name": "Wireframes",
            "status": "todo",
            "priority": "high",
            "assigned_to": [ann],
            "task_list": "Design",
        },
        {"name": "Copy <draft>", "status": "todo", "assigned_to": [bob], "task_list": "Content"},
        {"name": "Mockups", "status": "in-progress", "priority": "medium", "assigned_to": [ann, bob]},
        {
            "name": "Logo",
            "status": "done",
            "priority": "low",
            "assigned_to": [ann],
            "task_list": "Design",
            "due_date": "2026-02-15T17:00:00Z",
        },
        {"name": "Kick-off", "status": "done"},
    ]
    tasks = [create_task(tenant, project["id"], **spec) for spec in specs]
    log_time(tenant, project["id"], user_id=ann, hours=2.5, billable=True)
    log_time(tenant, project["id"], user_id=bob, hours=1.25, billable=False)
    return Agency(project, client, tasks)


def _cells(row: Any) -> list[str]:
    from selenium.webdriver.common.by import By

    return [c.text for c in row.find_elements(By.CSS_SELECTOR, "th, td")]


def _rows(driver: Any, table: str) -> list[list[str]]:
    from selenium.webdriver.common.by import By

    return [_cells(r) for r in driver.find_elements(By.CSS_SELECTOR, f"table.{table} tbody tr")]


def _narrow(driver: Any, name: str) -> int:
    driver.set_window_size(360, 900)
    width = int(driver.execute_script("return document.documentElement.scrollWidth"))
    shot(driver, f"{name}-360px")
    driver.set_window_size(1280, 1000)
    return width


def _money(value: float) -> str:
    return f"{value:,.2f}"


def test_projects_and_a_project_show_the_apis_stats_and_campaign_figures(
    driver: Any, tenant: Tenant, agency: Agency
) -> None:
    from selenium.webdriver.common.by import By

    sign_in(driver, tenant)
    driver.get(console(tenant, "/projects"))
    listed = tenant.get("/projects").json()["data"]
    assert _rows(driver, "projects") == [
        [
            p["name"],
            agency.client["name"] if p["client_id"] == agency.client["id"] else "—",
            p["status"],
            p["start_date"] or "—",
            p["end_date"] or "—",
        ]
        for p in listed
    ]
    assert len(listed) == 2
    assert axe_serious(driver) == []
    shot(driver, "projects")
    assert _narrow(driver, "projects") <= 360

    link = driver.find_element(By.LINK_TEXT, "Spring launch")
    link.click()
    project_id = agency.project["id"]
    assert driver.current_url == console(tenant, f"/projects/{project_id}")
    assert driver.find_element(By.TAG_NAME, "h1").text == "Spring launch"
    stats = tenant.get(f"/projects/{project_id}/stats").json()["data"]
    counts = stats["tasks"]
    assert (counts["todo"], counts["in_progress"], counts["done"], counts["total"]) == (2, 1, 2, 5)
    assert _rows(driver, "task-counts") == [
        ["To do", str(counts["todo"])],
        ["In progress", str(counts["in_progress"])],
        ["Done", str(counts["done"])],
        ["Total", str(counts["total"])],
    ]
    svg = driver.find_element(By.CSS_SELECTOR, "svg.bars")
    heights = [float(r.get_attribute("height")) for r in svg.find_elements(By.CSS_SELECTOR, "rect.bar")]
    assert len(heights) == 3 and heights[0] == heights[2] == 2 * heights[1] > 0
    summary = "5 tasks: 2 To do, 1 In progress, 2 Done"
    assert svg.find_element(By.TAG_NAME, "desc").get_attribute("textContent") == summary
    assert driver.find_element(By.CSS_SELECTOR, "p.summary").text == summary
    time = stats["time"]
    assert (time["total_hours"], time["billable_hours"], time["entries"]) == (3.75, 2.5, 2)
    assert _rows(driver, "time-logged") == [["3.75", "2.5", "2"]]
    assert _rows(driver, "team") == [
        [m["name"], str(m["assigned_tasks"]), f"{m['hours']:g}"] for m in stats["team"]
    ]
    assert [m["name"] for m in stats["team"]] == ["Ann Lee", "Bob Stone"]

    figures = tenant.get(f"/projects/{project_id}/metrics").json()
    assert (figures["roi"], figures["conversion_rate"]) == (23.45, 33.33)
    assert _rows(driver, "campaign") == [
        ["ROI", f"{figures['roi']}%"],
        ["Leads generated", str(figures["leads_generated"])],
        ["Cost per lead", _money(figures["cost_per_lead"])],
        ["Conversion rate", f"{figures['conversion_rate']}%"],
        ["Revenue generated", _money(figures["revenue_generated"])],
    ]
    facts = driver.find_element(By.CSS_SELECTOR, "dl.facts").text
    assert "Acme <Corp>" in facts and "1,000.00" in facts and "2026-03-31" in facts
    assert axe_serious(driver) == []
    shot(driver, "project")
    assert _narrow(driver, "project") <= 360
    dark = {"features": [{"name": "prefers-color-scheme", "value": "dark"}]}
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", dark)
    try:
        assert axe_serious(driver) == []  # the dark theme's contrast too
        shot(driver, "project-dark")
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


def _column_ids(driver: Any, status: str) -> list[str]:
    from selenium.webdriver.common.by import By

    column = driver.find_element(By.ID, f"col-{status}")
    return [li.get_attribute("data-task") for li in column.find_elements(By.CSS_SELECTOR, "li.task")]


def _api_ids(tenant: Tenant, project_id: str, **filters: str) -> dict[str, list[str]]:
    return {
        status: [
            t["id"]
            for t in tenant.get(f"/projects/{project_id}/tasks", params={"status": status, **filters}).json()[
                "data"
            ]
        ]
        for status in STATUSES
    }


def _board(driver: Any) -> dict[str, list[str]]:
    return {status: _column_ids(driver, status) for status in STATUSES}


def test_the_board_holds_the_apis_tasks_per_status_filters_and_moves_them(
    driver: Any, tenant: Tenant, agency: Agency
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    project_id = agency.project["id"]
    sign_in(driver, tenant)
    driver.get(console(tenant, "/tasks"))
    # The default project is the first the key sees.
    first = tenant.get("/projects").json()["data"][0]["id"]
    assert Select(driver.find_element(By.ID, "project")).first_selected_option.get_attribute("value") == first
    assert _board(driver) == _api_ids(tenant, first)

    Select(driver.find_element(By.ID, "project")).select_by_value(project_id)
    submit(driver, "form.board-filters button[type=submit]")
    headings = [h.text for h in driver.find_elements(By.CSS_SELECTOR, ".board section.column > h2")]
    assert headings == ["To do (2)", "In progress (1)", "Done (2)"]
    assert _board(driver) == _api_ids(tenant, project_id)
    logo = driver.find_element(By.ID, f"task-{agency.tasks[3]['id']}")
    assert logo.find_element(By.TAG_NAME, "h3").text == "Logo"
    assert "Ann Lee" in logo.text and "Low" in logo.text and "2026-02-15T17:00:00Z" in logo.text
    assert driver.find_element(By.ID, f"task-{agency.tasks[1]['id']}").find_element(
        By.TAG_NAME, "h3"
    ).text == ("Copy <draft>")
    assert axe_serious(driver) == []
    shot(driver, "tasks")
    driver.set_window_size(360, 900)
    lefts = {c.location["x"] for c in driver.find_elements(By.CSS_SELECTOR, "section.column")}
    driver.set_window_size(1280, 1000)
    assert len(lefts) == 1  # the columns stack at 360 px
    assert _narrow(driver, "tasks") <= 360

    # The filters narrow exactly as the API's do.
    Select(driver.find_element(By.ID, "assigned_to")).select_by_value("Ann Lee")
    submit(driver, "form.board-filters button[type=submit]")
    assert _board(driver) == _api_ids(tenant, project_id, assigned_to="Ann Lee")
    assert sum(map(len, _board(driver).values())) == 3
    driver.find_element(By.ID, "task_list").send_keys("Design")
    submit(driver, "form.board-filters button[type=submit]")
    assert "task_list=Design" in driver.current_url and f"project={project_id}" in driver.current_url
    assert _board(driver) == _api_ids(tenant, project_id, assigned_to="Ann Lee", task_list="Design")
    assert _board(driver) == {
        "todo": [agency.tasks[0]["id"]],
        "in-progress": [],
        "done": [agency.tasks[3]["id"]],
    }

    # Moving a task: its status changes in the API and it changes column; the filters stay.
    wireframes = agency.tasks[0]["id"]
    Select(driver.find_element(By.ID, f"move-{wireframes}")).select_by_value("in-progress")
    submit(driver, f"#task-{wireframes} form.move button[type=submit]")
    assert tenant.get(f"/tasks/{wireframes}").json()["data"]["status"] == "in-progress"
    assert "task_list=Design" in driver.current_url and "assigned_to=Ann+Lee" in driver.current_url
    assert _board(driver) == {"todo": [], "in-progress": [wireframes], "done": [agency.tasks[3]["id"]]}
    assert axe_serious(driver) == []


# ----------------------------------------------------------------------------- over HTTP


def _session(tenant: Tenant) -> tuple[dict[str, str], str]:
    """A signed-in cookie and the CSRF token of the board's forms."""
    cookie, _ = signed_in_cookie(tenant)
    cookies = {"tb_console": cookie}
    page = requests.get(console(tenant, "/tasks"), cookies=cookies, timeout=30)
    assert page.status_code == 200, page.text
    return cookies, re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def _move(tenant: Tenant, cookies: dict[str, str], task_id: str, **data: str) -> requests.Response:
    return requests.post(
        console(tenant, f"/tasks/{task_id}/move"),
        data=data,
        cookies=cookies,
        allow_redirects=False,
        timeout=30,
    )


def _status(tenant: Tenant, task_id: str) -> str:
    return str(tenant.get(f"/tasks/{task_id}").json()["data"]["status"])


def test_a_move_redirects_back_to_the_board_it_came_from(tenant: Tenant) -> None:
    task = create_task(tenant, status="todo")
    cookies, csrf = _session(tenant)
    back = f"project={tenant.project_id}&task_list=Design&evil=1"

    moved = _move(tenant, cookies, task["id"], csrf=csrf, status="done", back=back + "\r\nX-Injected: 1")

    assert moved.status_code == 303, moved.text
    assert moved.headers["Location"] == f"/v1/console/tasks?project={tenant.project_id}&task_list=Design"
    assert _status(tenant, task["id"]) == "done"


def test_a_move_without_its_csrf_token_is_refused_and_changes_nothing(tenant: Tenant) -> None:
    task = create_task(tenant, status="todo")
    cookies, _ = _session(tenant)

    for data in ({"status": "done"}, {"status": "done", "csrf": "forged"}):
        refused = _move(tenant, cookies, task["id"], **data)
        assert refused.status_code == 403, refused.text

    assert _status(tenant, task["id"]) == "todo"
    assert tenant.get(f"/tasks/{task['id']}").json()["data"]["completed_at"] is None


def test_a_viewer_reads_the_board_but_its_move_is_the_apis_403(tenant: Tenant) -> None:
    task = create_task(tenant, name="Viewer sees me", status="todo")
    viewer = tenant.create_key("viewer")
    cookies, csrf = _session(viewer)

    board = requests.get(console(viewer, "/tasks"), cookies=cookies, timeout=30)
    moved = _move(viewer, cookies, task["id"], csrf=csrf, status="done")
    api = viewer.patch(f"/tasks/{task['id']}", json={"status": "done"})

    assert board.status_code == 200 and f'data-task="{task["id"]}"' in board.text
    assert api.status_code == 403
    assert moved.status_code == 403, moved.text
    assert 'role="alert"' in moved.text and html.escape(api.json()["message"]) in moved.text
    assert _status(tenant, task["id"]) == "todo"


def test_a_bad_status_is_the_apis_400_and_changes_nothing(tenant: Tenant) -> None:
    task = create_task(tenant, status="todo")
    cookies, csrf = _session(tenant)

    moved = _move(tenant, cookies, task["id"], csrf=csrf, status="blocked")
    api = tenant.patch(f"/tasks/{task['id']}", json={"status": "blocked"})

    assert api.status_code == 400
    assert moved.status_code == 400, moved.text
    assert html.escape(api.json()["message"]) in moved.text
    assert _status(tenant, task["id"]) == "todo"


def test_an_unknown_or_foreign_project_or_task_is_the_apis_404(tenant: Tenant, other_tenant: Tenant) -> None:
    cookies, csrf = _session(tenant)
    foreign = other_tenant.project_id

    pages = {
        "unknown": requests.get(console(tenant, "/projects/proj_doesnotexist"), cookies=cookies, timeout=30),
        "foreign": requests.get(console(tenant, f"/projects/{foreign}"), cookies=cookies, timeout=30),
        "board": requests.get(
            console(tenant, "/tasks"), params={"project": foreign}, cookies=cookies, timeout=30
        ),
    }
    task = create_task(other_tenant, status="todo")
    moved = _move(tenant, cookies, task["id"], csrf=csrf, status="done")

    for name, page in pages.items():
        assert page.status_code == 404, (name, page.text)
        assert 'role="alert"' in page.text, name
    assert "Project not found" in pages["foreign"].text
    assert moved.status_code == 404
    assert _status(other_tenant, task["id"]) == "todo"


def test_keyboard_alone_reaches_every_control_of_the_board(
    driver: Any, tenant: Tenant, agency: Agency
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    sign_in(driver, tenant)
    driver.get(console(tenant, f"/tasks?project={agency.project['id']}"))
    controls = driver.execute_script(
        "return [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select')]"
        ".map((e, i) => { e.dataset.k = i; return String(i); })"
    )
    reached = []
    for _ in range(len(controls) + 5):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        reached.append(driver.execute_script("return document.activeElement.dataset.k || null"))

    assert [k for k in controls if k in reached] == controls
    # brand, nav, sign out, the filters (project, assignee, task list, Show), a select + button a task
    assert len(controls) == 1 + 10 + 1 + 4 + 2 * len(agency.tasks)
