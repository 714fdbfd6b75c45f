"""What the console's browser tests share: Debian's chromium through chromium-driver (one browser
per test process, the `driver` fixture in conftest.py), sign-in, form submits that wait for the
page they load, axe-core injected from .tools/node, and screenshots under .local/."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

import pytest
import requests


class Signer(Protocol):
    """Whoever the browser signs in as: a test's tenant, or the demo that `make run` prints."""

    base_url: str
    api_key: str


ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / ".local" / "console-screenshots"
AXE = ROOT / ".tools/node/node_modules/axe-core/axe.min.js"
DAY = 86_400_000


def _missing(what: str) -> None:
    # .ci/run installs chromium, chromium-driver and .tools/node; on CI a gap fails, never skips.
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} missing on CI: .ci/run's browser step installs it")
    pytest.skip(f"{what} missing (skipped off CI only): apt-get install chromium chromium-driver")


def browser() -> Iterator[Any]:
    if not (shutil.which("chromium") and shutil.which("chromedriver")):
        _missing("chromium or chromedriver")
    if not AXE.is_file():
        _missing("axe-core (make .tools/node/node_modules/.installed)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or ""
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000"):
        options.add_argument(argument)
    browser = webdriver.Chrome(service=Service(shutil.which("chromedriver")), options=options)
    browser.set_page_load_timeout(60)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    yield browser
    browser.quit()


def console(tenant: Signer, path: str = "") -> str:
    return f"{tenant.base_url}/console{path}"


def sign_in(driver: Any, tenant: Signer) -> None:
    from selenium.webdriver.common.by import By

    driver.delete_all_cookies()
    driver.get(console(tenant, "/sign-in"))
    driver.find_element(By.ID, "api_key").send_keys(tenant.api_key)
    submit(driver, "form.sign-in button[type=submit]")


def submit(driver: Any, button: str) -> None:
    """Click a form's button and wait for the page it loads (a click does not wait for it)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    old_page = driver.find_element(By.TAG_NAME, "html")
    driver.find_element(By.CSS_SELECTOR, button).click()
    # Asked mid-navigation, chromium may answer "node does not belong to the document" rather
    # than "stale": ask again (staleness_of answers True only once the old page is gone).
    WebDriverWait(driver, 30, ignored_exceptions=[WebDriverException]).until(
        expected_conditions.staleness_of(old_page)
    )


def axe_serious(driver: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations of the page shown."""
    driver.execute_script(AXE.read_text())
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations))"
        ".catch(e => done([{impact: 'critical', id: String(e)}]));"
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n.get("target") for n in v.get("nodes", [])]}
        for v in violations
        if v.get("impact") in {"serious", "critical"}
    ]


def shot(driver: Any, name: str) -> None:
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))


def signed_in_cookie(tenant: Signer) -> tuple[str, requests.Response]:
    """A session cookie for `tenant`'s key, signed in over plain HTTP, and the sign-in's answer."""
    form = requests.get(console(tenant, "/sign-in"), timeout=30)
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    pre = form.cookies["tb_console_pre"]
    response = requests.post(
        console(tenant, "/sign-in"),
        data={"csrf": csrf, "api_key": tenant.api_key},
        cookies={"tb_console_pre": pre},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 303, response.text
    cookie = re.search(r"tb_console=([^;]+)", response.headers["Set-Cookie"]).group(1)  # type: ignore[union-attr]
    return cookie, response
