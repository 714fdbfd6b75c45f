"""The console's exports pages in a real browser against the session stack: a JSON export
followed by its page (console.js polls it) from 0 to 100 % (the writer held record by record, so each
observed step has one progress the API and the page must agree on), its download link fetched
and parsed; the same for CSV; the schedule set, changed and removed as the API stores it.
Refusals (a missing CSRF token, a second export while one runs, a viewer, a plan without
exports) over plain HTTP: the API's status and message, and nothing created."""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from tallyboard.ids import now_ms
from tests.conftest import Tenant, assert_error
from tests.e2e.console_browser import axe_serious, console, shot, sign_in, signed_in_cookie, submit
from tests.e2e.test_dashboard_insights import push
from tests.e2e.test_exports import CSV_HEADER, wait_for

VALUES = [12.5, -3, 40, 7]
TERMINAL = ("completed", "failed", "cancelled")
READ_PAGE = """
const bar = document.getElementById('export-progress');
const status = document.querySelector('dd.status');
if (!bar || !status || document.readyState !== 'complete') return null;
return {loadedAt: performance.timeOrigin, value: bar.getAttribute('value'), text: bar.textContent,
        label: document.querySelector('.percent').textContent, status: status.textContent,
        following: !!document.querySelector('#job[data-follow]')};
"""


@pytest.fixture
def points(tenant: Tenant) -> list[float]:
    now = now_ms()
    for index, value in enumerate(VALUES):
        push(tenant, "sales", value, now - (index + 1) * 60_000, unit="USD")
    return VALUES


