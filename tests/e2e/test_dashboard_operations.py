"""Dashboard operations (docs/api.md) over real HTTP: PATCH with every field and the soft delete,
restriction levels, tiles copied, moved (atomically) and reordered, bulk tags all-or-nothing,
dashboards from templates, unlisted dashboards one per tag under concurrency, and format=txt."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

from tallyboard.data import dynamo
from tallyboard.data.dashboards.dashboards import dashboard_key
from tallyboard.data.dashboards.templates import unlisted_lock_key
from tallyboard.settings import get_settings
from tests.conftest import Tenant, assert_error
from tests.e2e.test_dashboards import create_dashboard, stored_dashboard
from tests.e2e.test_widgets import add_widget


def patch(tenant: Tenant, dashboard_id: str, **body: Any) -> requests.Response:
    return tenant.patch(f"/dashboards/{dashboard_id}", json=body)


def get(tenant: Tenant, dashboard_id: str) -> requests.Response:
    return tenant.get(f"/dashboards/{dashboard_id}")


def listed_ids(tenant: Tenant) -> list[str]:
    response = tenant.get("/dashboards", params={"projectId": tenant.project_id})
    assert response.status_code == 200, response.text
    return [d["id"] for d in response.json()["data"]]


def create_theme(tenant: Tenant, name: str = "Brand", colors: list[str] | None = None) -> dict[str, Any]:
    response = tenant.post(
        f"/projects/{tenant.project_id}/data_color_themes",
        json={"name": name, "colors": colors or ["#1D4ED8", "#f97316"]},
    )
    assert response.status_code == 201, response.text
    return response.json()["data"]


def tile_ids(dashboard: dict[str, Any]) -> list[str]:
    return [w["id"] for w in dashboard["widgets"]]


# ----------------------------------------------------------------------------- PATCH


def test_patch_sets_every_documented_field_and_get_shows_them(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    theme = create_theme(tenant)
    body = {
        "name": "Growth",
        "description": "Signups and revenue",
        "pinned": True,
        "tags": ["growth", "weekly", "growth"],
        "restriction_level": 37,
        "data_color_theme_id": theme["id"],
        "breakdown_colors": [{"breakdownValue": "US", "colorIndex": 2}],
        "quick_filter_ids": ["filter_1", "filter_2"],
        "last_accessed_at": "2026-03-01T10:00:00+02:00",
        "last_refresh": "2026-03-01T08:00:00Z",
    }

    response = patch(tenant, dashboard["id"], **body)

    assert response.status_code == 200, response.text
    shown = get(tenant, dashboard["id"]).json()["data"]
    assert response.json()["data"] == shown
    expected = {
        **body,
        "tags": ["growth", "weekly"],
        "last_accessed_at": "2026-03-01T10:00:00+02:00",  # as sent
        "last_refresh": "2026-03-01T08:00:00Z",
        "slug": "growth",
        "deleted": False,
    }
    assert {k: shown[k] for k in expected} == expected
    assert shown["updatedAt"] >= dashboard["updatedAt"]
    assert stored_dashboard(tenant, dashboard["id"])["data_color_theme_id"] == theme["id"]


def test_patch_refuses_nulls_unknown_and_creation_only_fields(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    for body, field in (
        ({"name": None}, "name"),
        ({"pinned": "yes"}, "pinned"),
        ({"restriction_level": 30}, "restriction_level"),
        ({"use_template": "x"}, "use_template"),
        ({"_create_in_folder": "Dashboards/Q3"}, "_create_in_folder"),
        ({"colour": "red"}, "colour"),
        ({"last_accessed_at": "yesterday"}, "last_accessed_at"),
        ({}, "body"),
    ):
        response = patch(tenant, dashboard["id"], **body)
        details = assert_error(response, 400)["details"]
        assert field in details, (body, details)
    assert get(tenant, dashboard["id"]).json()["data"]["name"] == "Board"


def test_soft_delete_hides_the_dashboard_and_patch_restores_it(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    add_widget(tenant, dashboard["id"])

    deleted = patch(tenant, dashboard["id"], deleted=True)

    assert deleted.status_code == 200 and deleted.json()["data"]["deleted"] is True
    assert_error(get(tenant, dashboard["id"]), 404)
    assert dashboard["id"] not in listed_ids(tenant)
    assert stored_dashboard(tenant, dashboard["id"])["deleted"] is True  # kept in storage
    assert_error(patch(tenant, dashboard["id"], name="Still gone"), 404)  # only a restore answers

    restored = patch(tenant, dashboard["id"], deleted=False, name="Back")

    assert restored.status_code == 200, restored.text
    assert restored.json()["data"]["name"] == "Back" and len(restored.json()["data"]["widgets"]) == 1
    assert dashboard["id"] in listed_ids(tenant)


def test_delete_insights_removes_the_tiles_with_the_soft_delete(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    add_widget(tenant, dashboard["id"])
    assert patch(tenant, dashboard["id"], delete_insights=True).status_code == 200  # alone: ignored
    assert len(get(tenant, dashboard["id"]).json()["data"]["widgets"]) == 1

    assert patch(tenant, dashboard["id"], deleted=True, delete_insights=True).status_code == 200

    restored = patch(tenant, dashboard["id"], deleted=False).json()["data"]
    assert restored["widgets"] == []
    assert add_widget(tenant, dashboard["id"])["dashboardId"] == dashboard["id"]  # count reset too


def test_delete_is_405_with_allow(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)

    response = tenant.delete(f"/dashboards/{dashboard['id']}")

    assert_error(response, 405)
    assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "PATCH"}
    assert "DELETE" not in response.headers["Allow"]
    assert get(tenant, dashboard["id"]).status_code == 200


def test_theme_of_another_project_or_unknown_is_404(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    other_project = tenant.add_project()
    foreign = create_theme(other_project)
    for theme_id in (foreign["id"], "theme_0000000000000000000000000000"):
        details = assert_error(patch(tenant, dashboard["id"], data_color_theme_id=theme_id), 404)["details"]
        assert "data_color_theme_id" in details
    assert get(tenant, dashboard["id"]).json()["data"]["data_color_theme_id"] is None


def test_a_theme_in_use_cannot_be_deleted_and_null_releases_it(tenant: Tenant) -> None:
    theme = create_theme(tenant)
    first, second = create_dashboard(tenant), create_dashboard(tenant)
    for dashboard in (first, second):
        assert patch(tenant, dashboard["id"], data_color_theme_id=theme["id"]).status_code == 200
    path = f"/projects/{tenant.project_id}/data_color_themes/{theme['id']}"

    refused = tenant.delete(path)

    body = assert_error(refused, 409)
    assert "2 dashboards" in body["message"] and body["details"] == {"dashboards": 2}
    other = create_theme(tenant, "Other")
    assert patch(tenant, first["id"], data_color_theme_id=other["id"]).status_code == 200
    assert patch(tenant, second["id"], data_color_theme_id=None).status_code == 200
    assert tenant.delete(path).status_code == 204
    assert_error(tenant.get(path), 404)
    assert (
        "1 dashboard;"
        in assert_error(tenant.delete(f"/projects/{tenant.project_id}/data_color_themes/{other['id']}"), 409)[
            "message"
        ]
    )


def test_only_the_creator_or_an_owner_edits_a_restricted_dashboard(tenant: Tenant) -> None:
    """A dashboard created by another user (stored as such) at level 37: an editor key of this
    user may read it but not edit it; the owner key may."""
    dashboard = create_dashboard(tenant)
    _store(tenant, dashboard["id"], createdBy="user_someone_else", restriction_level=37)
    editor = tenant.create_key("editor")

    assert get(editor, dashboard["id"]).status_code == 200
    for response in (
        patch(editor, dashboard["id"], name="Mine now"),
        patch(editor, dashboard["id"], restriction_level=21),
        editor.post(f"/dashboards/{dashboard['id']}/widgets", json={"type": "text", "title": "Note"}),
        editor.post(
            "/dashboards/bulk_update_tags", json={"ids": [dashboard["id"]], "action": "add", "tags": ["x"]}
        ),
    ):
        assert_error(response, 403)
    assert patch(tenant, dashboard["id"], name="Owner edit").status_code == 200
    _store(tenant, dashboard["id"], restriction_level=21)
    assert patch(editor, dashboard["id"], name="Editor edit").status_code == 200
    assert_error(patch(editor, dashboard["id"], restriction_level=37), 403)  # not the creator


def _store(tenant: Tenant, dashboard_id: str, **fields: Any) -> None:
    from tallyboard.data.aws import dynamodb

    names = {f"#f{i}": k for i, k in enumerate(fields)}
    values = dynamo.to_item({f":v{i}": v for i, v in enumerate(fields.values())})
    dynamodb().update_item(
        TableName=get_settings().entities_table,
        Key=dashboard_key(tenant.workspace_id, dashboard_id),
        UpdateExpression="SET " + ", ".join(f"#f{i} = :v{i}" for i in range(len(fields))),
        ExpressionAttributeNames=names,
        ExpressionAttributeValues=values,
    )


def test_patch_needs_editor_role_and_write_scope(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    viewer = tenant.create_key("viewer")
    reader = tenant.create_key("editor", scopes=["dashboard:read"])
    for key in (viewer, reader):
        assert_error(patch(key, dashboard["id"], name="No"), 403)
    bound_elsewhere = tenant.create_key("owner", projectIds=[tenant.add_project().project_id])
    assert_error(patch(bound_elsewhere, dashboard["id"], name="No"), 404)


# ----------------------------------------------------------------------------- tiles


def test_copy_tile_adds_a_bottom_row_and_leaves_the_source(tenant: Tenant) -> None:
    source, target = create_dashboard(tenant, name="Source"), create_dashboard(tenant, name="Target")
    tile = add_widget(tenant, source["id"], title="MRR", position={"x": 4, "y": 0, "w": 3, "h": 2})
    add_widget(tenant, target["id"], position={"x": 0, "y": 0, "w": 6, "h": 3})
    add_widget(tenant, target["id"], position={"x": 6, "y": 1, "w": 6, "h": 4})

    response = tenant.post(
        f"/dashboards/{target['id']}/copy_tile", json={"fromDashboardId": source["id"], "tileId": tile["id"]}
    )

    assert response.status_code == 200, response.text
    body = response.json()
    copy = body["tile"]
    assert copy["id"] != tile["id"] and copy["dashboardId"] == target["id"]
    assert copy["position"] == {"x": 0, "y": 5, "w": 3, "h": 2}  # below the lowest tile (1 + 4)
    assert (copy["title"], copy["config"]) == (tile["title"], tile["config"])
    assert tile_ids(body["data"])[-1] == copy["id"]
    assert get(tenant, source["id"]).json()["data"]["widgets"] == [tile]


def test_copy_tile_needs_both_dashboards_in_reach(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = create_dashboard(tenant)
    foreign = create_dashboard(other_tenant)
    foreign_tile = add_widget(other_tenant, foreign["id"])
    my_tile = add_widget(tenant, mine["id"])

    assert_error(
        tenant.post(
            f"/dashboards/{mine['id']}/copy_tile",
            json={"fromDashboardId": foreign["id"], "tileId": foreign_tile["id"]},
        ),
        404,
    )
    assert_error(
        tenant.post(
            f"/dashboards/{foreign['id']}/copy_tile",
            json={"fromDashboardId": mine["id"], "tileId": my_tile["id"]},
        ),
        404,
    )
    assert_error(
        tenant.post(
            f"/dashboards/{mine['id']}/copy_tile", json={"fromDashboardId": mine["id"], "tileId": "widget_x"}
        ),
        404,
    )
    assert len(get(other_tenant, foreign["id"]).json()["data"]["widgets"]) == 1


def test_move_tile_leaves_one_dashboard_for_the_other(tenant: Tenant) -> None:
    source, target = create_dashboard(tenant, name="From"), create_dashboard(tenant, name="To")
    keep = add_widget(tenant, source["id"], title="Keep")
    moving = add_widget(tenant, source["id"], title="Moving", position={"x": 3, "y": 0, "w": 2, "h": 2})
    add_widget(tenant, target["id"], position={"x": 0, "y": 0, "w": 12, "h": 3})

    response = tenant.patch(
        f"/dashboards/{source['id']}/move_tile",
        json={"tile": {"id": moving["id"]}, "toDashboard": target["id"]},
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert tile_ids(body["data"]) == [keep["id"]]
    assert body["tile"]["id"] == moving["id"] and body["tile"]["dashboardId"] == target["id"]
    assert body["tile"]["position"] == {"x": 0, "y": 3, "w": 2, "h": 2}
    after_target = get(tenant, target["id"]).json()["data"]
    assert tile_ids(after_target)[-1] == moving["id"]
    assert stored_dashboard(tenant, source["id"])["widgetCount"] == 1
    assert stored_dashboard(tenant, target["id"])["widgetCount"] == 2
    # Moving it again from the old dashboard: it is not there any more.
    assert_error(
        tenant.patch(
            f"/dashboards/{source['id']}/move_tile",
            json={"tile": {"id": moving["id"]}, "toDashboard": target["id"]},
        ),
        404,
    )


def test_move_tile_is_atomic_under_concurrent_moves(tenant: Tenant) -> None:
    """Two dashboards race to move the same tile off the source: it ends on exactly one."""
    source = create_dashboard(tenant, name="From")
    targets = [create_dashboard(tenant, name=f"To {i}") for i in range(4)]
    moving = add_widget(tenant, source["id"])
    results: list[requests.Response] = []
    barrier = threading.Barrier(len(targets))

    def attempt(target: dict[str, Any]) -> None:
        barrier.wait()
        results.append(
            tenant.with_key(tenant.api_key).patch(
                f"/dashboards/{source['id']}/move_tile",
                json={"tile": {"id": moving["id"]}, "toDashboard": target["id"]},
            )
        )

    threads = [threading.Thread(target=attempt, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status_code for r in results)[0] == 200
    assert [r.status_code for r in results].count(200) == 1, [r.text for r in results]
    holders = [t["id"] for t in targets if moving["id"] in tile_ids(get(tenant, t["id"]).json()["data"])]
    assert len(holders) == 1
    assert tile_ids(get(tenant, source["id"]).json()["data"]) == []
    counts = [stored_dashboard(tenant, t["id"])["widgetCount"] for t in targets]
    assert sorted(counts) == [0, 0, 0, 1]


def test_move_tile_to_its_own_dashboard_changes_nothing_and_a_full_one_is_409(tenant: Tenant) -> None:
    source, target = create_dashboard(tenant), create_dashboard(tenant)
    tile = add_widget(tenant, source["id"])
    before = stored_dashboard(tenant, source["id"])
    same = tenant.patch(
        f"/dashboards/{source['id']}/move_tile",
        json={"tile": {"id": tile["id"]}, "toDashboard": source["id"]},
    )
    assert same.status_code == 200 and same.json()["tile"] == tile
    assert stored_dashboard(tenant, source["id"]) == before
    _store(tenant, target["id"], widgetCount=100)
    full = tenant.patch(
        f"/dashboards/{source['id']}/move_tile",
        json={"tile": {"id": tile["id"]}, "toDashboard": target["id"]},
    )
    assert_error(full, 409)
    assert tile_ids(get(tenant, source["id"]).json()["data"]) == [tile["id"]]


def test_reorder_tiles_sets_the_order_of_get(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    a, b, c = (add_widget(tenant, dashboard["id"], title=t)["id"] for t in "abc")

    response = tenant.post(f"/dashboards/{dashboard['id']}/reorder_tiles", json={"tile_order": [c, a, b]})

    assert response.status_code == 200, response.text
    assert tile_ids(response.json()["data"]) == [c, a, b]
    assert tile_ids(get(tenant, dashboard["id"]).json()["data"]) == [c, a, b]
    d = add_widget(tenant, dashboard["id"], title="d")["id"]  # a new tile joins at the end
    tenant.delete(f"/dashboards/{dashboard['id']}/widgets/{a}")
    assert tile_ids(get(tenant, dashboard["id"]).json()["data"]) == [c, b, d]
    assert stored_dashboard(tenant, dashboard["id"])["tileOrder"] == [c, b, d]


def test_reorder_tiles_must_be_a_permutation(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    a, b = (add_widget(tenant, dashboard["id"])["id"] for _ in range(2))
    path = f"/dashboards/{dashboard['id']}/reorder_tiles"

    missing = assert_error(tenant.post(path, json={"tile_order": [a]}), 400)
    unknown = assert_error(tenant.post(path, json={"tile_order": [a, b, "widget_nope"]}), 400)
    repeated = assert_error(tenant.post(path, json={"tile_order": [a, b, a]}), 400)

    assert missing["details"]["missing"] == [b] and "1 tile(s) missing" in missing["message"]
    assert unknown["details"]["unknown"] == ["widget_nope"]
    assert repeated["details"]["duplicated"] == [a]
    assert tile_ids(get(tenant, dashboard["id"]).json()["data"]) == [a, b]


# ----------------------------------------------------------------------------- tags


def test_bulk_update_tags_add_remove_set(tenant: Tenant) -> None:
    first = create_dashboard(tenant, tags=["a"])
    second = create_dashboard(tenant, tags=["b", "c"])
    ids = [first["id"], second["id"]]

    def bulk(action: str, tags: list[str]) -> list[list[str]]:
        response = tenant.post(
            "/dashboards/bulk_update_tags", json={"ids": ids, "action": action, "tags": tags}
        )
        assert response.status_code == 200, response.text
        assert response.json()["count"] == 2
        return [d["tags"] for d in response.json()["data"]]

    assert bulk("add", ["c", "d"]) == [["a", "c", "d"], ["b", "c", "d"]]
    assert bulk("remove", ["c", "a"]) == [["d"], ["b", "d"]]
    assert bulk("set", ["x"]) == [["x"], ["x"]]
    assert get(tenant, second["id"]).json()["data"]["tags"] == ["x"]


def test_bulk_update_tags_is_all_or_nothing(tenant: Tenant, other_tenant: Tenant) -> None:
    mine = create_dashboard(tenant, tags=["keep"])
    deleted = create_dashboard(tenant)
    patch(tenant, deleted["id"], deleted=True)
    foreign = create_dashboard(other_tenant)
    ids = [mine["id"], foreign["id"], "dash_unknown", deleted["id"]]

    response = tenant.post(
        "/dashboards/bulk_update_tags", json={"ids": ids, "action": "set", "tags": ["new"]}
    )

    body = assert_error(response, 404)
    assert body["details"]["unknown"] == [foreign["id"], "dash_unknown", deleted["id"]]
    assert get(tenant, mine["id"]).json()["data"]["tags"] == ["keep"]
    too_many = tenant.post(
        "/dashboards/bulk_update_tags",
        json={"ids": [f"dash_{i}" for i in range(101)], "action": "add", "tags": []},
    )
    assert "ids" in assert_error(too_many, 400)["details"]


# ----------------------------------------------------------------------------- templates, unlisted

TEMPLATE = {
    "template_name": "Launch week",
    "dashboard_description": "Figures of the launch",
    "tags": ["launch"],
    "tiles": [
        {"type": "text", "title": "About", "config": {"body": "Launch week figures"}},
        {"type": "metric", "title": "Signups", "config": {"metricId": "signups", "timeRange": "7d"}},
        {"type": "chart", "title": "Revenue", "position": {"x": 0, "y": 0, "w": 8, "h": 3}, "config": {}},
        {"type": "metric", "title": "Commits", "config": {}},
    ],
}


def test_create_from_template_json_makes_the_dashboard_and_its_tiles(tenant: Tenant) -> None:
    response = tenant.post(
        "/dashboards/create_from_template_json", json={"projectId": tenant.project_id, "template": TEMPLATE}
    )

    assert response.status_code == 200, response.text  # as the document shows (issue #16)
    created = response.json()["data"]
    assert (created["name"], created["description"], created["tags"]) == (
        "Launch week",
        "Figures of the launch",
        ["launch"],
    )
    assert [w["title"] for w in created["widgets"]] == ["About", "Signups", "Revenue", "Commits"]
    positions = [(w["position"]["x"], w["position"]["y"]) for w in created["widgets"]]
    # Revenue keeps its position; the others are packed in a row below it (3 columns wide each).
    assert positions == [(0, 3), (3, 3), (0, 0), (6, 3)]
    assert created["widgets"][1]["config"] == {"metricId": "signups", "timeRange": "7d"}
    assert get(tenant, created["id"]).json()["data"] == created
    assert created["id"] in listed_ids(tenant)
    assert stored_dashboard(tenant, created["id"])["widgetCount"] == 4
    named = tenant.post(
        "/dashboards/create_from_template_json",
        json={"projectId": tenant.project_id, "template": TEMPLATE, "name": "Mine", "description": ""},
    ).json()["data"]
    assert (named["name"], named["description"]) == ("Mine", "")


def test_template_schema_is_in_the_openapi_document(tenant: Tenant) -> None:
    spec = requests.get(tenant.url("/openapi.json"), timeout=30).json()
    schemas = spec["components"]["schemas"]
    template = schemas["DashboardTemplate"]
    assert {"template_name", "dashboard_description", "tags", "tiles"} <= set(template["properties"])
    assert template["properties"]["tiles"]["maxItems"] == 98
    assert "config.metricId" in template["description"]


def test_bad_templates_are_400_and_create_nothing(tenant: Tenant) -> None:
    before = listed_ids(tenant)
    for template in (
        {"tiles": []},
        {**TEMPLATE, "tiles": [{"type": "pie", "title": "x"}]},
        {**TEMPLATE, "tiles": [{"type": "text", "title": "x"}] * 99},
    ):
        response = tenant.post(
            "/dashboards/create_from_template_json",
            json={"projectId": tenant.project_id, "template": template},
        )
        assert_error(response, 400)
    assert listed_ids(tenant) == before


def test_ten_concurrent_unlisted_dashboards_for_a_tag_make_one(tenant: Tenant) -> None:
    results: list[requests.Response] = []
    barrier = threading.Barrier(10)

    def attempt() -> None:
        barrier.wait()
        results.append(
            tenant.with_key(tenant.api_key).post(
                "/dashboards/create_unlisted_dashboard",
                json={"projectId": tenant.project_id, "tag": "Launch", "template": TEMPLATE},
            )
        )

    threads = [threading.Thread(target=attempt) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(r.status_code for r in results) == [200] + [409] * 9, [r.text[:100] for r in results]
    (winner,) = [r.json()["data"] for r in results if r.status_code == 200]
    conflict = assert_error(next(r for r in results if r.status_code == 409), 409)
    assert conflict["details"] == {"tag": "Launch", "dashboardId": winner["id"]}
    assert winner["unlisted"] is True and winner["tags"] == ["Launch", "launch"]
    assert len(winner["widgets"]) == 4
    assert winner["id"] not in listed_ids(tenant)
    assert get(tenant, winner["id"]).status_code == 200
    again = tenant.post(
        "/dashboards/create_unlisted_dashboard", json={"projectId": tenant.project_id, "tag": "launch"}
    )
    assert_error(again, 409)  # tags compare case-insensitively
    other = tenant.post(
        "/dashboards/create_unlisted_dashboard", json={"projectId": tenant.project_id, "tag": "Other"}
    )
    assert other.status_code == 200 and other.json()["data"]["name"] == "Other"
    lock_key = unlisted_lock_key(tenant.workspace_id, tenant.project_id, "LAUNCH")
    lock = dynamo.get(get_settings().entities_table, lock_key)
    assert lock is not None and lock["dashboardId"] == winner["id"]


def test_unlisted_tag_is_per_project_and_a_conflict_names_nothing_outside_the_key(tenant: Tenant) -> None:
    """The document's "team" is our project: P2's unlisted tag neither blocks P1 nor shows its id
    to a key restricted to P1."""
    second = tenant.add_project("Second")
    in_second = second.post(
        "/dashboards/create_unlisted_dashboard", json={"projectId": second.project_id, "tag": "p2-only"}
    )
    assert in_second.status_code == 200, in_second.text
    second_id = in_second.json()["data"]["id"]

    first_only = tenant.create_key("editor", projectIds=[tenant.project_id])
    in_first = first_only.post(
        "/dashboards/create_unlisted_dashboard", json={"projectId": tenant.project_id, "tag": "P2-ONLY"}
    )
    assert in_first.status_code == 200, in_first.text
    first_id = in_first.json()["data"]["id"]
    assert second_id not in in_first.text

    again = first_only.post(
        "/dashboards/create_unlisted_dashboard", json={"projectId": tenant.project_id, "tag": "p2-only"}
    )
    conflict = assert_error(again, 409)
    assert conflict["details"] == {"tag": "p2-only", "dashboardId": first_id}
    assert second_id not in again.text
    # The second project's dashboard is untouched and still its project's unlisted one.
    assert get(second, second_id).json()["data"]["projectId"] == second.project_id


def test_unlisted_is_one_per_tag_per_workspace_not_across_workspaces(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    for who in (tenant, other_tenant):
        response = who.post(
            "/dashboards/create_unlisted_dashboard", json={"projectId": who.project_id, "tag": "ops"}
        )
        assert response.status_code == 200, response.text


def test_use_template_makes_the_named_template_in_any_case(tenant: Tenant) -> None:
    response = tenant.post(
        "/dashboards/create_from_template_json",
        json={"projectId": tenant.project_id, "use_template": "executive summary"},
    )

    assert response.status_code == 200, response.text
    created = response.json()["data"]
    assert created["name"] == "Executive Summary"
    widgets = [(w["type"], w["title"], w["position"], w["config"]) for w in created["widgets"]]
    assert widgets == [
        ("metric", "MRR", {"x": 0, "y": 0, "w": 3, "h": 2}, {"metricId": "stripe_mrr", "timeRange": "30d"}),
        (
            "chart",
            "Revenue Trend",
            {"x": 3, "y": 0, "w": 6, "h": 3},
            {"metricId": "stripe_revenue", "chartType": "line", "timeRange": "90d", "aggregation": "sum"},
        ),
    ]
    assert get(tenant, created["id"]).json()["data"] == created
    assert stored_dashboard(tenant, created["id"])["widgetCount"] == 2
    named = tenant.post(
        "/dashboards/create_from_template_json",
        json={"projectId": tenant.project_id, "use_template": "Revenue Dashboard", "name": "Rev"},
    )
    assert named.status_code == 200, named.text
    assert named.json()["data"]["name"] == "Rev" and len(named.json()["data"]["widgets"]) == 1


def test_use_template_must_name_a_template_and_not_come_with_one(tenant: Tenant) -> None:
    before = listed_ids(tenant)
    for body, field in (
        ({"use_template": "No such board"}, "use_template"),
        ({"use_template": "Executive Summary", "template": TEMPLATE}, "use_template"),
        ({}, "template"),
    ):
        response = tenant.post(
            "/dashboards/create_from_template_json", json={"projectId": tenant.project_id, **body}
        )
        details = assert_error(response, 400)["details"]
        assert field in details, (body, details)
    unknown = tenant.post(
        "/dashboards/create_from_template_json",
        json={"projectId": tenant.project_id, "use_template": "No such board"},
    )
    assert "Executive Summary" in assert_error(unknown, 400)["details"]["use_template"]
    assert listed_ids(tenant) == before


def test_unlisted_takes_the_documents_tags_array_its_first_entry_the_tag(tenant: Tenant) -> None:
    response = tenant.post(
        "/dashboards/create_unlisted_dashboard",
        json={"projectId": tenant.project_id, "tags": ["Weekly", "ops"], "use_template": "Revenue Dashboard"},
    )

    assert response.status_code == 200, response.text
    created = response.json()["data"]
    assert created["unlisted"] is True and created["tags"] == ["Weekly", "ops"]
    assert created["name"] == "Revenue Dashboard" and len(created["widgets"]) == 1
    lock = dynamo.get(
        get_settings().entities_table, unlisted_lock_key(tenant.workspace_id, tenant.project_id, "WEEKLY")
    )
    assert lock is not None and lock["dashboardId"] == created["id"]
    again = tenant.post(
        "/dashboards/create_unlisted_dashboard", json={"projectId": tenant.project_id, "tags": ["weekly"]}
    )
    assert assert_error(again, 409)["details"] == {"tag": "weekly", "dashboardId": created["id"]}
    ops_is_free = tenant.post(
        "/dashboards/create_unlisted_dashboard", json={"projectId": tenant.project_id, "tag": "ops"}
    )
    assert ops_is_free.status_code == 200, ops_is_free.text  # only the first entry is the unlisted tag
    for body, field in (({"tag": "a", "tags": ["a"]}, "tags"), ({"tags": []}, "tags"), ({}, "tag")):
        response = tenant.post(
            "/dashboards/create_unlisted_dashboard", json={"projectId": tenant.project_id, **body}
        )
        assert field in assert_error(response, 400)["details"], body


# ----------------------------------------------------------------------------- themes


def test_theme_crud(tenant: Tenant) -> None:
    base = f"/projects/{tenant.project_id}/data_color_themes"
    created = create_theme(tenant, "Brand", ["#ABC", "#112233", "#11223344"])
    assert created["colors"] == ["#abc", "#112233", "#11223344"]
    assert created["id"].startswith("theme_") and created["projectId"] == tenant.project_id

    assert tenant.get(f"{base}/{created['id']}").json()["data"] == created
    updated = tenant.patch(f"{base}/{created['id']}", json={"name": "Brand 2"})
    assert updated.status_code == 200 and updated.json()["data"]["name"] == "Brand 2"
    assert updated.json()["data"]["colors"] == created["colors"]
    assert tenant.delete(f"{base}/{created['id']}").status_code == 204
    assert_error(tenant.get(f"{base}/{created['id']}"), 404)
    assert_error(tenant.patch(f"{base}/{created['id']}", json={"name": "x"}), 404)
    assert_error(tenant.delete(f"{base}/{created['id']}"), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "colors": []},
        {"name": "x", "colors": ["#123456"] * 33},
        {"name": "x", "colors": ["red"]},
        {"name": "x", "colors": ["#12345"]},
        {"name": "", "colors": ["#123"]},
        {"colors": ["#123"]},
    ],
)
def test_theme_colours_are_1_to_32_hex(tenant: Tenant, body: dict[str, Any]) -> None:
    response = tenant.post(f"/projects/{tenant.project_id}/data_color_themes", json=body)
    assert_error(response, 400)


def test_theme_list_pages_with_limit_offset_and_cursor(tenant: Tenant) -> None:
    base = f"/projects/{tenant.project_id}/data_color_themes"
    made = [create_theme(tenant, f"T{i}")["id"] for i in range(5)]

    first = tenant.get(base, params={"limit": 2}).json()
    by_offset = tenant.get(base, params={"limit": 2, "offset": 2}).json()
    by_cursor = tenant.get(base, params={"limit": 2, "cursor": first["pagination"]["nextCursor"]}).json()

    assert [t["id"] for t in first["data"]] == made[:2]
    assert first["pagination"] | {"nextCursor": None} == {
        "total": 5,
        "limit": 2,
        "offset": 0,
        "hasMore": True,
        "nextCursor": None,
    }
    assert [t["id"] for t in by_offset["data"]] == made[2:4] == [t["id"] for t in by_cursor["data"]]
    last = tenant.get(base, params={"limit": 2, "offset": 4}).json()
    assert [t["id"] for t in last["data"]] == made[4:] and last["pagination"]["hasMore"] is False


def test_themes_need_scopes_and_stay_in_their_project(tenant: Tenant, other_tenant: Tenant) -> None:
    theme = create_theme(tenant)
    path = f"/projects/{tenant.project_id}/data_color_themes/{theme['id']}"
    reader = tenant.create_key("editor", scopes=["project:read"])
    writer_without_read = tenant.create_key("editor", scopes=["project:write"])
    viewer = tenant.create_key("viewer")

    assert reader.get(path).status_code == 200
    assert_error(reader.patch(path, json={"name": "x"}), 403)
    assert_error(writer_without_read.get(path), 403)
    assert_error(viewer.delete(path), 403)
    assert_error(other_tenant.get(path), 403)  # another workspace's project
    other_project = tenant.add_project()
    assert_error(tenant.get(f"/projects/{other_project.project_id}/data_color_themes/{theme['id']}"), 404)


# ----------------------------------------------------------------------------- format=txt


def test_format_txt_renders_answers_and_errors_as_text(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant, name="Plain")
    theme = create_theme(tenant, "Texty")

    ok = tenant.patch(f"/dashboards/{dashboard['id']}", params={"format": "txt"}, json={"pinned": True})
    listed = tenant.get(f"/projects/{tenant.project_id}/data_color_themes", params={"format": "txt"})
    error = tenant.patch("/dashboards/dash_nope", params={"format": "txt"}, json={"pinned": True})
    invalid = tenant.post(
        f"/projects/{tenant.project_id}/data_color_themes", params={"format": "txt"}, json={"name": "x"}
    )

    for response in (ok, listed, error, invalid):
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8", response.text
    assert ok.status_code == 200 and "name: Plain" in ok.text and "pinned: yes" in ok.text
    assert listed.status_code == 200 and f"id: {theme['id']}" in listed.text and "total: 1" in listed.text
    assert error.status_code == 404 and error.text.startswith("404 Not Found: Dashboard not found")
    assert invalid.status_code == 400 and invalid.text.startswith(
        "400 Bad Request: Invalid parameter: colors"
    )
    assert "X-RateLimit-Remaining" in error.headers
    bad_format = tenant.get(f"/projects/{tenant.project_id}/data_color_themes", params={"format": "xml"})
    assert "format" in assert_error(bad_format, 400)["details"]
