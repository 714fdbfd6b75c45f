"""Leads without AWS: status and tags from the documented lists in any case and spacing, stored in
the documented spelling; money, e-mail and phone; the rep filter in any case; links to a project
or client checked; partial updates — the data functions replaced by fakes."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from tallyboard.data import leads as lead_data
from tallyboard.data.dynamo import Page
from tallyboard.errors import BadRequest, Forbidden, NotFound
from tallyboard.logic import leads as logic
from tallyboard.models.leads import (
    LEAD_STATUSES,
    LEAD_TAGS,
    CreateLeadRequest,
    LeadListQuery,
    UpdateLeadRequest,
)
from tests.unit.fakes import caller

# ----------------------------------------------------------------------------- the request


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("closed", "Closed"),
        ("PROPOSAL SENT", "Proposal Sent"),
        ("  proposal   sent ", "Proposal Sent"),  # spacing folded too
        ("dead leads", "Dead Leads"),
        ("First Contact Made", "First Contact Made"),
    ],
)
def test_status_in_any_case_and_spacing_is_stored_as_documented(sent: str, stored: str) -> None:
    assert CreateLeadRequest(name="L", status=sent).status == stored
    assert LeadListQuery(status=sent).status == stored


@pytest.mark.parametrize("sent", ["Won", "closed-won", "", "Dead"])
def test_a_status_outside_the_list_is_refused_listing_the_allowed(sent: str) -> None:
    with pytest.raises(ValidationError) as raised:
        CreateLeadRequest(name="L", status=sent)
    error = raised.value.errors()[0]
    assert error["loc"] == ("status",)
    assert error["msg"].endswith(f"one of: {', '.join(LEAD_STATUSES)} (any case)")


def test_a_status_must_be_a_string() -> None:
    with pytest.raises(ValidationError) as raised:
        CreateLeadRequest(name="L", status=1)
    assert "must be a string" in raised.value.errors()[0]["msg"]


def test_tags_are_canonical_and_once_each_in_the_order_sent() -> None:
    request = CreateLeadRequest(name="L", status="Chaser", tags=["on hold", "WON", "Won", "chase up"])
    assert request.tags == ["On Hold", "Won", "Chase Up"]
    assert UpdateLeadRequest(tags=["stuck", "STUCK"]).tags == ["Stuck"]


def test_an_unknown_tag_is_refused_naming_its_position() -> None:
    with pytest.raises(ValidationError) as raised:
        CreateLeadRequest(name="L", status="Chaser", tags=["Won", "Lost"])
    error = raised.value.errors()[0]
    assert error["loc"] == ("tags", 1)
    assert error["msg"].endswith(f"one of: {', '.join(LEAD_TAGS)} (any case)")


def test_a_lead_is_created_with_no_tags_by_default_and_needs_a_status() -> None:
    assert CreateLeadRequest(name="L", status="Closed").tags == []
    with pytest.raises(ValidationError) as raised:
        CreateLeadRequest(name="L")
    assert [e["loc"] for e in raised.value.errors()] == [("status",)]


@pytest.mark.parametrize("value", [0, 0.01, 1500, 1e12])
def test_a_value_is_zero_or_a_cent_to_a_trillion(value: float) -> None:
    assert CreateLeadRequest(name="L", status="Closed", value=value).value == value


@pytest.mark.parametrize("value", [-1, 0.001, 1e12 + 1, True, "100", float("nan")])
def test_other_values_are_refused(value: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        CreateLeadRequest(name="L", status="Closed", value=value)
    assert raised.value.errors()[0]["loc"] == ("value",)


@pytest.mark.parametrize(
    ("field", "value", "valid"),
    [
        ("email", "ada@example.com", True),
        ("email", "ada@example", False),
        ("email", "ada example@x.com", False),
        ("phone", "+44 (0)20 7946-0958 x12", True),
        ("phone", "call me", False),
    ],
)
def test_contact_details(field: str, value: str, valid: bool) -> None:
    if valid:
        assert getattr(CreateLeadRequest(name="L", status="Closed", **{field: value}), field) == value
    else:
        with pytest.raises(ValidationError):
            CreateLeadRequest(name="L", status="Closed", **{field: value})


def test_the_rep_is_kept_case_folded_for_its_filter() -> None:
    derived = lead_data._derived("ws_1", "lead_1", {"rep": "Ada LOVELACE"})
    assert derived == {"repKey": "ada lovelace"}
    assert lead_data._derived("ws_1", "lead_1", {"rep": None}) == {"repKey": None}
    assert lead_data._derived("ws_1", "lead_1", {"name": "x"}) == {}


# ----------------------------------------------------------------------------- with fakes


class Store:
    """The leads, projects and clients data functions, in memory."""

    def __init__(self) -> None:
        self.leads: dict[str, dict[str, Any]] = {}
        self.projects = {"proj_1"}
        self.clients = {"client_1"}
        self.looked_up: list[str] = []
        self.updates: list[dict[str, Any]] = []
        self.listed: list[tuple[str, str | None, str | None]] = []

    def put(self, workspace_id: str, record: dict[str, Any]) -> bool:
        self.leads[record["id"]] = record
        return True

    def get(self, workspace_id: str, lead_id: str) -> dict[str, Any] | None:
        return self.leads.get(lead_id)

    def update(self, workspace_id: str, lead_id: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        self.updates.append(changes)
        self.leads[lead_id] = {**self.leads[lead_id], **changes}
        return self.leads[lead_id]

    def delete(self, workspace_id: str, lead_id: str) -> bool:
        return self.leads.pop(lead_id, None) is not None

    def page(self, workspace_id: str, spec: Any, status: str | None, rep: str | None) -> tuple[Page, int]:
        self.listed.append((spec.scope, status, rep))
        return Page([], None), 0

    def project(self, workspace_id: str, project_id: str) -> dict[str, Any] | None:
        self.looked_up.append(project_id)
        return {"id": project_id} if project_id in self.projects else None

    def client(self, workspace_id: str, client_id: str) -> dict[str, Any] | None:
        self.looked_up.append(client_id)
        return {"id": client_id} if client_id in self.clients else None


@pytest.fixture
def store(monkeypatch: pytest.MonkeyPatch) -> Store:
    fake = Store()
    for name in ("put", "get", "update", "delete", "page"):
        monkeypatch.setattr(logic.store, name, getattr(fake, name))
    monkeypatch.setattr(logic.project_store, "get", fake.project)
    monkeypatch.setattr(logic.client_store, "get", fake.client)
    monkeypatch.setattr(logic.audit, "record", lambda *args, **kwargs: None)
    monkeypatch.setattr(logic.pages, "cursor_key", lambda: b"k" * 32)
    return fake


def test_create_stores_camel_case_attributes_and_the_author(store: Store) -> None:
    answer = logic.create(
        caller(),
        CreateLeadRequest(
            name="L", status="needs closing", project_id="proj_1", client_id="client_1", value=10
        ),
    )
    (record,) = store.leads.values()
    assert record["id"].startswith("lead_") and record["workspaceId"] == "ws_1"
    assert (record["projectId"], record["clientId"], record["createdBy"]) == ("proj_1", "client_1", "user_1")
    assert record["status"] == "Needs Closing" and record["tags"] == [] and record["value"] == 10
    assert "project_id" not in record and record["createdAt"] == record["updatedAt"]
    assert (answer.data.project_id, answer.data.client_id, answer.data.status) == (
        "proj_1",
        "client_1",
        "Needs Closing",
    )
    assert store.looked_up == ["proj_1", "client_1"]


@pytest.mark.parametrize(
    ("links", "field", "detail"),
    [
        ({"project_id": "proj_9"}, "project_id", "no project proj_9 here"),
        ({"client_id": "client_9"}, "client_id", "no client client_9 here"),
        ({"project_id": "proj_1", "client_id": "client_9"}, "client_id", "no client client_9 here"),
    ],
)
def test_a_link_to_what_the_workspace_does_not_hold_is_a_404_naming_the_field(
    store: Store, links: dict[str, str], field: str, detail: str
) -> None:
    with pytest.raises(NotFound) as raised:
        logic.create(caller(), CreateLeadRequest(name="L", status="Closed", **links))
    assert raised.value.details == {field: detail}
    assert store.leads == {}


def test_a_lead_without_links_looks_nothing_up(store: Store) -> None:
    logic.create(caller(), CreateLeadRequest(name="L", status="Closed"))
    assert store.looked_up == []


def test_leads_need_a_workspace_wide_key_and_writing_an_editor(store: Store) -> None:
    with pytest.raises(Forbidden) as raised:
        logic.list_leads(caller(project_ids=("proj_1",)), LeadListQuery())
    assert raised.value.details == {"projectIds": "a workspace-wide key (no projectIds) is required"}
    with pytest.raises(Forbidden) as raised:
        logic.create(caller("viewer"), CreateLeadRequest(name="L", status="Closed"))
    assert raised.value.details == {"role": "viewer"}
    assert logic.list_leads(caller("viewer"), LeadListQuery()).data == []


def test_the_rep_filter_is_trimmed_and_its_cursor_holds_for_any_case(store: Store) -> None:
    logic.list_leads(caller("viewer"), LeadListQuery(rep="  Ada Lovelace ", status="closed"))
    logic.list_leads(caller("viewer"), LeadListQuery(rep="ADA LOVELACE", status="Closed"))
    assert store.listed == [
        ("leads|ws_1|Closed|ada lovelace", "Closed", "Ada Lovelace"),
        ("leads|ws_1|Closed|ada lovelace", "Closed", "ADA LOVELACE"),
    ]


def test_no_filter_lists_every_lead(store: Store) -> None:
    logic.list_leads(caller("viewer"), LeadListQuery())
    assert store.listed == [("leads|ws_1||", None, None)]


def lead(store: Store, **fields: Any) -> str:
    store.leads["lead_1"] = {
        "id": "lead_1",
        "name": "L",
        "status": "Chaser",
        "tags": ["Won"],
        "rep": "Ada",
        "createdAt": 1_000,
        "updatedAt": 1_000,
        **fields,
    }
    return "lead_1"


def test_update_changes_only_the_fields_sent_and_null_clears(store: Store) -> None:
    lead_id = lead(store, company="Acme")
    answer = logic.update(
        caller(), lead_id, UpdateLeadRequest(rep=None, status="CLOSED", project_id="proj_1")
    )
    (changes,) = store.updates
    assert set(changes) == {"rep", "status", "projectId", "updatedAt"}
    assert (changes["rep"], changes["status"], changes["projectId"]) == (None, "Closed", "proj_1")
    assert changes["updatedAt"] > 1_000
    assert (answer.data.company, answer.data.tags, answer.data.rep) == ("Acme", ["Won"], None)


def test_null_tags_are_stored_as_no_tags(store: Store) -> None:
    logic.update(caller(), lead(store), UpdateLeadRequest(tags=None))
    assert store.updates[0]["tags"] == []


@pytest.mark.parametrize("field", ["name", "status"])
def test_name_and_status_may_not_be_null(store: Store, field: str) -> None:
    with pytest.raises(BadRequest) as raised:
        logic.update(caller(), lead(store), UpdateLeadRequest(**{field: None}))
    assert raised.value.details == {field: "may not be null"}
    assert store.updates == []


def test_an_unknown_lead_is_a_404_before_its_links_are_checked(store: Store) -> None:
    with pytest.raises(NotFound) as raised:
        logic.update(caller(), "lead_nope", UpdateLeadRequest(project_id="proj_9"))
    assert raised.value.message == "Lead not found"
    assert store.looked_up == []


def test_an_update_linking_an_unknown_client_changes_nothing(store: Store) -> None:
    with pytest.raises(NotFound) as raised:
        logic.update(caller(), lead(store), UpdateLeadRequest(client_id="client_9", name="New"))
    assert raised.value.details == {"client_id": "no client client_9 here"}
    assert store.updates == [] and store.leads["lead_1"]["name"] == "L"


def test_a_lead_read_shows_no_tags_as_an_empty_list_and_an_unchanged_lead_its_creation() -> None:
    shown = logic.public_lead({"id": "lead_1", "name": "L", "status": "Closed", "tags": None, "createdAt": 0})
    assert (shown.tags, shown.created_at, shown.updated_at) == (
        [],
        "1970-01-01T00:00:00.000Z",
        "1970-01-01T00:00:00.000Z",
    )


def test_delete_of_an_unknown_lead_is_a_404(store: Store) -> None:
    logic.delete(caller(), lead(store))
    assert store.leads == {}
    with pytest.raises(NotFound):
        logic.delete(caller(), "lead_1")
