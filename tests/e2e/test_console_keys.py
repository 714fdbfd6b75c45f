"""The console's keys page (/console/keys: create, shown once, revoke) and audit log
(/console/audit: filters and paging) in a real browser against the session stack, compared with
what the API answers; refusals (CSRF, a viewer key, bad input, a plan without audit logs, bad
dates) over plain HTTP."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

import pytest
import requests

from tallyboard.console import audit as audit_page
from tallyboard.console import render
from tests.conftest import Tenant
from tests.e2e.console_browser import axe_serious, console, shot, sign_in, signed_in_cookie, submit
from tests.e2e.test_dashboards import create_dashboard


def _narrow_fits(driver: Any, name: str) -> None:
    driver.set_window_size(360, 900)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    shot(driver, f"{name}-360px")
    driver.set_window_size(1280, 1000)
    assert width <= 360  # nothing overflows sideways at 360 px


def _tab_reaches_every_control(driver: Any) -> None:
    """Keyboard only: TAB from the top of the page focuses every link, input, select and button."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    controls = driver.execute_script(
        "window.__controls = [...document.querySelectorAll("
        "'a[href], input:not([type=hidden]), select, button')];"
        "return window.__controls.length"
    )
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    reached = set()
    for _ in range(controls + 10):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        reached.add(driver.execute_script("return window.__controls.indexOf(document.activeElement)"))
    assert set(range(controls)) <= reached


def _keys(tenant: Tenant) -> list[dict[str, Any]]:
    response = tenant.get("/api-keys", params={"limit": 100})
    assert response.status_code == 200, response.text
    return list(response.json()["data"])


def _csrf(page: requests.Response) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def test_a_created_key_is_shown_once_works_and_is_revoked_from_the_list(driver: Any, tenant: Tenant) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    sign_in(driver, tenant)
    driver.get(console(tenant, "/keys"))
    listed = {r.get_attribute("id"): r.find_element(By.TAG_NAME, "td").text for r in _rows(driver)}
    assert listed == {k["id"]: k["maskedKey"] for k in _keys(tenant)}
    assert axe_serious(driver) == []
    shot(driver, "keys")
    _narrow_fits(driver, "keys")
    _tab_reaches_every_control(driver)

    driver.find_element(By.ID, "key-name").send_keys("CI deploys")
    Select(driver.find_element(By.ID, "role")).select_by_value("editor")
    driver.find_element(By.ID, f"project-{tenant.project_id}").click()
    driver.find_element(By.ID, "scope-dashboard-read").click()
    submit(driver, "form.create-key button[type=submit]")

    assert driver.find_element(By.TAG_NAME, "h1").text == "Key created"
    plaintext = driver.find_element(By.ID, "new-key").get_attribute("value")
    assert re.fullmatch(r"tb_[A-Za-z0-9_-]{32,128}", plaintext)
    assert plaintext not in driver.current_url and plaintext not in str(driver.get_cookies())
    created = next(k for k in _keys(tenant) if k["name"] == "CI deploys")
    assert (created["role"], created["projectIds"], created["scopes"]) == (
        "editor",
        [tenant.project_id],
        ["dashboard:read"],
    )
    assert created["maskedKey"] == f"tb_…{plaintext[-4:]}"
    assert axe_serious(driver) == []
    shot(driver, "key-created")
    _narrow_fits(driver, "key-created")
    assert tenant.with_key(plaintext).get("/team").status_code == 200  # it works against the API

    driver.get(console(tenant, "/keys"))  # the list never shows it again
    assert plaintext not in driver.page_source
    row = driver.find_element(By.ID, created["id"])
    assert row.find_element(By.TAG_NAME, "td").text == created["maskedKey"]
    submit(driver, f"tr[id='{created['id']}'] form.revoke button")

    assert driver.current_url == console(tenant, "/keys")
    assert tenant.with_key(plaintext).get("/team").status_code == 401
    assert next(k for k in _keys(tenant) if k["id"] == created["id"])["status"] == "revoked"
    row = driver.find_element(By.ID, created["id"])
    assert "revoked" in row.text and not row.find_elements(By.CSS_SELECTOR, "form.revoke")


def _rows(driver: Any) -> list[Any]:
    from selenium.webdriver.common.by import By

    return list(driver.find_elements(By.CSS_SELECTOR, "table.keys tbody tr"))


def test_revoking_the_signed_in_key_in_another_tab_signs_the_first_tab_out(
    driver: Any, tenant: Tenant
) -> None:
    from selenium.webdriver.common.by import By

    created = tenant.post("/api-keys", json={"name": "my browser", "role": "owner"}).json()["data"]
    sign_in(driver, tenant.with_key(created["key"]))
    first = driver.current_window_handle
    assert driver.current_url == console(tenant, "/dashboards")

    driver.switch_to.new_window("tab")
    driver.get(console(tenant, "/keys"))
    submit(driver, f"tr[id='{created['id']}'] form.revoke button")
    # The redirect to the list already runs on the revoked key.
    assert driver.current_url == console(tenant, "/sign-in")
    assert tenant.with_key(created["key"]).get("/team").status_code == 401
    driver.close()

    driver.switch_to.window(first)
    assert driver.current_url == console(tenant, "/dashboards")
    old_page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, "Metrics").click()
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(old_page))
    assert driver.current_url == console(tenant, "/sign-in")
    assert "tb_console" not in {c["name"] for c in driver.get_cookies()}


