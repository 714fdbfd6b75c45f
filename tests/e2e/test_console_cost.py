"""The API calls a console page makes, pinned: the dashboards list and each demo dashboard
(tallyboard_local.demo), signed in over HTTP, the calls counted where the local gateway serves
them (bench/bench_console.py measures the same with their bytes and DynamoDB cost). A change
that adds a call to either page fails here; make it fail on purpose and update the pin (and
bench/README.md's figures) only for a call the page needs."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests

from bench.bench_console import count_api_calls, demo_dashboards, seed_demo, sign_in
from tallyboard_local.stack import LocalStack

ID = re.compile(r"/[a-z]+_[0-9a-f]{8,}")


def _routes(calls: list[Any]) -> list[str]:
    """'GET /dashboards/{id}/run_insights' of each call: stage, ids and query left out."""
    return [f"{c.method} {ID.sub('/{id}', c.path.split('?')[0].removeprefix('/v1'))}" for c in calls]


@pytest.fixture(scope="module")
def demo(stack: LocalStack) -> dict[str, Any]:
    return seed_demo(stack, days=7)  # the pages make the same calls with 7 days of points as 120


def _page(stack: LocalStack, cookie: str, path: str) -> list[Any]:
    with count_api_calls() as calls:
        page = requests.get(f"{stack.base_url}{path}", cookies={"tb_console": cookie}, timeout=60)
    assert page.status_code == 200, page.text
    assert "<h1>" in page.text
    return calls


def test_the_dashboards_list_makes_one_call_per_project_and_one_for_the_projects(
    stack: LocalStack, demo: dict[str, Any]
) -> None:
    cookie = sign_in(stack.base_url, demo["apiKey"])
    headers = {"Authorization": f"Bearer {demo['apiKey']}"}
    projects = requests.get(f"{stack.base_url}/projects", headers=headers, timeout=30).json()["data"]
    assert len(projects) == 3  # the demo workspace's: the list asks each for its dashboards

    calls = _page(stack, cookie, "/console/dashboards")

    assert _routes(calls) == ["GET /projects"] + ["GET /dashboards"] * len(projects)
    asked = sorted(c.path.split("projectId=")[1] for c in calls[1:])
    assert asked == sorted(p["id"] for p in projects)
    assert all(c.status == 200 for c in calls)


def test_a_demo_dashboard_makes_three_calls_whatever_its_tiles(
    stack: LocalStack, demo: dict[str, Any]
) -> None:
    """The dashboard, every tile's result in one run_insights, and its colour theme."""
    cookie = sign_in(stack.base_url, demo["apiKey"])
    boards = demo_dashboards(stack.base_url, demo)
    assert [b["name"] for b in boards] == ["Executive Summary", "Payments"]

    for board in boards:
        for _ in ("cache cold", "cache warm"):
            calls = _page(stack, cookie, f"/console/dashboards/{board['id']}")

            assert _routes(calls) == [
                "GET /dashboards/{id}",
                "GET /dashboards/{id}/run_insights",
                "GET /projects/{id}/data_color_themes/{id}",
            ]
            assert all(c.status == 200 for c in calls) and all(board["id"] in c.path for c in calls[:2])


def test_a_revoked_key_is_signed_out_by_the_lists_first_call(stack: LocalStack, demo: dict[str, Any]) -> None:
    headers = {"Authorization": f"Bearer {demo['apiKey']}"}
    created = requests.post(
        f"{stack.base_url}/api-keys",
        json={"name": "console key", "role": "owner"},
        headers=headers,
        timeout=30,
    )
    assert created.status_code == 201, created.text
    key = created.json()["data"]
    cookie = sign_in(stack.base_url, key["key"])
    revoked = requests.delete(f"{stack.base_url}/api-keys/{key['id']}", headers=headers, timeout=30)
    assert revoked.status_code == 204

    with count_api_calls() as calls:
        page = requests.get(
            f"{stack.base_url}/console/dashboards",
            cookies={"tb_console": cookie},
            allow_redirects=False,
            timeout=60,
        )

    assert page.status_code == 303 and page.headers["Location"] == "/v1/console/sign-in"
    assert "tb_console=;" in page.headers["Set-Cookie"] or 'tb_console="";' in page.headers["Set-Cookie"]
    assert [(route, c.status) for route, c in zip(_routes(calls), calls, strict=True)] == [
        ("GET /projects", 401)
    ]
