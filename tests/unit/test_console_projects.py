"""The console's agency pages, rendered without a browser: campaign figures formatted (rates as
%, money in the project's currency, null as a dash), task counts in the contract's order, the
bars' heights and summary, the board's columns and escaping, and the move's way back."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tallyboard.console import projects

TASK = {"id": "task_1", "name": "Write", "status": "todo", "assigned_to": [], "priority": None}


@pytest.mark.parametrize(
    ("figures", "currency", "expected"),
    [
        (
            {"roi": 23.45, "leads_generated": 3, "cost_per_lead": 333.33, "conversion_rate": 33.33,
             "revenue_generated": 1234.5},
            None,
            ["23.45%", "3", "333.33", "33.33%", "1,234.50"],
        ),
        (
            {"roi": -100, "leads_generated": 0, "cost_per_lead": None, "conversion_rate": None,
             "revenue_generated": 0},
            "EUR",
            ["-100%", "0", "—", "—", "EUR 0.00"],
        ),
        (
            {"roi": None, "leads_generated": 1, "cost_per_lead": 0, "conversion_rate": 100,
             "revenue_generated": 50},
            "USD",
            ["—", "1", "USD 0.00", "100%", "USD 50.00"],
        ),
    ],
)  # fmt: skip
def test_campaign_figures_are_formatted(
    figures: dict[str, Any], currency: str | None, expected: list[str]
) -> None:
    rows = projects.campaign_rows(figures, currency)

    assert [label for label, _ in rows] == [
        "ROI",
        "Leads generated",
        "Cost per lead",
        "Conversion rate",
        "Revenue generated",
    ]
    assert [value for _, value in rows] == expected


def test_task_counts_follow_the_contracts_order() -> None:
    stats = {"tasks": {"total": 6, "done": 3, "in_progress": 2, "todo": 1}}

    assert projects.task_counts(stats) == [("todo", 1), ("in-progress", 2), ("done", 3)]
    assert projects.task_counts({}) == [("todo", 0), ("in-progress", 0), ("done", 0)]


def test_bars_are_proportional_and_summarised() -> None:
    svg = projects.bars("t", "Tasks <by> status", [("To do", 4), ("In progress", 2), ("Done", 0)])

    heights = [float(h) for h in re.findall(r'<rect class="bar"[^>]* height="([\d.]+)"', svg)]
    assert heights[0] == 2 * heights[1] > 0 and heights[2] == 0
    assert '<desc id="d-t">6 tasks: 4 To do, 2 In progress, 0 Done</desc>' in svg
    assert '<title id="t-t">Tasks &lt;by&gt; status</title>' in svg
    assert 'aria-labelledby="t-t d-t"' in svg and 'role="img"' in svg
    # No tasks at all: flat bars, no division by zero.
    assert "0 tasks" in projects.bars("z", "Empty", [("To do", 0)])


def test_the_board_has_a_column_per_status_holding_its_tasks() -> None:
    tasks = [
        {**TASK, "id": "task_a", "status": "done"},
        {**TASK, "id": "task_b", "name": "<b>bold</b>", "assigned_to": ["Ann", "Bob"], "priority": "High"},
        {**TASK, "id": "task_c", "status": "in-progress", "due_date": "2026-02-15"},
    ]
    page = projects.board_body(
        "/v1",
        "tok",
        [{"id": "proj_1", "name": "P"}],
        "proj_1",
        {"assigned_to": "Ann", "task_list": ""},
        [],
        tasks,
    )

    columns = re.findall(r'<section class="column" id="col-([a-z-]+)"', page)
    assert columns == ["todo", "in-progress", "done"]
    held = {
        status: re.findall(r'data-task="(task_\w+)"', chunk)
        for status, chunk in zip(columns, page.split('<section class="column"')[1:], strict=True)
    }
    assert held == {"todo": ["task_b"], "in-progress": ["task_c"], "done": ["task_a"]}
    assert "&lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold" not in page
    assert page.count('name="csrf" value="tok"') == 3
    assert page.count('action="/v1/console/tasks/task_b/move"') == 1
    # The move form carries the board's query back; the filter names an unknown member: kept.
    assert page.count('name="back" value="project=proj_1&amp;assigned_to=Ann"') == 3
    assert '<option value="Ann" selected>Ann</option>' in page
    assert '<option value="done" selected>Done</option>' in page


def test_no_tasks_is_said_per_column() -> None:
    page = projects.board_body("", "tok", [], "proj_1", {}, [], [])

    assert page.count('<p class="empty">No tasks.</p>') == 3


def test_the_way_back_keeps_only_the_boards_fields() -> None:
    back = projects.back_query("project=proj_1&assigned_to=Ann+Lee&task_list=&evil=1\r\nX: y")

    assert back == "project=proj_1&assigned_to=Ann+Lee"
    assert projects.back_query("") == ""


def test_projects_list_links_each_project_and_names_its_client() -> None:
    page = projects.projects_body(
        "/v1",
        [
            {"id": "proj_1", "name": "<Launch>", "client_id": "client_1", "status": "active",
             "start_date": "2026-01-01", "end_date": None},
            {"id": "proj_2", "name": "Other", "client_id": "client_gone", "status": "completed"},
        ],
        {"client_1": "Acme"},
    )  # fmt: skip

    assert '<a href="/v1/console/projects/proj_1">&lt;Launch&gt;</a>' in page
    assert "<td>Acme</td>" in page and "<td>client_gone</td>" in page
    assert "<td>2026-01-01</td><td>—</td>" in page
    assert projects.projects_body("", [], {}) == "<p>No projects.</p>"