# ----------------------------------------------------------------------------- keys over HTTP


def test_revoke_without_its_csrf_token_is_refused_and_the_key_still_works(tenant: Tenant) -> None:
    other = tenant.post("/api-keys", json={"name": "keep me", "role": "viewer"}).json()["data"]
    cookie, _ = signed_in_cookie(tenant)
    for data in ({}, {"csrf": "forged"}):
        response = requests.post(
            console(tenant, f"/keys/{other['id']}/revoke"),
            data=data,
            cookies={"tb_console": cookie},
            allow_redirects=False,
            timeout=30,
        )
        assert response.status_code == 403 and "CSRF" in response.text
    assert tenant.with_key(other["key"]).get("/team").status_code == 200
    assert next(k for k in _keys(tenant) if k["id"] == other["id"])["status"] == "active"


@pytest.mark.parametrize(
    "form",
    [{"name": "", "role": "viewer"}, {"name": "x", "role": "admin"}, {"name": "x", "role": ""}],
    ids=["empty-name", "unknown-role", "no-role"],
)
def test_bad_input_shows_the_api_400_and_creates_nothing(tenant: Tenant, form: dict[str, str]) -> None:
    cookie, _ = signed_in_cookie(tenant)
    before = _keys(tenant)
    page = requests.get(console(tenant, "/keys"), cookies={"tb_console": cookie}, timeout=30)
    api = tenant.post("/api-keys", json=form)
    assert api.status_code == 400

    response = requests.post(
        console(tenant, "/keys"),
        data={"csrf": _csrf(page), **form},
        cookies={"tb_console": cookie},
        allow_redirects=False,
        timeout=30,
    )

    assert response.status_code == 400
    assert escape(api.json()["message"]) in response.text
    assert 'role="alert"' in response.text and 'class="create-key"' in response.text  # the form again
    assert _keys(tenant) == before


def test_a_viewer_key_gets_the_api_403_as_the_keys_page(tenant: Tenant) -> None:
    viewer = tenant.create_key(role="viewer")
    cookie, _ = signed_in_cookie(viewer)
    refusal = viewer.get("/api-keys")
    assert refusal.status_code == 403

    page = requests.get(console(tenant, "/keys"), cookies={"tb_console": cookie}, timeout=30)
    assert page.status_code == 403 and escape(refusal.json()["message"]) in page.text
    assert "<h1>API keys</h1>" in page.text and "tb_…" not in page.text

    before = _keys(tenant)
    created = requests.post(
        console(tenant, "/keys"),
        data={"csrf": _csrf(page), "name": "sneaky", "role": "owner"},
        cookies={"tb_console": cookie},
        allow_redirects=False,
        timeout=30,
    )
    assert created.status_code == 403 and _keys(tenant) == before


# ----------------------------------------------------------------------------- audit log


@pytest.fixture
def audited(tenant: Tenant) -> Tenant:
    """Thirteen dashboards created (thirteen dashboard_created entries) and one updated."""
    for i in range(12):
        create_dashboard(tenant, name=f"Board {i:02d}")
    board = create_dashboard(tenant, name="Pinned")
    assert tenant.patch(f"/dashboards/{board['id']}", json={"pinned": True}).status_code == 200
    return tenant


def _audit_api(tenant: Tenant, **params: Any) -> dict[str, Any]:
    response = tenant.get("/audit-logs", params={"projectId": tenant.project_id, **params})
    assert response.status_code == 200, response.text
    return dict(response.json())


def _expected_rows(body: dict[str, Any], names: dict[str, str]) -> list[list[str]]:
    return [
        [
            render.when(e["createdAt"]),
            audit_page.who(e, names),
            e["action"],
            e["resource"],
            e["resourceId"],
            audit_page.summary(e["metadata"]),
            e["ipAddress"],
        ]
        for e in body["data"]
    ]


def _shown_rows(driver: Any) -> list[list[str]]:
    from selenium.webdriver.common.by import By

    return [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in driver.find_elements(By.CSS_SELECTOR, "table.audit tbody tr")
    ]


