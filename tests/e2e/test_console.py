"""The console (functions/console/app) in a real browser: Debian's chromium driven by selenium
through Debian's chromium-driver, against the session stack. Sign-in with a tenant's key, a
dashboard drawn with exactly run_insights' series and points, a revoked key signed out at the
next page, axe-core (from .tools/node, injected by the test) at 0 serious/critical violations on
each page, screenshots in .local/console-screenshots/. Forged cookies and missing CSRF tokens are
checked over plain HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from tallyboard.ids import now_ms
from tests.conftest import Tenant
from tests.e2e.console_browser import DAY, axe_serious, console, shot, sign_in, submit
from tests.e2e.console_browser import signed_in_cookie as _signed_in_cookie
from tests.e2e.test_dashboard_insights import push
from tests.e2e.test_dashboards import create_dashboard
from tests.e2e.test_widgets import add_widget


@pytest.fixture
def board(tenant: Tenant) -> dict[str, Any]:
    now = now_ms()
    for days_ago, value in ((4, 120), (3, 100), (2, 250.5), (1, 49.5)):
        push(tenant, "sales", value, now - days_ago * DAY, unit="USD")
    for days_ago, value in ((2, 12_000), (1, 12_500)):
        push(tenant, "acme_mrr", value, now - days_ago * DAY, unit="USD")
    create_dashboard(tenant, name="Another board")
    dashboard = create_dashboard(tenant, name="Launch")
    assert tenant.patch(f"/dashboards/{dashboard['id']}", json={"pinned": True}).status_code == 200
    add_widget(
        tenant,
        dashboard["id"],
        type="metric",
        title="Sales",
        config={"metricId": "sales", "timeRange": "30d"},
        position={"x": 0, "y": 0, "w": 6, "h": 4},
    )
    add_widget(
        tenant,
        dashboard["id"],
        type="chart",
        title="MRR",
        config={"metricId": "acme_mrr", "timeRange": "7d"},
        position={"x": 6, "y": 0, "w": 6, "h": 4},
    )
    add_widget(
        tenant,
        dashboard["id"],
        type="text",
        title="Notes",
        config={"body": "Launch went out on Monday"},
        position={"x": 0, "y": 4, "w": 12, "h": 2},
    )
    return dashboard


def test_sign_in_then_the_dashboard_draws_what_run_insights_returns(
    driver: Any, tenant: Tenant, board: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    driver.get(console(tenant, "/sign-in"))
    assert axe_serious(driver) == []
    shot(driver, "sign-in")
    sign_in(driver, tenant)

    assert driver.current_url == console(tenant, "/dashboards")
    names = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "ul.dashboards a")]
    assert names == ["Launch", "Another board"]  # pinned first
    assert axe_serious(driver) == []
    shot(driver, "dashboards")
    # The session cookie is HttpOnly: the page cannot read it.
    assert "tb_console" not in driver.execute_script("return document.cookie")

    driver.get(console(tenant, f"/dashboards/{board['id']}"))
    insights = tenant.get(f"/dashboards/{board['id']}/run_insights").json()
    charted = [t for t in insights["tiles"] if t["status"] == "ok"]
    charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert len(charted) == 2 and len(charts) == len(charted)
    for tile, svg in zip(charted, charts, strict=True):
        assert len(svg.find_elements(By.CSS_SELECTOR, "g.series")) == 1
        assert len(svg.find_elements(By.CSS_SELECTOR, "circle.point")) == len(tile["series"])
        assert svg.find_element(By.TAG_NAME, "title").get_attribute("textContent") == tile["title"]
        assert f"{len(tile['series'])} points" in svg.find_element(By.TAG_NAME, "desc").get_attribute(
            "textContent"
        )
    tables = driver.find_elements(By.CSS_SELECTOR, "table.data")
    assert [len(t.find_elements(By.CSS_SELECTOR, "tbody tr")) for t in tables] == [
        len(t["series"]) for t in charted
    ]
    assert "Launch went out on Monday" in driver.find_element(By.CSS_SELECTOR, "p.text").text
    assert axe_serious(driver) == []
    shot(driver, "dashboard")
    driver.set_window_size(360, 900)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    shot(driver, "dashboard-360px")
    driver.set_window_size(1280, 1000)
    assert width <= 360  # nothing overflows sideways at 360 px


def test_the_metric_explorer_draws_the_timeseries(driver: Any, tenant: Tenant, board: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    sign_in(driver, tenant)
    driver.get(console(tenant, "/metrics"))
    driver.find_element(By.ID, "metric").send_keys("sales")
    Select(driver.find_element(By.ID, "interval")).select_by_value("week")
    submit(driver, "form.explorer button[type=submit]")

    assert "metric=sales" in driver.current_url and "interval=week" in driver.current_url
    end = now_ms()
    api = tenant.get(
        "/metrics/sales/timeseries",
        params={
            "projectId": tenant.project_id,
            "startDate": _iso(end - 30 * DAY),
            "endDate": _iso(end),
            "interval": "week",
        },
    ).json()
    svg = driver.find_element(By.CSS_SELECTOR, "svg.chart")
    assert len(svg.find_elements(By.CSS_SELECTOR, "circle.point")) == len(api["data"]) > 0
    rows = driver.find_elements(By.CSS_SELECTOR, "table.data tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows] == [
        f"{p['value']:,.2f}".rstrip("0").rstrip(".") for p in api["data"]
    ]
    assert axe_serious(driver) == []
    shot(driver, "metric-explorer")


def _iso(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_revoked_key_is_signed_out_at_the_next_page(driver: Any, tenant: Tenant) -> None:
    created = tenant.post("/api-keys", json={"name": "console key", "role": "owner"})
    assert created.status_code == 201, created.text
    key = created.json()["data"]
    sign_in(driver, tenant.with_key(key["key"]))
    assert driver.current_url == console(tenant, "/dashboards")

    assert tenant.delete(f"/api-keys/{key['id']}").status_code == 204
    driver.get(console(tenant, "/dashboards"))

    assert driver.current_url == console(tenant, "/sign-in")
    assert "tb_console" not in {c["name"] for c in driver.get_cookies()}


# ----------------------------------------------------------------------------- over HTTP


def test_the_session_cookie_is_sealed_http_only_secure_strict(tenant: Tenant) -> None:
    cookie, response = _signed_in_cookie(tenant)
    attributes = {a.strip().split("=")[0].lower() for a in response.headers["Set-Cookie"].split(";")}

    assert {"httponly", "secure", "samesite", "path"} <= attributes
    assert "SameSite=strict" in response.headers["Set-Cookie"]
    assert "Path=/v1/console" in response.headers["Set-Cookie"]
    assert tenant.api_key not in cookie and "unsafe-inline" not in response.headers["Content-Security-Policy"]
    page = requests.get(console(tenant, "/dashboards"), cookies={"tb_console": cookie}, timeout=30)
    assert page.status_code == 200 and "<h1>Dashboards</h1>" in page.text
    assert "<script" not in page.text and " style=" not in page.text


@pytest.mark.parametrize("forge", ["garbage", "flip-a-byte", "none"])
def test_a_forged_cookie_is_refused(tenant: Tenant, forge: str) -> None:
    cookie, _ = _signed_in_cookie(tenant)
    forged = {
        "garbage": "bm90LWEtc2Vzc2lvbg",
        "flip-a-byte": cookie[:-3] + ("A" if cookie[-3] != "A" else "B") + cookie[-2:],
        "none": "",
    }[forge]
    response = requests.get(
        console(tenant, "/dashboards"), cookies={"tb_console": forged}, allow_redirects=False, timeout=30
    )

    assert response.status_code == 303 and response.headers["Location"] == "/v1/console/sign-in"


def test_a_form_without_its_csrf_token_is_refused(tenant: Tenant) -> None:
    form = requests.get(console(tenant, "/sign-in"), timeout=30)
    pre = form.cookies["tb_console_pre"]
    for data in ({"api_key": tenant.api_key}, {"api_key": tenant.api_key, "csrf": "forged"}):
        response = requests.post(
            console(tenant, "/sign-in"),
            data=data,
            cookies={"tb_console_pre": pre},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 403 and "Set-Cookie" not in response.headers
    cookie, _ = _signed_in_cookie(tenant)
    signed_out = requests.post(
        console(tenant, "/sign-out"),
        data={},
        cookies={"tb_console": cookie},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_out.status_code == 403
    still = requests.get(console(tenant, "/dashboards"), cookies={"tb_console": cookie}, timeout=30)
    assert still.status_code == 200 and "<h1>Dashboards</h1>" in still.text
