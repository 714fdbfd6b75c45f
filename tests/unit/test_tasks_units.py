"""Tasks without AWS: status and priority in any case, dates, assignees resolved by id or display
name, the project's stats a task moves, completed_at following `done`, list filters and the
optimistic write — the data functions replaced by fakes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tallyboard.data.project_stats import ASSIGNED, TASKS
from tallyboard.errors import ApiError, BadRequest, Conflict, Forbidden, NotFound
from tallyboard.logic import tasks as logic
from tallyboard.models.tasks import MAX_ASSIGNEES, CreateTaskRequest, TaskListQuery, UpdateTaskRequest
from tests.unit.fakes import caller

MEMBERS = [
    {"id": "user_1", "name": "Ada Lovelace"},
    {"id": "user_2", "name": "Grace Hopper"},
    {"id": "user_3", "name": "Alan Turing", "removedAt": 1},
]


# ----------------------------------------------------------------------------- the request


@pytest.mark.parametrize(
    ("sent", "stored"), [("todo", "todo"), ("In-Progress", "in-progress"), ("DONE", "done"), ("tOdO", "todo")]
)
def test_status_in_any_case_is_stored_as_documented(sent: str, stored: str) -> None:
    assert CreateTaskRequest(name="T", status=sent).status == stored
    assert TaskListQuery(status=sent).status == stored


@pytest.mark.parametrize(("sent", "stored"), [("low", "Low"), ("MEDIUM", "Medium"), ("High", "High")])
def test_priority_in_any_case_is_stored_capitalised(sent: str, stored: str) -> None:
    assert CreateTaskRequest(name="T", priority=sent).priority == stored


@pytest.mark.parametrize(
    ("field", "value"), [("status", "in progress"), ("status", "closed"), ("priority", "urgent")]
)
def test_a_value_outside_the_list_is_refused_listing_the_allowed(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as raised:
        CreateTaskRequest(name="T", **{field: value})
    error = raised.value.errors()[0]
    assert error["loc"] == (field,)
    allowed = "todo, in-progress, done" if field == "status" else "Low, Medium, High"
    assert f"one of: {allowed} (any case)" in error["msg"]


def test_a_new_task_is_todo_without_priority_or_assignees() -> None:
    request = CreateTaskRequest(name="T")
    assert (request.status, request.priority, request.assigned_to) == ("todo", None, [])


@pytest.mark.parametrize("moment", ["2025-01-31", "2025-01-31T17:00:00Z", "2025-01-31T17:00:00.5+01:00"])
def test_dates_are_a_date_or_a_date_time_stored_as_sent(moment: str) -> None:
    assert CreateTaskRequest(name="T", due_date=moment).due_date == moment


@pytest.mark.parametrize("moment", ["31/01/2025", "2025-02-30", "2025-01-31T24:00:00Z", "soon", ""])
def test_dates_that_are_neither_are_refused(moment: str) -> None:
    with pytest.raises(ValidationError) as raised:
        CreateTaskRequest(name="T", start_date=moment)
    assert raised.value.errors()[0]["loc"] == ("start_date",)


def test_at_most_twenty_assignees() -> None:
    assert len(CreateTaskRequest(name="T", assigned_to=["a"] * MAX_ASSIGNEES).assigned_to) == 20
    with pytest.raises(ValidationError):
        CreateTaskRequest(name="T", assigned_to=["a"] * (MAX_ASSIGNEES + 1))


# ----------------------------------------------------------------------------- assignees


@pytest.mark.parametrize(
    "value", ["user_2", "Grace Hopper", "grace hopper", "GRACE HOPPER", "  Grace \t Hopper "]
)
def test_a_member_is_found_by_id_or_by_display_name_in_any_case_and_spacing(value: str) -> None:
    assert logic.find_member(MEMBERS, value, "assigned_to")["id"] == "user_2"


def test_an_id_is_never_taken_for_a_display_name() -> None:
    members = [{"id": "user_1", "name": "user_2"}, {"id": "user_2", "name": "Grace"}]
    assert logic.find_member(members, "user_2", "assigned_to")["id"] == "user_2"
    assert logic.find_member(members, "USER_2", "assigned_to")["id"] == "user_1"  # not an id: a name


def test_a_display_name_two_members_share_is_refused_naming_the_field() -> None:
    members = [{"id": "user_1", "name": "Sam"}, {"id": "user_2", "name": "sam"}]
    with pytest.raises(ApiError) as raised:
        logic.find_member(members, "SAM", "assigned_to")
    assert list(raised.value.details or {}) == ["assigned_to"]
    assert "more than one member" in raised.value.message


@pytest.fixture
def team(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    members = [dict(m) for m in MEMBERS]
    monkeypatch.setattr(logic.team, "everyone", lambda workspace_id: members)
    return members


def test_assignees_resolve_to_names_and_ids_in_order_once_each(team: list[dict[str, Any]]) -> None:
    names, ids = logic.resolve_assignees("ws_1", ["grace hopper", "user_1", "user_2", "ADA LOVELACE"])
    assert (names, ids) == (["Grace Hopper", "Ada Lovelace"], ["user_2", "user_1"])


def test_a_removed_member_is_not_assignable_beside_a_current_namesake(team: list[dict[str, Any]]) -> None:
    team.append({"id": "user_4", "name": "Alan Turing"})  # the current Alan; user_3 was removed
    assert logic.resolve_assignees("ws_1", ["alan turing"]) == (["Alan Turing"], ["user_4"])


def test_no_assignees_reads_no_team(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logic.team, "everyone", lambda workspace_id: pytest.fail("team read"))
    assert logic.resolve_assignees("ws_1", []) == ([], [])


# ----------------------------------------------------------------------------- stats


def test_a_task_counts_its_status_and_each_assignee() -> None:
    task = {"status": "in-progress", "assignee_ids": ["user_1", "user_2"]}
    assert logic.counters(task) == {TASKS + "in-progress": 1, ASSIGNED + "user_1": 1, ASSIGNED + "user_2": 1}
    assert logic.counters({"status": "todo"}) == {TASKS + "todo": 1}


# ----------------------------------------------------------------------------- with fakes


class Store:
    """The tasks data functions, in memory; `replace_answers` are replace's answers in turn."""

    def __init__(self) -> None:
        self.tasks: dict[str, dict[str, Any]] = {}
        self.created: list[tuple[dict[str, Any], dict[str, Any]]] = []
        self.replaced: list[tuple[dict[str, Any], int, dict[str, Any]]] = []
        self.deleted: list[dict[str, Any]] = []
        self.replace_answers: list[bool] = []
        self.reads = 0
        self.listed: list[tuple[Any, ...]] = []

    def get(self, workspace_id: str, task_id: str) -> dict[str, Any] | None:
        self.reads += 1
        return self.tasks.get(task_id)

    def create(self, workspace_id: str, task: dict[str, Any], counters: dict[str, Any]) -> bool:
        self.created.append((task, counters))
        return True

    def replace(self, workspace_id: str, task: dict[str, Any], version: int, delta: dict[str, Any]) -> bool:
        ok = self.replace_answers.pop(0) if self.replace_answers else True
        self.replaced.append((task, version, delta))
        return ok

    def delete(self, workspace_id: str, task: dict[str, Any], delta: dict[str, Any]) -> bool:
        self.deleted.append(delta)
        return True

    def page(self, workspace_id: str, project: str, spec: Any, *filters: Any) -> Any:
        from tallyboard.data.dynamo import Page

        self.listed.append((spec.scope, *filters))
        return Page([], None)

    def count(self, workspace_id: str, project: str, *filters: Any) -> int:
        return 0


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch, team: list[dict[str, Any]]) -> Store:
    fake = Store()
    for name in ("get", "create", "replace", "delete", "page", "count"):
        monkeypatch.setattr(logic.tasks, name, getattr(fake, name))
    monkeypatch.setattr(logic.access, "project_in_path", lambda caller, project_id: project_id)
    monkeypatch.setattr(logic.audit, "record", lambda *args, **kwargs: None)
    monkeypatch.setattr(logic.pages, "cursor_key", lambda: b"k" * 32)
    return fake