def test_the_audit_page_shows_the_api_entries_and_pages_on(driver: Any, audited: Tenant) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    tenant = audited
    names = {m["id"]: m["name"] for m in tenant.get("/team").json()["data"]}
    sign_in(driver, tenant)
    driver.get(console(tenant, "/audit"))
    assert _shown_rows(driver) == _expected_rows(_audit_api(tenant, limit=25), names)
    assert axe_serious(driver) == []
    shot(driver, "audit")
    _narrow_fits(driver, "audit")
    _tab_reaches_every_control(driver)

    driver.find_element(By.ID, "action").send_keys("dashboard_created")
    Select(driver.find_element(By.ID, "limit")).select_by_value("10")
    submit(driver, "form.audit-filters button[type=submit]")

    first = _audit_api(tenant, action="dashboard_created", limit=10)
    assert first["pagination"]["total"] == 13 and first["pagination"]["nextCursor"]
    assert _shown_rows(driver) == _expected_rows(first, names)
    assert "Entries 1 to 10 of 13" in driver.find_element(By.CSS_SELECTOR, "nav.pager").text
    assert not driver.find_elements(By.CSS_SELECTOR, "a[rel=prev]")

    submit(driver, "a[rel=next]")
    second = _audit_api(
        tenant, action="dashboard_created", limit=10, cursor=first["pagination"]["nextCursor"]
    )
    assert len(second["data"]) == 3 and _shown_rows(driver) == _expected_rows(second, names)
    assert "Entries 11 to 13 of 13" in driver.find_element(By.CSS_SELECTOR, "nav.pager").text
    assert not driver.find_elements(By.CSS_SELECTOR, "a[rel=next]")
    assert axe_serious(driver) == []
    shot(driver, "audit-page-2")

    submit(driver, "a[rel=prev]")
    assert _shown_rows(driver) == _expected_rows(first, names)


def test_the_audit_dates_are_whole_utc_days(driver: Any, audited: Tenant) -> None:
    tenant = audited
    names = {m["id"]: m["name"] for m in tenant.get("/team").json()["data"]}
    today = datetime.now(UTC).date()
    sign_in(driver, tenant)
    driver.get(console(tenant, f"/audit?startDate={today}&endDate={today}&limit=100"))
    expected = _audit_api(tenant, startDate=f"{today}", endDate=f"{today}T23:59:59.999Z", limit=100)
    assert len(expected["data"]) == 14 and _shown_rows(driver) == _expected_rows(expected, names)

    tomorrow = today + timedelta(days=1)
    driver.get(console(tenant, f"/audit?startDate={tomorrow}"))
    assert _shown_rows(driver) == [] and "No entries match" in driver.page_source


@pytest.mark.parametrize(
    "query",
    ["startDate=garbage", "endDate=2026-02-30", "startDate=2026-05-02&endDate=2026-05-01"],
    ids=["garbage", "no-such-day", "end-before-start"],
)
def test_dates_the_api_refuses_show_its_400(tenant: Tenant, query: str) -> None:
    cookie, _ = signed_in_cookie(tenant)
    params = dict(p.split("=") for p in query.split("&"))
    if params.get("endDate") == "2026-05-01":
        params["endDate"] = "2026-05-01T23:59:59.999Z"  # what the page sends for that day
    api = tenant.get("/audit-logs", params={"projectId": tenant.project_id, **params})
    assert api.status_code == 400

    page = requests.get(console(tenant, f"/audit?{query}"), cookies={"tb_console": cookie}, timeout=30)

    assert page.status_code == 400 and escape(api.json()["message"]) in page.text
    assert 'class="explorer audit-filters"' in page.text  # the filters stay to correct


def test_a_plan_without_audit_logs_shows_the_api_403(make_tenant: Callable[..., Tenant]) -> None:
    tenant = make_tenant("professional")
    refusal = tenant.get("/audit-logs", params={"projectId": tenant.project_id})
    assert refusal.status_code == 403
    cookie, _ = signed_in_cookie(tenant)

    page = requests.get(console(tenant, "/audit"), cookies={"tb_console": cookie}, timeout=30)

    assert page.status_code == 403 and escape(refusal.json()["message"]) in page.text
    assert "<h1>Audit log</h1>" in page.text


def test_a_project_bound_editor_reads_its_project_log_and_a_viewer_gets_the_api_403(audited: Tenant) -> None:
    tenant = audited
    bound = tenant.create_key(role="editor", projectIds=[tenant.project_id])
    cookie, _ = signed_in_cookie(bound)
    api = bound.get("/audit-logs", params={"limit": 25})  # bound to one project: projectId may go
    assert api.status_code == 200 and api.json()["pagination"]["total"] == 14

    page = requests.get(console(tenant, "/audit"), cookies={"tb_console": cookie}, timeout=30)
    assert page.status_code == 200
    assert page.text.count("<tr><td>") == len(api.json()["data"]) == 14
    assert all(escape(e["resourceId"]) in page.text for e in api.json()["data"])

    viewer = tenant.create_key(role="viewer")
    refusal = viewer.get("/audit-logs", params={"projectId": tenant.project_id})
    assert refusal.status_code == 403
    cookie, _ = signed_in_cookie(viewer)
    page = requests.get(console(tenant, "/audit"), cookies={"tb_console": cookie}, timeout=30)
    assert page.status_code == 403 and escape(refusal.json()["message"]) in page.text
