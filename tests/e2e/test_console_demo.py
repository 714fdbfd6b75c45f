"""The console against `make run` itself: the local server started as the README starts it (its
own process, its own moto), signed in with the owner key it prints, on its demo data. Every page
of the navigation is then checked the same way, so a page added to render.NAV is covered without
a line here: it answers 200, axe-core finds nothing serious or critical, a keyboard alone reaches
every control, nothing overflows at 360 px, and its screenshot is kept."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from tallyboard.console import render
from tests.e2e.console_browser import ROOT, axe_serious, console, shot, sign_in, submit

# One worker runs the whole module (--dist loadgroup), so `make run` starts once, not per worker.
pytestmark = pytest.mark.xdist_group("console_demo")

STARTUP_SECONDS = 240  # the demo seed and the warm-up take ~10 s idle, minutes on a loaded 2-core machine


@dataclass(frozen=True)
class DemoRun:
    base_url: str
    api_key: str
    project_key: str
    project_id: str

    def api(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.api_key}"}
        return requests.request(method, f"{self.base_url}{path}", headers=headers, timeout=60, **kwargs)


def _read_banner(process: subprocess.Popen[str]) -> dict[str, str]:
    """The lines `make run` prints, read as a user reads them, until its docs line."""
    found: dict[str, str] = {}
    deadline = time.monotonic() + STARTUP_SECONDS
    assert process.stdout is not None
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            raise AssertionError(f"the local server exited ({process.poll()}) before it served")
        for name, pattern in (
            ("base_url", r"Tallyboard is serving at (\S+)"),
            ("api_key", r"owner key:\s+(\S+)"),
            ("project_key", r"project key:\s+(\S+)"),
            ("project_id", r"project id:\s+(\S+)"),
            ("console", r"console: (\S+)"),
        ):
            if match := re.search(pattern, line):
                found[name] = match.group(1)
        if "docs:" in line:
            return found
    raise AssertionError(f"the local server printed no docs line in {STARTUP_SECONDS} s")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoRun]:
    demo_file = tmp_path_factory.mktemp("demo") / "demo.json"
    # `make run` is `tallyboard-local`; a free port and a demo file of its own, so a developer's
    # running `make run` is left alone.
    process = subprocess.Popen(
        [sys.executable, "-m", "tallyboard_local", "--port", "0", "--demo-file", str(demo_file)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        banner = _read_banner(process)
        assert banner["console"] == f"{banner['base_url']}/console"
        yield DemoRun(banner["base_url"], banner["api_key"], banner["project_key"], banner["project_id"])
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture
def signed_in(driver: Any, demo: DemoRun) -> Any:
    sign_in(driver, demo)
    assert driver.current_url == console(demo, "/dashboards")
    return driver


def test_the_demo_dashboards_draw_what_run_insights_returns(signed_in: Any, demo: DemoRun) -> None:
    from selenium.webdriver.common.by import By

    driver = signed_in
    anchors = driver.find_elements(By.CSS_SELECTOR, "ul.dashboards a")
    links = {a.text: a.get_attribute("href") for a in anchors}
    projects = demo.api("GET", "/projects").json()["data"]
    listed = [
        d["name"]
        for p in projects
        for d in demo.api("GET", "/dashboards", params={"projectId": p["id"]}).json()["data"]
    ]
    assert sorted(links) == sorted(listed) and {"Executive Summary", "Payments"} <= set(links)

    for name in ("Executive Summary", "Payments"):
        driver.get(links[name])
        dashboard_id = links[name].rsplit("/", 1)[1]
        insights = demo.api("GET", f"/dashboards/{dashboard_id}/run_insights").json()
        charted = [t for t in insights["tiles"] if t["status"] == "ok"]
        charts = driver.find_elements(By.CSS_SELECTOR, "svg.chart")
        shown = driver.find_element(By.ID, "main").text[:500]
        assert len(charted) > 0 and len(charts) == len(charted), shown
        for tile, svg in zip(charted, charts, strict=True):
            assert len(svg.find_elements(By.CSS_SELECTOR, "g.series")) == 1
            assert len(svg.find_elements(By.CSS_SELECTOR, "circle.point")) == len(tile["series"]) > 0
        assert axe_serious(driver) == []
        shot(driver, f"demo-{name.lower().replace(' ', '-')}")


def test_an_export_of_the_demo_is_followed_to_100_percent_and_its_file_parses(
    signed_in: Any, demo: DemoRun
) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver = signed_in
    driver.get(console(demo, f"/exports?project={demo.project_id}"))
    Select(driver.find_element(By.ID, "format")).select_by_value("json")
    Select(driver.find_element(By.ID, "dateRange")).select_by_value("all_time")
    submit(driver, "form.export-form button[type=submit]")
    job_id = driver.current_url.rsplit("/", 1)[1]
    # console.js follows the job and reloads the page once it has settled
    _wait_for(driver, lambda: _shown_status(driver) in ("completed", "failed"), seconds=180)

    job = demo.api("GET", f"/exports/{job_id}").json()
    assert job["status"] == "completed" and job["progress"] == 100
    bar = driver.find_element(By.ID, "export-progress")
    assert bar.get_attribute("value") == "100" and "data-follow" not in driver.page_source
    download = requests.get(
        driver.find_element(By.CSS_SELECTOR, "a.download").get_attribute("href"), timeout=60
    )
    assert download.status_code == 200 and len(download.content) == job["sizeBytes"]
    document = json.loads(download.content)
    assert document["project"]["id"] == demo.project_id
    assert len(document["metrics"]) > 0 and len(document["dashboards"]) == 2
    assert axe_serious(driver) == []
    shot(driver, "demo-export-done")


def _shown_status(driver: Any) -> str | None:
    from selenium.common.exceptions import WebDriverException

    try:
        return driver.execute_script(
            "const s = document.querySelector('dd.status'); return s && s.textContent"
        )
    except WebDriverException:  # reloading
        return None


def test_revoking_the_key_in_another_tab_signs_the_first_out(driver: Any, demo: DemoRun) -> None:
    from selenium.webdriver.common.by import By

    created = demo.api("POST", "/api-keys", json={"name": "demo browser", "role": "owner"}).json()["data"]
    key = DemoRun(demo.base_url, created["key"], demo.project_key, demo.project_id)
    sign_in(driver, key)
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(console(demo, "/keys"))
    submit(driver, f"tr[id='{created['id']}'] form.revoke button")
    assert key.api("GET", "/team").status_code == 401
    driver.close()

    driver.switch_to.window(first)
    old_page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.LINK_TEXT, "Dashboards").click()
    _wait_for(driver, lambda: old_page.id != driver.find_element(By.TAG_NAME, "html").id)
    assert driver.current_url == console(demo, "/sign-in")
    assert "tb_console" not in {c["name"] for c in driver.get_cookies()}


def _focusable(driver: Any) -> list[str]:
    """Every control a keyboard should reach, each named by its path in the document."""
    return list(
        driver.execute_script(
            """
            const path = e => { const parts = []; for (; e && e.nodeType === 1; e = e.parentElement) {
                const i = e.parentElement ? [...e.parentElement.children].indexOf(e) : 0;
                parts.unshift(e.tagName + ':' + i); } return parts.join('/'); };
            const controls = 'a[href], button, input:not([type=hidden]), select, textarea, [tabindex]';
            return [...document.querySelectorAll(controls)]
                .filter(e => !e.disabled && e.tabIndex >= 0 && e.getClientRects().length)
                .map(path);
            """
        )
    )


def _tab_through(driver: Any, controls: list[str]) -> set[str]:
    """The paths focused by Tab from the top of the page, until every control was reached (a date
    input takes a Tab per field, so there are more stops than controls; bounded all the same)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    reached: set[str] = set()
    for _ in range(3 * len(controls) + 10):
        if set(controls) <= reached:
            break
        ActionChains(driver).send_keys(Keys.TAB).perform()
        reached.add(
            driver.execute_script(
                """
                let e = document.activeElement; const parts = [];
                for (; e && e.nodeType === 1; e = e.parentElement) {
                    const i = e.parentElement ? [...e.parentElement.children].indexOf(e) : 0;
                    parts.unshift(e.tagName + ':' + i); }
                return parts.join('/');
                """
            )
        )
    return reached


