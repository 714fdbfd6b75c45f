"""The console (functions/console/app) in a real browser: Debian's chromium driven by selenium
through Debian's chromium-driver, against the session stack. Sign-in with a tenant's key, a
dashboard drawn with exactly run_insights' series and points, a revoked key signed out at the
next page, axe-core (from .tools/node, injected by the test) at 0 serious/critical violations on
each page, screenshots in .local/console-screenshots/. Forged cookies and missing CSRF tokens are
checked over plain HTTP."""

from __future__ import annotations

import csv
import io
import re
from html import unescape
from typing import Any

import pytest
import requests

from tallyboard.ids import now_ms
from tests.conftest import Tenant
from tests.e2e.console_browser import (
    DAY,
    ROOT,
    axe_serious,
    console,
    shot,
    sign_in,
    signed_in_cookie,
    submit,
)
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
    shot(driver, "explorer")

    link = driver.find_element(By.CSS_SELECTOR, "p.csv a")
    cookie = driver.get_cookie("tb_console")["value"]
    download = requests.get(link.get_attribute("href"), cookies={"tb_console": cookie}, timeout=30)
    assert download.status_code == 200 and download.headers["Content-Type"].startswith("text/csv")
    assert download.headers["Content-Disposition"] == 'attachment; filename="sales-30d-week.csv"'
    assert _csv(download.text) == _points(api["data"])


def _iso(ms: int) -> str:
    from datetime import UTC, datetime

    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _points(series: list[dict[str, Any]]) -> list[list[str]]:
    """A series as its CSV: the header, then ISO UTC timestamp and value per point."""
    return [["timestamp", "value"], *([_iso(p["timestamp"]), str(p["value"])] for p in series)]


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
    cookie, response = signed_in_cookie(tenant)
    attributes = {a.strip().split("=")[0].lower() for a in response.headers["Set-Cookie"].split(";")}

    assert {"httponly", "secure", "samesite", "path"} <= attributes
    assert "SameSite=strict" in response.headers["Set-Cookie"]
    assert "Path=/v1/console" in response.headers["Set-Cookie"]
    assert tenant.api_key not in cookie and "unsafe-inline" not in response.headers["Content-Security-Policy"]
    page = requests.get(console(tenant, "/dashboards"), cookies={"tb_console": cookie}, timeout=30)
    assert page.status_code == 200 and "<h1>Dashboards</h1>" in page.text
    # one script, the function's own file (CSP script-src 'self'); no inline script or style
    assert re.findall(r"<script[^>]*>[^<]*</script>", page.text) == [
        '<script src="/v1/console/static/console.js" defer></script>'
    ]
    assert " style=" not in page.text and "unsafe-inline" not in page.headers["Content-Security-Policy"]


@pytest.mark.parametrize("forge", ["garbage", "flip-a-byte", "none"])
def test_a_forged_cookie_is_refused(tenant: Tenant, forge: str) -> None:
    cookie, _ = signed_in_cookie(tenant)
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
    cookie, _ = signed_in_cookie(tenant)
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


