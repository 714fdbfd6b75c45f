"""A dashboard's tiles computed, over real HTTP (docs/api.md): run_insights and its cache,
snapshot → a pushed point → analyze_refresh_result, generate_metadata, and stream_tiles read by
an SSE client."""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest
import sseclient

from tallyboard.data.dashboards import widgets as stored_widgets
from tallyboard.ids import now_ms
from tallyboard.logic.insights import analyze_refresh_result, stream_tiles
from tallyboard.logic.insights import tiles as insights
from tests.conftest import Tenant, assert_error
from tests.e2e.test_dashboards import create_dashboard
from tests.e2e.test_widgets import add_widget

DAY = 86_400_000


def push(tenant: Tenant, metric_id: str, value: float, timestamp: int | None = None, **extra: Any) -> None:
    body = {"projectId": tenant.project_id, "metricId": metric_id, "value": value, **extra}
    if timestamp is not None:
        body["timestamp"] = timestamp
    response = tenant.post("/metrics/custom", json=body)
    assert response.status_code == 201, response.text


def run(tenant: Tenant, dashboard_id: str, **params: str) -> dict[str, Any]:
    response = tenant.get(f"/dashboards/{dashboard_id}/run_insights", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def by_title(tiles: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {t["title"]: t for t in tiles}


@pytest.fixture
def board(tenant: Tenant) -> dict[str, Any]:
    """Sales (sum over 30 days), MRR (a gauge: last), a text tile, and three tiles that cannot be
    computed (no metric, a metric with no points, a bad range)."""
    now = now_ms()
    for days_ago, value in ((3, 100), (2, 250.5), (1, 49.5)):
        push(tenant, "sales", value, now - days_ago * DAY, unit="USD")
    push(tenant, "sales", 1_000, now - 60 * DAY)  # outside the 30-day range
    push(tenant, "acme_mrr", 12_000, now - 2 * DAY, unit="USD")
    push(tenant, "acme_mrr", 12_500, now - DAY, unit="USD")
    dashboard = create_dashboard(tenant, name="Launch")
    add_widget(
        tenant,
        dashboard["id"],
        type="metric",
        title="Sales",
        config={"metricId": "sales", "timeRange": "30d"},
    )
    add_widget(
        tenant, dashboard["id"], type="chart", title="MRR", config={"metricId": "acme_mrr", "timeRange": "7d"}
    )
    add_widget(
        tenant, dashboard["id"], type="text", title="Notes", config={"body": "Launch went out on Monday"}
    )
    add_widget(tenant, dashboard["id"], type="metric", title="Unset", config={})
    add_widget(tenant, dashboard["id"], type="metric", title="Nothing yet", config={"metricId": "not_pushed"})
    bad = add_widget(tenant, dashboard["id"], type="table", title="Bad range", config={"metricId": "sales"})
    # A range no tile computes is refused on write now; one stored before that reads as invalid.
    legacy = {"config": {"metricId": "sales", "timeRange": "5m"}}
    assert stored_widgets.update_widget(tenant.workspace_id, dashboard["id"], bad["id"], legacy, now)
    return dashboard


# ----------------------------------------------------------------------------- run_insights


def test_run_insights_computes_every_tile(tenant: Tenant, board: dict[str, Any]) -> None:
    body = run(tenant, board["id"])

    assert (body["dashboardId"], body["refresh"], body["output_format"]) == (board["id"], "blocking", "json")
    assert body["cacheTtlSeconds"] == insights.CACHE_TTL_SECONDS
    assert [t["title"] for t in body["tiles"]] == [
        "Sales",
        "MRR",
        "Notes",
        "Unset",
        "Nothing yet",
        "Bad range",
    ]
    tiles = by_title(body["tiles"])
    sales, mrr = tiles["Sales"], tiles["MRR"]
    assert (sales["status"], sales["value"], sales["aggregation"], sales["interval"]) == (
        "ok",
        400,
        "sum",
        "day",
    )
    assert [p["value"] for p in sales["series"]] == [100, 250.5, 49.5]
    assert sales["metric"] == {"id": "sales", "name": "sales", "unit": "USD", "service": "custom"}
    assert (mrr["status"], mrr["value"], mrr["aggregation"]) == ("ok", 12_500, "last")
    assert (tiles["Notes"]["status"], tiles["Notes"]["text"]) == ("text", "Launch went out on Monday")
    assert tiles["Unset"]["status"] == "no_metric"
    assert tiles["Nothing yet"]["status"] == "metric_not_found"
    assert tiles["Bad range"]["status"] == "invalid_config" and "timeRange" in tiles["Bad range"]["message"]
    assert all(t["cached"] is False for t in body["tiles"])


def test_blocking_uses_the_cache_force_blocking_computes_force_cache_never_does(
    tenant: Tenant, board: dict[str, Any]
) -> None:
    first = by_title(run(tenant, board["id"])["tiles"])["Sales"]
    push(tenant, "sales", 5)

    cached = by_title(run(tenant, board["id"])["tiles"])["Sales"]
    forced = by_title(run(tenant, board["id"], refresh="force_blocking")["tiles"])["Sales"]
    from_cache = by_title(run(tenant, board["id"], refresh="force_cache")["tiles"])["Sales"]

    assert cached["cached"] is True and cached["value"] == 400  # younger than the TTL: served as is
    assert cached["last_refresh"] == first["last_refresh"]
    assert (
        forced["cached"] is False
        and forced["value"] == 405
        and forced["last_refresh"] >= first["last_refresh"]
    )
    assert from_cache["cached"] is True and from_cache["value"] == 405  # force_blocking refreshed the cache


def test_force_cache_says_so_per_tile_on_a_miss(tenant: Tenant, board: dict[str, Any]) -> None:
    tiles = by_title(run(tenant, board["id"], refresh="force_cache")["tiles"])

    assert tiles["Sales"]["status"] == "cache_miss" and "refresh=blocking" in tiles["Sales"]["message"]
    assert tiles["Sales"]["series"] is None and tiles["Sales"]["value"] is None
    assert tiles["Notes"]["status"] == "text"  # nothing to compute, nothing to miss
    run(tenant, board["id"])
    widget = next(
        w for w in tenant.get(f"/dashboards/{board['id']}").json()["data"]["widgets"] if w["title"] == "Sales"
    )
    tenant.patch(
        f"/dashboards/{board['id']}/widgets/{widget['id']}",
        json={"config": {"metricId": "sales", "timeRange": "7d"}},
    )
    after_change = by_title(run(tenant, board["id"], refresh="force_cache")["tiles"])
    assert after_change["Sales"]["status"] == "cache_miss"  # the cached result was for another range
    assert after_change["MRR"]["status"] == "ok"


def test_optimized_output_is_compact(tenant: Tenant, board: dict[str, Any]) -> None:
    body = run(tenant, board["id"], output_format="optimized")

    assert body["columns"] == ["timestamp", "value"]
    sales = body["tiles"][0]
    assert set(sales) == {"id", "status", "value", "rows", "last_refresh"}
    assert [row[1] for row in sales["rows"]] == [100, 250.5, 49.5]
    assert body["tiles"][2] == {
        "id": body["tiles"][2]["id"],
        "status": "text",
        "value": None,
        "rows": None,
        "last_refresh": None,
    }
    full = json.dumps(run(tenant, board["id"]))
    assert len(json.dumps(body)) < len(full)


def test_insights_need_query_read(tenant: Tenant, board: dict[str, Any]) -> None:
    query_only = tenant.create_key("viewer", scopes=["query:read"])
    dashboards_only = tenant.create_key("editor", scopes=["dashboard:read", "dashboard:write"])
    viewer = tenant.create_key("viewer")

    assert by_title(run(query_only, board["id"])["tiles"])["Sales"]["value"] == 400  # no metrics:read needed
    assert_error(dashboards_only.get(f"/dashboards/{board['id']}/run_insights"), 403)
    assert run(viewer, board["id"])["tiles"]
    assert_error(viewer.post(f"/dashboards/{board['id']}/snapshot"), 403)  # a snapshot is stored: editors


def test_insights_of_another_workspace_are_404(
    tenant: Tenant, other_tenant: Tenant, board: dict[str, Any]
) -> None:
    for method, route in (
        ("GET", "run_insights"),
        ("GET", "stream_tiles"),
        ("POST", "snapshot"),
        ("POST", "generate_metadata"),
    ):
        assert_error(other_tenant.request(method, f"/dashboards/{board['id']}/{route}"), 404)


# ----------------------------------------------------------------------------- snapshot → analysis


def test_snapshot_then_a_push_then_the_analysis_names_the_tile(tenant: Tenant, board: dict[str, Any]) -> None:
    snapshot = tenant.post(f"/dashboards/{board['id']}/snapshot")
    assert snapshot.status_code == 200, snapshot.text
    taken = snapshot.json()
    assert taken["cache_key"].startswith("snap_") and taken["expiresAt"] == taken["createdAt"] + DAY
    assert {t["title"]: t["value"] for t in taken["tiles"]} == {
        "Sales": 400,
        "MRR": 12_500,
        "Unset": None,
        "Nothing yet": None,
        "Bad range": None,
    }

    push(tenant, "sales", 100)  # visible in the series the moment the push returns
    push(tenant, "not_pushed", 7)

    response = tenant.post(
        f"/dashboards/{board['id']}/analyze_refresh_result", json={"cache_key": taken["cache_key"]}
    )

    assert response.status_code == 200, response.text
    analysis = response.json()
    tiles = by_title(analysis["tiles"])
    assert tiles["Sales"] | {"id": None} == {
        "id": None,
        "title": "Sales",
        "metricId": "sales",
        "unit": "USD",
        "before": 400,
        "after": 500,
        "absoluteChange": 100,
        "relativeChange": 25.0,
        "direction": "up",
    }
    assert tiles["MRR"]["direction"] == "unchanged" and tiles["MRR"]["absoluteChange"] == 0
    assert (tiles["Nothing yet"]["direction"], tiles["Nothing yet"]["after"]) == ("appeared", 7)
    assert tiles["Unset"]["direction"] == "no_data"
    assert analysis["changed"] == 2
    assert [m["title"] for m in analysis["biggestMovers"]] == ["Sales"]
    assert analysis["summary"].startswith("Since the snapshot of ")
    assert "2 of 5 tile(s) changed. Biggest mover: Sales rose 25% (400 USD → 500 USD)." in analysis["summary"]
    assert "1 tile(s) now have data: Nothing yet." in analysis["summary"]
    again = tenant.post(
        f"/dashboards/{board['id']}/analyze_refresh_result", json={"cache_key": taken["cache_key"]}
    )
    assert again.json()["summary"] == analysis["summary"]  # deterministic


def test_analysis_names_tiles_added_and_removed_since(tenant: Tenant, board: dict[str, Any]) -> None:
    taken = tenant.post(f"/dashboards/{board['id']}/snapshot").json()
    widgets = tenant.get(f"/dashboards/{board['id']}").json()["data"]["widgets"]
    mrr = next(w for w in widgets if w["title"] == "MRR")
    tenant.delete(f"/dashboards/{board['id']}/widgets/{mrr['id']}")
    add_widget(tenant, board["id"], type="metric", title="Sales again", config={"metricId": "sales"})

    analysis = tenant.post(
        f"/dashboards/{board['id']}/analyze_refresh_result", json={"cache_key": taken["cache_key"]}
    ).json()

    tiles = by_title(analysis["tiles"])
    assert (tiles["Sales again"]["direction"], tiles["Sales again"]["after"]) == ("added", 400)
    assert (tiles["MRR"]["direction"], tiles["MRR"]["before"], tiles["MRR"]["after"]) == (
        "removed",
        12_500,
        None,
    )
    assert analysis["tiles"][-1]["title"] == "MRR"  # removed tiles come last
    assert "1 tile(s) added since the snapshot: Sales again." in analysis["summary"]
    assert "1 tile(s) removed since the snapshot: MRR." in analysis["summary"]


def test_unknown_and_expired_cache_keys(tenant: Tenant, board: dict[str, Any], other_tenant: Tenant) -> None:
    path = f"/dashboards/{board['id']}/analyze_refresh_result"
    unknown = tenant.post(path, json={"cache_key": f"snap_{now_ms():012x}{secrets.token_hex(12)}"})
    expired = tenant.post(
        path, json={"cache_key": f"snap_{now_ms() - DAY - 1000:012x}{secrets.token_hex(12)}"}
    )

    assert assert_error(unknown, 404)["message"] == "Snapshot not found"
    assert "expired" in assert_error(expired, 410, "Gone")["message"]
    other_board = create_dashboard(tenant, name="Other")
    key = tenant.post(f"/dashboards/{board['id']}/snapshot").json()["cache_key"]
    assert_error(
        tenant.post(f"/dashboards/{other_board['id']}/analyze_refresh_result", json={"cache_key": key}), 404
    )
    assert_error(other_tenant.post(path, json={"cache_key": key}), 404)


def test_a_stored_snapshot_past_24_hours_is_410(
    tenant: Tenant, board: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = tenant.post(f"/dashboards/{board['id']}/snapshot").json()["cache_key"]
    later = now_ms() + DAY + 1
    monkeypatch.setattr(analyze_refresh_result, "now_ms", lambda: later)

    response = tenant.post(f"/dashboards/{board['id']}/analyze_refresh_result", json={"cache_key": key})

    assert_error(response, 410, "Gone")


# ----------------------------------------------------------------------------- metadata


def test_generate_metadata_is_deterministic_and_saves_nothing(tenant: Tenant, board: dict[str, Any]) -> None:
    path = f"/dashboards/{board['id']}/generate_metadata"
    first, second = tenant.post(path), tenant.post(path)

    assert first.status_code == 200, first.text
    assert first.json() == second.json()
    body = first.json()
    assert body["name"] == "Custom metrics overview"
    assert body["description"] == (
        "5 insight tiles tracking sales (USD), acme_mrr (USD) & not_pushed from Custom. 1 text tile."
    )
    assert body["basis"] == {
        "tiles": 6,
        "insightTiles": 5,
        "textTiles": 1,
        "metrics": ["sales", "acme_mrr", "not_pushed"],
        "services": ["custom"],
    }
    assert tenant.get(f"/dashboards/{board['id']}").json()["data"]["name"] == "Launch"


def test_generate_metadata_names_services(tenant: Tenant) -> None:
    dashboard = create_dashboard(tenant)
    add_widget(tenant, dashboard["id"], config={"metricId": "stripe_mrr"})
    add_widget(tenant, dashboard["id"], config={"metricId": "github_commits"})
    empty = create_dashboard(tenant)

    body = tenant.post(f"/dashboards/{dashboard['id']}/generate_metadata").json()
    nothing = tenant.post(f"/dashboards/{empty['id']}/generate_metadata").json()

    assert body["name"] == "Stripe & GitHub overview"
    assert body["description"] == (
        "2 insight tiles tracking Monthly Recurring Revenue (USD) & Commits (count) from Stripe & GitHub."
    )
    assert (nothing["name"], nothing["description"]) == ("Empty dashboard", "A dashboard with no tiles yet.")
    assert_error(tenant.create_key("viewer").post(f"/dashboards/{dashboard['id']}/generate_metadata"), 403)


# ----------------------------------------------------------------------------- stream_tiles


def _events(response: Any) -> list[tuple[str, str | None, Any]]:
    client = sseclient.SSEClient(response)
    return [(e.event, e.id, json.loads(e.data)) for e in client.events()]


def test_stream_tiles_is_valid_server_sent_events(tenant: Tenant, board: dict[str, Any]) -> None:
    response = tenant.get(f"/dashboards/{board['id']}/stream_tiles", stream=True)

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/event-stream")
    events = _events(response)
    names = [name for name, _, _ in events]
    assert names == ["metadata"] + ["tile"] * 6 + ["done"]
    _, _, metadata = events[0]
    assert metadata["dashboard"]["id"] == board["id"] and metadata["tileCount"] == 6
    tiles = [data for name, _, data in events if name == "tile"]
    assert [t["title"] for t in tiles] == ["Sales", "MRR", "Notes", "Unset", "Nothing yet", "Bad range"]
    assert [event_id for name, event_id, _ in events if name == "tile"] == [t["id"] for t in tiles]
    assert tiles[0]["value"] == 400 and tiles[0]["series"]
    assert events[-1][2] == {"tiles": 6, "truncated": False}


def test_stream_tiles_stops_adding_tiles_past_the_cap(
    tenant: Tenant, board: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    full = tenant.get(f"/dashboards/{board['id']}/stream_tiles").text
    first_tile_end = full.index("\n\n", full.index("event: tile")) + 2
    monkeypatch.setattr(stream_tiles, "MAX_STREAM_BYTES", len(full[:first_tile_end].encode()) + 10)

    events = _events(tenant.get(f"/dashboards/{board['id']}/stream_tiles", stream=True))

    names = [name for name, _, _ in events]
    assert names == ["metadata", "tile", "truncated", "done"]
    assert len(events[2][2]["tiles"]) == 5
    assert events[-1][2] == {"tiles": 1, "truncated": True}


def test_stream_tiles_and_run_insights_as_text(tenant: Tenant, board: dict[str, Any]) -> None:
    stream = tenant.get(f"/dashboards/{board['id']}/stream_tiles", params={"format": "txt"})
    insights_text = tenant.get(f"/dashboards/{board['id']}/run_insights", params={"format": "txt"})
    missing = tenant.get("/dashboards/dash_missing/stream_tiles", params={"format": "txt"})

    for response in (stream, insights_text, missing):
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "event: metadata" in stream.text and stream.text.count("event: tile") == 6
    assert "title: Sales" in insights_text.text and "value: 400" in insights_text.text
    assert missing.status_code == 404 and missing.text.startswith("404 Not Found")


def test_a_new_container_checks_the_project_once(tenant: Tenant, board: dict[str, Any]) -> None:
    """Each function's container reads the tiles' project item once (access.project_for caches it
    per container; locally one cache serves every function, so it is emptied before each)."""
    from tallyboard import access

    for method, route in (
        ("GET", "run_insights?refresh=force_blocking"),
        ("GET", "stream_tiles"),
        ("POST", "snapshot"),
        ("POST", "generate_metadata"),
    ):
        access._known_projects.clear()
        response = tenant.request(method, f"/dashboards/{board['id']}/{route}")
        assert response.status_code == 200, (route, response.text)
        assert (tenant.workspace_id, tenant.project_id) in access._known_projects