class Stepper:
    """Holds one workspace's export writer before each record until the test allows a step."""

    def __init__(self, workspace_id: str):
        self.workspace_id, self.arrived = workspace_id, 0
        self.permits, self.arrivals = threading.Semaphore(0), threading.Condition()

    def wrap(
        self, original: Callable[..., Iterator[dict[str, Any]]]
    ) -> Callable[..., Iterator[dict[str, Any]]]:
        def held(data_type: str, ws: str, *args: Any) -> Iterator[dict[str, Any]]:
            records = original(data_type, ws, *args)
            return self._held(records) if ws == self.workspace_id else records

        return held

    def _held(self, records: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for record in records:
            with self.arrivals:
                self.arrived += 1
                self.arrivals.notify_all()
            self.permits.acquire(timeout=60)
            yield record

    def at_record(self, number: int) -> bool:
        """The writer waits before record `number` (1-based): every earlier one is ticked."""
        with self.arrivals:
            return self.arrivals.wait_for(lambda: self.arrived >= number, timeout=30)

    def step(self) -> None:
        self.permits.release()

    def release_all(self) -> None:
        for _ in range(10_000):
            self.permits.release()


@pytest.fixture
def stepper(monkeypatch: pytest.MonkeyPatch, tenant: Tenant) -> Iterator[Stepper]:
    from tallyboard.logic import export_workflow

    held = Stepper(tenant.workspace_id)
    monkeypatch.setattr(export_workflow, "PROGRESS_EVERY_RECORDS", 1)  # a progress write per record
    monkeypatch.setattr(export_workflow, "_records", held.wrap(export_workflow._records))
    yield held
    held.release_all()


def _page_state(driver: Any) -> dict[str, Any] | None:
    from selenium.common.exceptions import WebDriverException

    try:
        return driver.execute_script(READ_PAGE)  # type: ignore[no-any-return]
    except WebDriverException:  # the page reloaded meanwhile (once the job settled)
        return None


def _page_at(driver: Any, job: dict[str, Any]) -> dict[str, Any]:
    """The job page once its polling shows the job's status and progress, nobody touching it."""
    deadline = time.monotonic() + 20
    state = None
    while time.monotonic() < deadline:
        state = _page_state(driver)
        if state and int(state["value"]) == job["progress"] and state["status"] == job["status"]:
            return state
        time.sleep(0.1)
    raise AssertionError(f"the job page never followed the job to {job['progress']} %: {state}")


def _page_showing(driver: Any, status: str) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        state = _page_state(driver)
        if state and state["status"] == status:
            return state
        time.sleep(0.2)
    raise AssertionError(f"the job page never showed {status}")


def _fits_360(driver: Any, name: str) -> int:
    driver.set_window_size(360, 900)
    width = driver.execute_script("return document.documentElement.scrollWidth")
    shot(driver, f"{name}-360px")
    driver.set_window_size(1280, 1000)
    return int(width)


def _create_in_browser(driver: Any, tenant: Tenant, fmt: str, date_range: str, only: str | None) -> str:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(console(tenant, "/exports"))
    Select(driver.find_element(By.ID, "format")).select_by_value(fmt)
    Select(driver.find_element(By.ID, "dateRange")).select_by_value(date_range)
    if only:
        driver.find_element(By.ID, "includeAll").click()  # checked by default
        driver.find_element(By.ID, only).click()
    submit(driver, "form.export-form button[type=submit]")
    match = re.fullmatch(re.escape(console(tenant, "/exports/")) + r"(exp_\w+)", driver.current_url)
    assert match, driver.current_url
    return match.group(1)


def _wait(condition: Callable[[], Any], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "waited in vain"
        time.sleep(0.1)


def _dd(driver: Any, css: str) -> str:
    from selenium.webdriver.common.by import By

    return str(driver.find_element(By.CSS_SELECTOR, f"dd.{css}").text)


def test_a_json_export_is_followed_to_100_percent_and_its_file_holds_the_points(
    driver: Any, tenant: Tenant, points: list[float], stepper: Stepper
) -> None:
    from selenium.webdriver.common.by import By

    sign_in(driver, tenant)
    driver.get(console(tenant, "/exports"))
    assert "No exports in the last 30 days." in driver.find_element(By.ID, "main").text
    assert axe_serious(driver) == []
    shot(driver, "exports")
    assert _fits_360(driver, "exports") <= 360

    job_id = _create_in_browser(driver, tenant, "json", "last_7_days", "includeMetrics")

    observed: list[int] = []
    for record in range(1, len(points) + 2):
        if record <= len(points):
            assert stepper.at_record(record), f"the writer never reached record {record}"
            api = tenant.get(f"/exports/{job_id}").json()
            assert api["status"] == "processing"
            page = _page_at(driver, api)
            loaded = page["loadedAt"]
        else:
            api = wait_for(tenant, job_id)
            page = _page_showing(driver, api["status"])
        # the writer is held (or done): the API's progress cannot move under the page's
        assert tenant.get(f"/exports/{job_id}").json()["progress"] == api["progress"]
        assert page["status"] == api["status"]
        assert int(page["value"]) == api["progress"]
        assert page["label"] == page["text"] == f"{api['progress']} %"
        assert page["following"] is (api["status"] != "completed")
        # one load: the region follows by polling; only the settled job reloads the page
        assert page["loadedAt"] == loaded or api["status"] == "completed"
        observed.append(api["progress"])
        if record == 2:
            assert axe_serious(driver) == []  # no timed reload (WCAG 2.2.1): a polled region
            shot(driver, "export-progress")
            assert _fits_360(driver, "export-progress") <= 360
            # a keyboard on Cancel keeps it while the region is polled (Cancel is outside it)
            cancel = driver.find_element(By.CSS_SELECTOR, "form[action$='/cancel'] button")
            driver.execute_script("arguments[0].focus()", cancel)
            driver.execute_script("document.querySelector('#job dl').dataset.old = 'yes'")
            _wait(lambda: driver.execute_script("return !document.querySelector('#job dl[data-old]')"))
            assert driver.switch_to.active_element == cancel
        stepper.step()

    assert observed == sorted(observed) and observed[0] == 0 and observed[-1] == 100
    assert observed == [0, 25, 50, 75, 100], observed  # a progress write per record, each one seen
    done = tenant.get(f"/exports/{job_id}").json()
    assert done["status"] == "completed" and done["recordCount"] == len(points)
    assert _dd(driver, "records") == str(done["recordCount"])
    assert _dd(driver, "size") == f"{done['sizeBytes']:,} bytes"
    assert _dd(driver, "expires") == time.strftime("%Y-%m-%d %H:%M", time.gmtime(done["expiresAt"] / 1000))
    assert driver.find_elements(By.CSS_SELECTOR, "form[action$='/cancel']") == []
    href = driver.find_element(By.CSS_SELECTOR, "a.download").get_attribute("href")
    download = requests.get(href, timeout=30)
    assert download.status_code == 200 and len(download.content) == done["sizeBytes"]
    document = json.loads(download.content)
    assert document["project"]["id"] == tenant.project_id
    assert sorted(m["value"] for m in document["metrics"]) == sorted(points)
    assert {m["metricId"] for m in document["metrics"]} == {"sales"}
    assert axe_serious(driver) == []
    shot(driver, "export-done")
    assert _fits_360(driver, "export-done") <= 360

    driver.get(console(tenant, "/exports"))
    rows = driver.find_elements(By.CSS_SELECTOR, "table.exports tbody tr")
    assert [r.find_element(By.TAG_NAME, "a").text for r in rows] == [job_id]
    cells = [td.text for td in rows[0].find_elements(By.TAG_NAME, "td")]
    assert cells[1:5] == ["completed", "JSON", str(len(points)), f"{done['sizeBytes']:,} bytes"]


def test_a_csv_export_downloads_a_file_csv_parses(driver: Any, tenant: Tenant, points: list[float]) -> None:
    from selenium.webdriver.common.by import By

    sign_in(driver, tenant)
    job_id = _create_in_browser(driver, tenant, "csv", "all_time", None)
    _page_showing(driver, "completed")

    done = tenant.get(f"/exports/{job_id}").json()
    assert done["format"] == "csv" and done["progress"] == 100
    assert int(driver.find_element(By.ID, "export-progress").get_attribute("value")) == 100
    content = requests.get(
        driver.find_element(By.CSS_SELECTOR, "a.download").get_attribute("href"), timeout=30
    )
    rows = list(csv.reader(io.StringIO(content.content.decode("utf-8"), newline="")))
    assert rows[0] == CSV_HEADER
    metrics = [r for r in rows[1:] if r[0] == "Metric"]
    assert sorted(float(r[3]) for r in metrics) == sorted(points)
    assert {r[4] for r in metrics} == {"USD"}
    assert _dd(driver, "records") == str(done["recordCount"]) == str(len(rows) - 1)


def test_the_schedule_is_set_shown_changed_and_removed(driver: Any, tenant: Tenant) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    def stored() -> requests.Response:
        return tenant.get("/exports/schedule", params={"projectId": tenant.project_id})

    def fill(values: dict[str, str]) -> None:
        for name, value in values.items():
            field = driver.find_element(By.ID, name)
            if field.tag_name == "select":
                Select(field).select_by_value(value)
            else:
                field.clear()
                field.send_keys(value)
        submit(driver, "form.export-form button[type=submit]")

    sign_in(driver, tenant)
    driver.get(console(tenant, "/exports/schedule"))
    assert "No schedule" in driver.find_element(By.CSS_SELECTOR, ".schedule-none").text
    assert_error(stored(), 404)

    fill(
        {
            "frequency": "weekly",
            "dayOfWeek": "friday",
            "hour": "6",
            "format": "csv",
            "dateRange": "last_30_days",
        }
    )
    assert driver.current_url == console(tenant, "/exports/schedule")
    schedule = stored().json()
    assert (schedule["frequency"], schedule["dayOfWeek"], schedule["hour"]) == ("weekly", "friday", 6)
    assert (schedule["format"], schedule["dateRange"]) == ("csv", "last_30_days")
    assert _dd(driver, "frequency") == "weekly" and _dd(driver, "runs") == "every Friday at 06:00 UTC"
    assert _dd(driver, "format") == "CSV" and _dd(driver, "date") == "Last 30 days"
    assert _dd(driver, "next") == time.strftime("%Y-%m-%d %H:%M", time.gmtime(schedule["nextRunAt"] / 1000))
    # the form shows what is stored
    assert (
        Select(driver.find_element(By.ID, "dayOfWeek")).first_selected_option.get_attribute("value")
        == "friday"
    )
    assert axe_serious(driver) == []
    shot(driver, "export-schedule")
    assert _fits_360(driver, "export-schedule") <= 360

    fill(
        {
            "frequency": "monthly",
            "dayOfMonth": "15",
            "hour": "23",
            "format": "json",
            "dateRange": "last_90_days",
        }
    )
    changed = stored().json()
    assert (changed["frequency"], changed["dayOfMonth"], changed["dayOfWeek"]) == ("monthly", 15, None)
    assert (changed["hour"], changed["format"], changed["dateRange"]) == (23, "json", "last_90_days")
    assert _dd(driver, "runs") == "on day 15 of each month at 23:00 UTC" and _dd(driver, "format") == "JSON"

    submit(driver, "button.remove")
    assert driver.current_url == console(tenant, "/exports/schedule")
    assert "No schedule" in driver.find_element(By.CSS_SELECTOR, ".schedule-none").text
    assert_error(stored(), 404)


# ----------------------------------------------------------------------------- over HTTP


def _session(tenant: Tenant) -> tuple[dict[str, str], str]:
    """A signed-in cookie and its CSRF token (from the sign-out form every page has)."""
    cookie, _ = signed_in_cookie(tenant)
    page = requests.get(console(tenant, "/exports/schedule"), cookies={"tb_console": cookie}, timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    return {"tb_console": cookie}, csrf


def _post(tenant: Tenant, path: str, cookies: dict[str, str], data: dict[str, str]) -> requests.Response:
    return requests.post(console(tenant, path), data=data, cookies=cookies, allow_redirects=False, timeout=30)


def _history(tenant: Tenant) -> list[dict[str, Any]]:
    listed = tenant.get("/exports", params={"projectId": tenant.project_id})
    assert listed.status_code == 200, listed.text
    return list(listed.json()["data"])


FORM = {"format": "json", "dateRange": "last_7_days", "includeAll": "on"}


def test_a_create_without_its_csrf_token_is_refused_and_starts_nothing(tenant: Tenant) -> None:
    cookies, csrf = _session(tenant)

    for data in (FORM, {**FORM, "csrf": "forged"}):
        refused = _post(tenant, "/exports", cookies, data)
        assert refused.status_code == 403 and "CSRF" in refused.text
    assert _history(tenant) == []
    created = _post(tenant, "/exports", cookies, {**FORM, "csrf": csrf})  # the same form, with it
    assert created.status_code == 303
    (job,) = _history(tenant)
    assert created.headers["Location"] == f"/v1/console/exports/{job['exportJobId']}"


def test_a_second_export_while_one_runs_is_the_apis_409_page(
    tenant: Tenant, points: list[float], stepper: Stepper
) -> None:
    cookies, csrf = _session(tenant)
    first = _post(tenant, "/exports", cookies, {**FORM, "csrf": csrf})
    assert first.status_code == 303

    second = _post(tenant, "/exports", cookies, {**FORM, "format": "csv", "csrf": csrf})

    assert second.status_code == 409
    assert "409 Conflict: Another export is in progress" in second.text
    assert 'action="/v1/console/exports"' in second.text  # the form again, beside the message
    (running,) = _history(tenant)
    assert running["format"] == "json" and running["status"] in ("queued", "processing")
    assert running["exportJobId"] in second.text  # the history still lists the running one


def test_cancel_stops_a_running_export(tenant: Tenant, points: list[float], stepper: Stepper) -> None:
    cookies, csrf = _session(tenant)
    job_path = _post(tenant, "/exports", cookies, {**FORM, "csrf": csrf}).headers["Location"]
    job_id = job_path.rsplit("/", 1)[1]
    page = requests.get(f"{tenant.base_url}{job_path.removeprefix('/v1')}", cookies=cookies, timeout=30)
    assert page.status_code == 200 and '<div id="job" aria-live="polite" data-follow="2">' in page.text

    assert _post(tenant, f"/exports/{job_id}/cancel", cookies, {}).status_code == 403  # no token
    assert tenant.get(f"/exports/{job_id}").json()["status"] in ("queued", "processing")
    cancelled = _post(tenant, f"/exports/{job_id}/cancel", cookies, {"csrf": csrf})

    assert cancelled.status_code == 303 and cancelled.headers["Location"] == job_path
    assert tenant.get(f"/exports/{job_id}").json()["status"] == "cancelled"
    shown = requests.get(f"{tenant.base_url}{job_path.removeprefix('/v1')}", cookies=cookies, timeout=30)
    assert "cancelled" in shown.text and "http-equiv" not in shown.text and "/cancel" not in shown.text
    again = _post(tenant, f"/exports/{job_id}/cancel", cookies, {"csrf": csrf})
    assert again.status_code == 409 and "already cancelled" in again.text


@pytest.mark.parametrize("who", ["viewer", "professional plan"])
def test_a_key_that_may_not_export_gets_the_apis_403_page(
    tenant: Tenant, make_tenant: Callable[..., Tenant], who: str
) -> None:
    owner = tenant if who == "viewer" else make_tenant("professional")
    narrow = owner.create_key("viewer") if who == "viewer" else owner
    cookies, csrf = _session(narrow)

    listed = requests.get(console(narrow, "/exports"), cookies=cookies, timeout=30)
    created = _post(narrow, "/exports", cookies, {**FORM, "csrf": csrf})

    api = narrow.post("/exports", json={"projectId": owner.project_id, "format": "json"})
    message = assert_error(api, 403, "Forbidden")["message"]
    for page in (listed, created):
        assert page.status_code == 403
        assert message.replace("'", "&#x27;") in page.text
    if who == "viewer":
        assert _history(owner) == []


def test_bad_input_is_the_apis_400_page_and_changes_nothing(tenant: Tenant) -> None:
    cookies, csrf = _session(tenant)
    nothing = {"format": "json", "dateRange": "last_7_days", "csrf": csrf}  # every box unchecked

    created = _post(tenant, "/exports", cookies, nothing)
    unknown = _post(tenant, "/exports", cookies, {**FORM, "format": "xml", "csrf": csrf})

    assert created.status_code == 400 and "at least one data type" in created.text
    assert unknown.status_code == 400 and "format" in unknown.text
    assert _history(tenant) == []
    weekly = {**FORM, "frequency": "weekly", "dayOfWeek": "monday", "hour": "3", "csrf": csrf}
    assert _post(tenant, "/exports/schedule", cookies, weekly).status_code == 303
    before = tenant.get("/exports/schedule", params={"projectId": tenant.project_id}).json()
    late = _post(tenant, "/exports/schedule", cookies, {**weekly, "hour": "24"})
    assert late.status_code == 400 and "hour" in late.text
    assert 'class="schedule-none"' not in late.text and "every Monday at 03:00 UTC" in late.text
    assert tenant.get("/exports/schedule", params={"projectId": tenant.project_id}).json() == before


def test_the_keyboard_reaches_every_control_of_the_create_form(driver: Any, tenant: Tenant) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    sign_in(driver, tenant)
    driver.get(console(tenant, "/exports"))
    controls = driver.find_elements(
        By.CSS_SELECTOR,
        "form.export-form select, form.export-form input:not([type=hidden]), form.export-form button",
    )
    wanted = {c.get_attribute("id") or c.text for c in controls}

    reached = set()
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    for _ in range(40):
        active = driver.switch_to.active_element
        reached.add(active.get_attribute("id") or active.text)
        active.send_keys(Keys.TAB)

    assert wanted == {
        "format",
        "dateRange",
        "includeAll",
        "includeMetrics",
        "includeConnections",
        "includeDashboards",
        "includeAuditLogs",
        "Start export",
    }
    assert wanted <= reached