def test_a_signed_out_sessions_cookie_replayed_is_refused(tenant: Tenant) -> None:
    cookie, _ = signed_in_cookie(tenant)
    page = requests.get(console(tenant, "/dashboards"), cookies={"tb_console": cookie}, timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]

    signed_out = requests.post(
        console(tenant, "/sign-out"),
        data={"csrf": csrf},
        cookies={"tb_console": cookie},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_out.status_code == 303 and "tb_console=" in signed_out.headers["Set-Cookie"]

    # The copy still unseals (its expiry is hours away), but its session has ended.
    replayed = requests.get(
        console(tenant, "/dashboards"), cookies={"tb_console": cookie}, allow_redirects=False, timeout=30
    )
    assert replayed.status_code == 303 and replayed.headers["Location"] == "/v1/console/sign-in"
    other, _ = signed_in_cookie(tenant)  # another session of the same key is untouched
    assert (
        requests.get(console(tenant, "/dashboards"), cookies={"tb_console": other}, timeout=30).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("name", "media_type"),
    [("console.css", "text/css"), ("console.js", "text/javascript"), ("icon.svg", "image/svg+xml")],
)
def test_static_files_are_served_by_the_function_as_themselves(
    tenant: Tenant, name: str, media_type: str
) -> None:
    response = requests.get(console(tenant, f"/static/{name}"), timeout=30)

    assert response.status_code == 200 and response.headers["Content-Type"].startswith(media_type)
    # Not base64: Mangum treats the SVG as text, so the gateway passes the file through as it is.
    assert response.content == (ROOT / "layers/shared/tallyboard/console/static" / name).read_bytes()
    assert requests.get(console(tenant, "/static/../web.py"), timeout=30).status_code == 404


# ----------------------------------------------------------------------------- dashboard controls


def _day(days_ago: int) -> str:
    from datetime import UTC, datetime, timedelta

    return (datetime.now(UTC).date() - timedelta(days=days_ago)).isoformat()


def _ranged(
    tenant: Tenant, metric_id: str, start: str, end: str, interval: str = "day"
) -> list[dict[str, Any]]:
    """The API's series for a range picked on the page (whole UTC days; the board's tiles name no
    interval: the page takes the one run_insights picks for a range that long, day from 3 days)."""
    response = tenant.get(
        f"/metrics/{metric_id}/timeseries",
        params={
            "projectId": tenant.project_id,
            "startDate": f"{start}T00:00:00Z",
            "endDate": f"{end}T23:59:59Z",
            "interval": interval,
        },
    )
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def _drawn(driver: Any) -> list[tuple[int, list[str]]]:
    """Per chart: its points and its table's values, in page order."""
    from selenium.webdriver.common.by import By

    return [
        (
            len(figure.find_elements(By.CSS_SELECTOR, "circle.point")),
            [
                r.find_elements(By.TAG_NAME, "td")[1].text
                for r in figure.find_elements(By.CSS_SELECTOR, "tbody tr")
            ],
        )
        for figure in driver.find_elements(By.CSS_SELECTOR, "div.figure")
    ]


def _shown(series: list[dict[str, Any]]) -> tuple[int, list[str]]:
    return len(series), [f"{p['value']:,.2f}".rstrip("0").rstrip(".") for p in series]


def _fits_360(driver: Any, name: str) -> None:
    driver.set_window_size(360, 900)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    shot(driver, f"{name}-360px")
    driver.set_window_size(1280, 1000)
    assert width <= 360


def test_a_themed_dashboard_draws_each_chart_in_its_theme_colour(
    driver: Any, tenant: Tenant, board: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    from tests.e2e.test_dashboard_operations import create_theme

    theme = create_theme(tenant, colors=["#B03A2E", "#1e8449"])
    patched = tenant.patch(f"/dashboards/{board['id']}", json={"data_color_theme_id": theme["id"]})
    assert patched.status_code == 200, patched.text
    sign_in(driver, tenant)
    driver.get(console(tenant, f"/dashboards/{board['id']}"))

    groups = driver.find_elements(By.CSS_SELECTOR, "svg.chart g.series")
    assert [g.get_attribute("stroke") for g in groups] == theme["colors"] == ["#b03a2e", "#1e8449"]
    painted = driver.execute_script(
        "const paint = (s, c, p) => getComputedStyle(s.querySelector(c))[p];"
        "return [...document.querySelectorAll('svg.chart')]"
        ".map(s => [paint(s, '.line', 'stroke'), paint(s, '.point', 'fill')])"
    )
    assert painted == [
        ["rgb(176, 58, 46)"] * 2,
        ["rgb(30, 132, 73)"] * 2,
    ]  # the theme's, not the stylesheet's
    assert axe_serious(driver) == []
    shot(driver, "dashboard-themed")
    _fits_360(driver, "dashboard-themed")

    assert tenant.patch(f"/dashboards/{board['id']}", json={"data_color_theme_id": None}).status_code == 200
    driver.get(console(tenant, f"/dashboards/{board['id']}"))
    assert [g.get_attribute("stroke") for g in driver.find_elements(By.CSS_SELECTOR, "g.series")] == [
        None,
        None,
    ]
    assert driver.execute_script("return getComputedStyle(document.querySelector('.line')).stroke") == (
        "rgb(31, 95, 191)"  # --line
    )


def test_refresh_recomputes_every_tile(driver: Any, tenant: Tenant, board: dict[str, Any]) -> None:
    from selenium.webdriver.common.by import By

    from tests.e2e.test_dashboard_insights import by_title, run

    sign_in(driver, tenant)
    driver.get(console(tenant, f"/dashboards/{board['id']}"))
    before = run(tenant, board["id"])  # the page's own result, from the cache
    push(tenant, "sales", 777, now_ms(), unit="USD")
    driver.get(console(tenant, f"/dashboards/{board['id']}"))
    assert "777" not in _drawn(driver)[0][1]  # still the cached result

    submit(driver, "form.refresh button[type=submit]")

    assert driver.current_url == console(tenant, f"/dashboards/{board['id']}")
    after = run(tenant, board["id"])  # served from what the refresh computed
    sales = by_title(after["tiles"])["Sales"]
    assert sales["series"][-1]["value"] == 777 and sales["cached"] is True
    assert _drawn(driver)[0] == _shown(sales["series"])
    stamp = driver.find_element(By.CSS_SELECTOR, "p.computed time").get_attribute("datetime")
    oldest = min(t["last_refresh"] for t in after["tiles"] if t.get("last_refresh"))
    assert stamp == _iso(oldest) and oldest > min(
        t["last_refresh"] for t in before["tiles"] if t.get("last_refresh")
    )


def test_a_date_range_draws_the_series_the_api_returns_for_it(
    driver: Any, tenant: Tenant, board: dict[str, Any]
) -> None:
    from selenium.webdriver.common.by import By

    sign_in(driver, tenant)
    driver.get(console(tenant, f"/dashboards/{board['id']}"))
    submit(driver, "ul.presets li:nth-child(2) a")  # 7 days
    start, end = _day(6), _day(0)
    assert driver.current_url == console(tenant, f"/dashboards/{board['id']}?from={start}&to={end}")
    assert _drawn(driver) == [_shown(_ranged(tenant, m, start, end)) for m in ("sales", "acme_mrr")]
    assert driver.find_element(By.CSS_SELECTOR, "a[aria-current]").text == "7 days"

    start, end = _day(3), _day(1)
    driver.execute_script(
        "document.getElementById('from').value = arguments[0];"
        "document.getElementById('to').value = arguments[1]",
        start,
        end,
    )
    submit(driver, "form.range button[type=submit]")

    assert f"from={start}&to={end}" in driver.current_url
    sales, mrr = _ranged(tenant, "sales", start, end), _ranged(tenant, "acme_mrr", start, end)
    assert _drawn(driver) == [_shown(sales), _shown(mrr)]
    assert [p["value"] for p in sales] == [100, 250.5, 49.5]  # three of the four in the tile's 30 days
    assert "Launch went out on Monday" in driver.find_element(By.CSS_SELECTOR, "p.text").text
    assert axe_serious(driver) == []
    shot(driver, "dashboard-range")
    _fits_360(driver, "dashboard-range")


def test_auto_refresh_reloads_after_the_chosen_minutes(tenant: Tenant, board: dict[str, Any]) -> None:
    cookie, _ = signed_in_cookie(tenant)
    path = console(tenant, f"/dashboards/{board['id']}")

    def page(**params: str) -> str:
        response = requests.get(path, params=params, cookies={"tb_console": cookie}, timeout=30)
        assert response.status_code == 200, response.text
        return response.text

    five = page(refresh="5")
    assert '<span hidden data-reload="300"></span>' in five and "http-equiv" not in five
    assert '<option value="5" selected>5 min</option>' in five
    thirty = page(**{"from": _day(6), "to": _day(0), "refresh": "30"})
    assert '<span hidden data-reload="1800"></span>' in thirty
    assert f'<input id="from" name="from" type="date" value="{_day(6)}">' in thirty
    assert '<input type="hidden" name="refresh" value="30">' in thirty  # Refresh comes back to it
    off = page()
    assert "data-reload" not in off and '<option value="0" selected>Off</option>' in off
    assert "data-reload" not in page(refresh="1")  # not a choice: off


def test_each_tiles_csv_is_exactly_the_series_drawn(tenant: Tenant, board: dict[str, Any]) -> None:
    from html import unescape
    from urllib.parse import urljoin

    from tests.e2e.test_dashboard_insights import run

    cookie, _ = signed_in_cookie(tenant)

    def get(url: str) -> requests.Response:
        return requests.get(urljoin(tenant.base_url, url), cookies={"tb_console": cookie}, timeout=30)

    def links(query: str = "") -> list[str]:
        page = get(console(tenant, f"/dashboards/{board['id']}{query}"))
        assert page.status_code == 200, page.text
        return [unescape(h) for h in re.findall(r'href="([^"]+\.csv[^"]*)"', page.text)]

    own = links()
    charted = [t for t in run(tenant, board["id"])["tiles"] if t["status"] == "ok"]
    assert len(own) == len(charted) == 2
    for tile, href in zip(charted, own, strict=True):
        assert href == f"/v1/console/dashboards/{board['id']}/tiles/{tile['id']}.csv"
        download = get(href)
        assert download.status_code == 200 and download.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert download.headers["Content-Disposition"] == (
            f'attachment; filename="launch-{tile["title"]}.csv"'
        )
        assert _csv(download.text) == _points(tile["series"])

    start, end = _day(2), _day(1)
    ranged = links(f"?from={start}&to={end}&refresh=5")
    assert all(h.endswith(f".csv?from={start}&to={end}") for h in ranged)
    for metric_id, href in zip(("sales", "acme_mrr"), ranged, strict=True):  # 2 days: by hour
        assert _csv(get(href).text) == _points(_ranged(tenant, metric_id, start, end, "hour"))

    text_tile = next(
        w for w in tenant.get(f"/dashboards/{board['id']}").json()["data"]["widgets"] if w["type"] == "text"
    )
    for missing in ("w_nope", text_tile["id"]):
        refused = get(console(tenant, f"/dashboards/{board['id']}/tiles/{missing}.csv"))
        assert refused.status_code == 404 and refused.headers["Content-Type"].startswith("text/html")
    assert (
        get(
            console(tenant, f"/dashboards/{board['id']}/tiles/{charted[0]['id']}.csv?from=x&to=y")
        ).status_code
        == 400
    )


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("2026-03-10", "2026-03-01", "The to date is before the from date."),
        ("03/01/2026", "2026-03-10", "The from date must be a date (YYYY-MM-DD)"),
        ("2025-01-01", "2026-03-01", "A range covers at most 366 days."),
        ("2026-03-01", "", "Choose both a from and a to date"),
    ],
)
def test_a_bad_date_range_is_a_400_naming_the_problem(
    tenant: Tenant, board: dict[str, Any], start: str, end: str, message: str
) -> None:
    cookie, _ = signed_in_cookie(tenant)
    response = requests.get(
        console(tenant, f"/dashboards/{board['id']}"),
        params={"from": start, "to": end},
        cookies={"tb_console": cookie},
        timeout=30,
    )

    assert response.status_code == 400
    assert 'role="alert"' in response.text and message in response.text.replace("&#x27;", "'")
    assert '<input id="from" name="from" type="date"' in response.text  # the picker, to choose again