def stored(store: Store, **fields: Any) -> dict[str, Any]:
    task = {
        "id": "task_1",
        "project_id": "proj_1",
        "name": "T",
        "status": "todo",
        "assigned_to": ["Ada Lovelace"],
        "assignee_ids": ["user_1"],
        "createdAt": 1_000,
        "updatedAt": 1_000,
        "completedAt": None,
        "v": 3,
        **fields,
    }
    store.tasks[task["id"]] = task
    return task


def test_create_stores_display_names_and_counts_the_task(store: Store) -> None:
    answer = logic.create(
        caller(), "proj_1", CreateTaskRequest(name="T", assigned_to=["user_2"], status="Done")
    )
    record, counted = store.created[0]
    assert (record["assigned_to"], record["assignee_ids"], record["v"]) == (["Grace Hopper"], ["user_2"], 1)
    assert record["completedAt"] == record["createdAt"]  # created done: completed then
    assert counted == {TASKS + "done": 1, ASSIGNED + "user_2": 1}
    assert answer.data.assigned_to == ["Grace Hopper"]
    assert answer.data.completed_at == answer.data.created_at


def test_create_not_done_has_no_completed_at(store: Store) -> None:
    answer = logic.create(caller(), "proj_1", CreateTaskRequest(name="T"))
    assert store.created[0][0]["completedAt"] is None and answer.data.completed_at is None


def test_a_viewer_may_not_create(store: Store) -> None:
    with pytest.raises(Forbidden):
        logic.create(caller("viewer"), "proj_1", CreateTaskRequest(name="T"))
    assert store.created == []