@pytest.mark.parametrize("path", [p for p, _ in render.NAV])
def test_every_page_is_accessible_reachable_by_keyboard_and_fits_360_px(
    signed_in: Any, demo: DemoRun, path: str
) -> None:
    driver = signed_in
    driver.get(console(demo, f"/{path}"))
    status = requests.get(
        console(demo, f"/{path}"), cookies={c["name"]: c["value"] for c in driver.get_cookies()}, timeout=60
    )
    assert status.status_code == 200, status.text[:500]
    assert axe_serious(driver) == []

    controls = _focusable(driver)
    reached = _tab_through(driver, controls)
    assert set(controls) <= reached, f"not reached by Tab: {sorted(set(controls) - reached)}"
    shot(driver, f"page-{path}")

    driver.set_window_size(360, 900)
    try:
        width = driver.execute_script("return document.documentElement.scrollWidth")
        shot(driver, f"page-{path}-360px")
    finally:
        driver.set_window_size(1280, 1000)
    assert width <= 360


def test_a_keyboard_alone_signs_in_and_moves_between_pages(driver: Any, demo: DemoRun) -> None:
    """No click: Tab to the key field, type, Enter; Tab to the navigation's Metrics link, Enter."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    driver.delete_all_cookies()
    driver.get(console(demo, "/sign-in"))
    for _ in range(10):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.switch_to.active_element.get_attribute("id") == "api_key":
            break
    ActionChains(driver).send_keys(demo.api_key, Keys.ENTER).perform()
    _wait_for(driver, lambda: driver.current_url == console(demo, "/dashboards"))

    for _ in range(30):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        if driver.switch_to.active_element.text == "Metrics":
            break
    ActionChains(driver).send_keys(Keys.ENTER).perform()
    _wait_for(driver, lambda: driver.current_url == console(demo, "/metrics"))
    assert driver.find_element(By.TAG_NAME, "h1").text == "Metric explorer"


def _wait_for(driver: Any, condition: Any, seconds: float = 60) -> None:
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, seconds).until(lambda _: condition())