def test_refresh_without_its_csrf_token_recomputes_nothing(tenant: Tenant, board: dict[str, Any]) -> None:
    from tests.e2e.test_dashboard_insights import by_title, run

    cookie, _ = signed_in_cookie(tenant)
    run(tenant, board["id"])  # cached
    push(tenant, "sales", 777, now_ms(), unit="USD")
    for data in ({}, {"csrf": "forged"}):
        response = requests.post(
            console(tenant, f"/dashboards/{board['id']}/refresh"),
            data=data,
            cookies={"tb_console": cookie},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 403
    assert 777 not in [p["value"] for p in by_title(run(tenant, board["id"])["tiles"])["Sales"]["series"]]


def test_a_narrower_key_sees_what_the_api_allows_it(tenant: Tenant, board: dict[str, Any]) -> None:
    from tests.e2e.test_dashboard_operations import create_theme

    theme = create_theme(tenant, colors=["#b03a2e"])
    path = f"/dashboards/{board['id']}"
    assert tenant.patch(path, json={"data_color_theme_id": theme["id"]}).status_code == 200

    def signed_in_as(*scopes: str) -> tuple[Tenant, str]:
        narrower = tenant.create_key(role="viewer", scopes=list(scopes))
        return narrower, signed_in_cookie(narrower)[0]

    # No query:read: run_insights (so the page, Refresh and a tile's CSV) is the API's 403.
    reader, cookie = signed_in_as("dashboard:read")
    api = reader.get(f"{path}/run_insights")
    assert api.status_code == 403
    page = requests.get(console(tenant, path), cookies={"tb_console": cookie}, timeout=30)
    assert page.status_code == 403 and api.json()["message"] in unescape(page.text)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    refreshed = requests.post(
        console(tenant, f"{path}/refresh"),
        data={"csrf": csrf},
        cookies={"tb_console": cookie},
        allow_redirects=False,
        timeout=30,
    )
    assert refreshed.status_code == 403 and api.json()["message"] in unescape(refreshed.text)
    tile = next(w for w in tenant.get(path).json()["data"]["widgets"] if w["title"] == "Sales")
    download = requests.get(
        console(tenant, f"{path}/tiles/{tile['id']}.csv"), cookies={"tb_console": cookie}, timeout=30
    )
    assert download.status_code == 403

    # query:read without project:read: the tiles, drawn without the theme it may not read;
    # without metrics:read a chosen range is each tile's 403 from metrics.timeseries.
    viewer, cookie = signed_in_as("dashboard:read", "query:read")
    assert viewer.get(f"/projects/{tenant.project_id}/data_color_themes/{theme['id']}").status_code == 403
    page = requests.get(console(tenant, path), cookies={"tb_console": cookie}, timeout=30)
    assert (
        page.status_code == 200 and page.text.count('<g class="series">') == 2 and "stroke=" not in page.text
    )
    ranged = requests.get(
        console(tenant, path),
        params={"from": _day(3), "to": _day(1)},
        cookies={"tb_console": cookie},
        timeout=30,
    )
    refusal = viewer.get(
        "/metrics/sales/timeseries",
        params={"projectId": tenant.project_id, "startDate": "2026-01-01", "endDate": "2026-01-02"},
    )
    assert refusal.status_code == 403
    assert ranged.status_code == 200 and unescape(ranged.text).count(refusal.json()["message"]) == 2