def test_becoming_done_sets_completed_at_and_moves_the_stats(store: Store) -> None:
    stored(store)
    answer = logic.update(caller(), "task_1", UpdateTaskRequest(status="done"))
    new, version, delta = store.replaced[0]
    assert version == 3 and new["v"] == 4
    assert new["completedAt"] == new["updatedAt"] > 1_000
    assert {k: v for k, v in delta.items() if v} == {TASKS + "todo": -1, TASKS + "done": 1}
    assert answer.data.status == "done" and answer.data.completed_at is not None


def test_staying_done_keeps_completed_at(store: Store) -> None:
    stored(store, status="done", completedAt=5_000)
    logic.update(caller(), "task_1", UpdateTaskRequest(name="Renamed"))
    new, _, delta = store.replaced[0]
    assert (new["name"], new["completedAt"]) == ("Renamed", 5_000)
    assert not any(delta.values())


def test_leaving_done_clears_completed_at(store: Store) -> None:
    stored(store, status="done", completedAt=5_000)
    answer = logic.update(caller(), "task_1", UpdateTaskRequest(status="IN-PROGRESS"))
    assert store.replaced[0][0]["completedAt"] is None and answer.data.completed_at is None


def test_reassigning_moves_the_assignee_counters(store: Store) -> None:
    stored(store)
    answer = logic.update(caller(), "task_1", UpdateTaskRequest(assigned_to=["grace hopper"]))
    new, _, delta = store.replaced[0]
    assert (new["assigned_to"], new["assignee_ids"]) == (["Grace Hopper"], ["user_2"])
    assert {k: v for k, v in delta.items() if v} == {ASSIGNED + "user_1": -1, ASSIGNED + "user_2": 1}
    assert answer.data.assigned_to == ["Grace Hopper"]


def test_null_clears_a_nullable_field_and_is_refused_for_name(store: Store) -> None:
    stored(store, priority="High")
    logic.update(caller(), "task_1", UpdateTaskRequest(priority=None))
    assert store.replaced[0][0]["priority"] is None
    with pytest.raises(BadRequest) as raised:
        logic.update(caller(), "task_1", UpdateTaskRequest(name=None))
    assert raised.value.details == {"name": "may not be null"}


def test_a_concurrent_change_is_written_again_against_a_fresh_read(store: Store) -> None:
    stored(store)
    store.replace_answers = [False, True]
    logic.update(caller(), "task_1", UpdateTaskRequest(name="Again"))
    assert store.reads == 2 and len(store.replaced) == 2


def test_three_concurrent_changes_are_a_409(store: Store) -> None:
    stored(store)
    store.replace_answers = [False, False, False]
    with pytest.raises(Conflict) as raised:
        logic.update(caller(), "task_1", UpdateTaskRequest(name="Again"))
    assert raised.value.message == "The task changed while it was being written; try again"
    assert store.reads == logic.WRITE_ATTEMPTS == 3


def test_a_task_outside_the_keys_projects_is_a_404_like_a_missing_one(store: Store) -> None:
    stored(store, project_id="proj_2")
    for task_id in ("task_1", "task_nope"):
        with pytest.raises(NotFound) as raised:
            logic.get(caller(project_ids=("proj_1",)), task_id)
        assert raised.value.message == "Task not found"
    assert logic.get(caller(project_ids=("proj_2",)), "task_1").data.id == "task_1"


def test_delete_removes_what_the_task_counted(store: Store) -> None:
    stored(store, status="in-progress")
    logic.delete(caller(), "task_1")
    assert store.deleted == [{TASKS + "in-progress": -1, ASSIGNED + "user_1": -1}]


def test_the_assignee_filter_names_a_member_by_name_and_seals_the_cursor_to_it(store: Store) -> None:
    logic.list_tasks(caller("viewer"), "proj_1", TaskListQuery(assigned_to="GRACE hopper", status="Done"))
    logic.list_tasks(caller("viewer"), "proj_1", TaskListQuery(assigned_to="user_2", task_list="Sprint"))
    assert store.listed == [
        ("tasks|ws_1|proj_1|done|user_2|", "done", "user_2", None),
        ("tasks|ws_1|proj_1||user_2|Sprint", None, "user_2", "Sprint"),
    ]


def test_the_assignee_filter_finds_a_removed_member_s_tasks(store: Store) -> None:
    logic.list_tasks(caller("viewer"), "proj_1", TaskListQuery(assigned_to="alan turing"))
    assert store.listed[0][2] == "user_3"


def test_no_filter_lists_every_task(store: Store) -> None:
    answer = logic.list_tasks(caller("viewer"), "proj_1", TaskListQuery())
    assert store.listed == [("tasks|ws_1|proj_1|||", None, None, None)]
    assert answer.pagination.model_dump()["total"] == 0
