"""The console's people pages in a real browser (chromium via selenium) against the session stack:
leads by status (/console/leads), a project's week of time (/console/time) and holidays
(/console/holidays), each showing exactly what the API answers; axe-core at 0 serious/critical,
screenshots, nothing wider than 360 px. Refusals (CSRF, roles, bad dates) over plain HTTP."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

import pytest
import requests

from tallyboard.models.leads import LEAD_STATUSES
from tests.conftest import Tenant
from tests.e2e.console_browser import axe_serious, console, shot, sign_in, signed_in_cookie, submit
from tests.e2e.test_holidays import member
from tests.e2e.test_leads import create_lead
from tests.e2e.test_time_notes import add_member, log_time

YEAR = "2030"  # requests in a year of their own: the stats do not depend on today's date


def fits_360(driver: Any, name: str) -> int:
    """The page's width at 360 px (axe checked there too: a table that scrolls must be focusable)."""
    driver.set_window_size(360, 900)
    width = int(driver.execute_script("return document.documentElement.scrollWidth"))
    shot(driver, f"{name}-360px")
    narrow = axe_serious(driver)
    driver.set_window_size(1280, 1000)
    assert narrow == []
    return width


CONTROLS = "a[href], button, input:not([type=hidden]), select, [tabindex='0']"


def tabbed_to_every_control(driver: Any) -> list[str]:
    """Tab from the top of the page through it: the controls the keyboard never reached."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    controls = driver.find_elements(By.CSS_SELECTOR, CONTROLS)
    driver.execute_script("document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0)")
    body = driver.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)
    reached: list[Any] = []
    # A date input takes a Tab per part (month, day, year), so allow a few per control.
    for _ in range(4 * len(controls) + 10):
        reached.append(driver.switch_to.active_element)
        if all(c in reached for c in controls):
            return []
        driver.switch_to.active_element.send_keys(Keys.TAB)
    return [c.get_attribute("outerHTML")[:80] for c in controls if c not in reached]


def api_list(tenant: Tenant, path: str, **params: Any) -> list[dict[str, Any]]:
    response = tenant.get(path, params={"limit": 100, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body["pagination"]["hasMore"]
    return list(body["data"])


def csrf_of(cookie: str, tenant: Tenant, path: str) -> str:
    page = requests.get(console(tenant, path), cookies={"tb_console": cookie}, timeout=30)
    assert page.status_code == 200, page.text
    return re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def post_form(cookie: str, tenant: Tenant, path: str, data: dict[str, str]) -> requests.Response:
    return requests.post(
        console(tenant, path), data=data, cookies={"tb_console": cookie}, allow_redirects=False, timeout=30
    )


# ----------------------------------------------------------------------------- leads


def test_leads_are_grouped_by_status_as_the_api_lists_them(driver: Any, tenant: Tenant) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    create_lead(tenant, name="Ada Park", company="Acme", value=1200, rep="Sam", tags=["Won"], status="closed")
    create_lead(tenant, name="Bo Chen", company="Beta", value=300.5, rep="Ria", status="Chaser")
    create_lead(tenant, name="Cy Diaz", rep="sam", status="Chaser", tags=["Chase Up", "Stuck"])
    create_lead(tenant, name="Di <b>Eve</b>", rep="Ria", status="Proposal Sent")
    sign_in(driver, tenant)

    driver.get(console(tenant, "/leads"))
    sections = driver.find_elements(By.CSS_SELECTOR, "section.lead-status")
    assert [s.get_attribute("data-status") for s in sections] == list(LEAD_STATUSES)
    for section in sections:
        status = section.get_attribute("data-status")
        api = api_list(tenant, "/leads", status=status)
        assert section.find_element(By.CSS_SELECTOR, "h2 .count").text == str(len(api))
        rows = [
            [td.text for td in tr.find_elements(By.TAG_NAME, "td")][:5]
            for tr in section.find_elements(By.CSS_SELECTOR, "tbody tr")
        ]
        assert rows == [
            [
                lead["name"],
                lead["company"] or "",
                f"{lead['value']:,.2f}".rstrip("0").rstrip(".") if lead["value"] is not None else "",
                lead["rep"] or "",
                ", ".join(lead["tags"]),
            ]
            for lead in api
        ]
    assert "Di <b>Eve</b>" in driver.page_source.replace("&lt;", "<").replace("&gt;", ">")
    assert driver.find_elements(By.CSS_SELECTOR, "td b") == []  # escaped, not markup
    assert axe_serious(driver) == []
    assert tabbed_to_every_control(driver) == []
    shot(driver, "leads")
    assert fits_360(driver, "leads") <= 360

    driver.find_element(By.ID, "rep").send_keys("SAM")
    submit(driver, "form.filters button[type=submit]")
    assert "rep=SAM" in driver.current_url
    counts = {
        s.get_attribute("data-status"): int(s.find_element(By.CSS_SELECTOR, "h2 .count").text)
        for s in driver.find_elements(By.CSS_SELECTOR, "section.lead-status")
    }
    assert counts == {s: len(api_list(tenant, "/leads", status=s, rep="SAM")) for s in LEAD_STATUSES}
    assert counts["Closed"] == counts["Chaser"] == 1 and sum(counts.values()) == 2
    assert axe_serious(driver) == []

    # Move Cy (Chaser) to Needs Closing: PATCH /leads/{id}, back to the same filter.
    cy = next(lead for lead in api_list(tenant, "/leads") if lead["name"] == "Cy Diaz")
    Select(driver.find_element(By.CSS_SELECTOR, f"tr[data-id='{cy['id']}'] select")).select_by_value(
        "Needs Closing"
    )
    submit(driver, f"tr[data-id='{cy['id']}'] form.lead-move button")
    assert "rep=SAM" in driver.current_url
    assert tenant.get(f"/leads/{cy['id']}").json()["data"]["status"] == "Needs Closing"
    moved = driver.find_element(By.CSS_SELECTOR, "section.lead-status[data-status='Needs Closing']")
    assert moved.find_element(By.CSS_SELECTOR, "h2 .count").text == "1"
    assert moved.find_element(By.CSS_SELECTOR, "tbody tr").get_attribute("data-id") == cy["id"]


@pytest.mark.parametrize("who", ["viewer", "no-csrf"])
def test_moving_a_lead_without_the_right_is_refused_and_changes_nothing(tenant: Tenant, who: str) -> None:
    lead = create_lead(tenant, status="Chaser")
    key = tenant.create_key("viewer") if who == "viewer" else tenant
    cookie, _ = signed_in_cookie(key)
    csrf = csrf_of(cookie, tenant, "/leads") if who == "viewer" else ""

    response = post_form(cookie, tenant, f"/leads/{lead['id']}", {"status": "Closed", "csrf": csrf})

    assert response.status_code == 403
    if who == "viewer":
        api = key.patch(f"/leads/{lead['id']}", json={"status": "Closed"})
        assert api.status_code == 403 and api.json()["message"] in response.text
    assert tenant.get(f"/leads/{lead['id']}").json()["data"]["status"] == "Chaser"


def test_moving_a_lead_to_an_unknown_status_is_the_apis_400(tenant: Tenant) -> None:
    lead = create_lead(tenant, status="Chaser")
    cookie, _ = signed_in_cookie(tenant)
    csrf = csrf_of(cookie, tenant, "/leads")

    response = post_form(cookie, tenant, f"/leads/{lead['id']}", {"status": "Won big", "csrf": csrf})

    assert response.status_code == 400 and 'role="alert"' in response.text and "status" in response.text
    assert tenant.get(f"/leads/{lead['id']}").json()["data"]["status"] == "Chaser"


def test_a_project_bound_key_sees_the_apis_403_on_leads(tenant: Tenant) -> None:
    bound = tenant.create_key("owner", projectIds=[tenant.project_id])
    cookie, _ = signed_in_cookie(bound)

    page = requests.get(console(tenant, "/leads"), cookies={"tb_console": cookie}, timeout=30)

    assert page.status_code == 403
    assert "workspace-wide key" in page.text and "section" not in page.text.split("<main")[1]


# ----------------------------------------------------------------------------- time


def test_the_weeks_time_totals_the_apis_entries_and_moves_by_seven_days(driver: Any, tenant: Tenant) -> None:
    from selenium.webdriver.common.by import By

    maya = add_member(tenant, "Maya Patel")
    # The week of Monday 2026-01-05: Maya twice on the Monday; one entry either side of the week.
    for day, user, hours in (
        ("2026-01-05", tenant.user_id, 2),
        ("2026-01-05", maya, 1.5),
        ("2026-01-05", maya, 2.25),
        ("2026-01-07", maya, 3),
        ("2026-01-11", tenant.user_id, 0.5),
        ("2026-01-04", maya, 4),
        ("2026-01-12", tenant.user_id, 6),
    ):
        log_time(tenant, date=day, user_id=user, hours=hours, description=f"work {day}")
    sign_in(driver, tenant)

    driver.get(console(tenant, "/time?week=2026-01-08"))  # a Thursday: its week starts on the 5th
    api = api_list(
        tenant, f"/projects/{tenant.project_id}/time", **{"from": "2026-01-05", "to": "2026-01-11"}
    )
    assert len(api) == 5
    expected: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for entry in api:
        expected[entry["user_name"]][entry["date"]] += entry["hours"]
    days = [f"2026-01-{d:02d}" for d in range(5, 12)]

    def shown(value: float) -> str:
        return f"{round(value, 2):,.2f}".rstrip("0").rstrip(".")

    rows = [
        [td.text for td in tr.find_elements(By.TAG_NAME, "td")]
        for tr in driver.find_elements(By.CSS_SELECTOR, "table.totals tbody tr")
    ]
    assert rows[:-1] == [
        [name, *(shown(expected[name][d]) for d in days), shown(sum(expected[name].values()))]
        for name in sorted(expected)
    ]
    assert rows[-1] == [
        "All members",
        *(shown(sum(expected[n][d] for n in expected)) for d in days),
        shown(sum(e["hours"] for e in api)),
    ]
    assert rows[0][:2] == ["Maya Patel", "3.75"]  # her two Monday entries, summed
    entries = driver.find_elements(By.CSS_SELECTOR, "table.entries tbody tr")
    assert sorted(r.find_elements(By.TAG_NAME, "td")[0].text for r in entries) == sorted(
        e["date"] for e in api
    )
    assert driver.find_element(By.CSS_SELECTOR, ".week-total strong").text == "9.25"
    selected = driver.find_element(By.CSS_SELECTOR, "#project option[selected]")
    assert selected.get_attribute("value") == tenant.project_id
    assert axe_serious(driver) == []
    assert tabbed_to_every_control(driver) == []
    shot(driver, "time")
    assert fits_360(driver, "time") <= 360

    driver.find_element(By.CSS_SELECTOR, "a[rel=prev]").click()
    assert "week=2025-12-29" in driver.current_url
    assert driver.find_element(By.CSS_SELECTOR, ".weeks .week").text == "2025-12-29 to 2026-01-04"
    assert driver.find_element(By.CSS_SELECTOR, ".week-total strong").text == "4"
    driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    driver.find_element(By.CSS_SELECTOR, "a[rel=next]").click()
    assert "week=2026-01-12" in driver.current_url
    assert driver.find_element(By.CSS_SELECTOR, ".week-total strong").text == "6"


def test_a_project_the_key_cannot_see_is_refused_as_the_api_refuses_it(
    tenant: Tenant, other_tenant: Tenant
) -> None:
    cookie, _ = signed_in_cookie(tenant)

    page = requests.get(
        console(tenant, f"/time?project={other_tenant.project_id}"),
        cookies={"tb_console": cookie},
        timeout=30,
    )

    api = tenant.get(f"/projects/{other_tenant.project_id}/time")
    assert page.status_code == api.status_code == 404  # another workspace's project: no existence leak
    assert api.json()["message"] in page.text and "table" not in page.text


def test_a_week_that_is_not_a_date_is_a_400(tenant: Tenant) -> None:
    cookie, _ = signed_in_cookie(tenant)

    page = requests.get(console(tenant, "/time?week=2026-13-40"), cookies={"tb_console": cookie}, timeout=30)

    assert page.status_code == 400 and "week must be a date" in page.text


# ----------------------------------------------------------------------------- holidays


def _stats_shown(driver: Any) -> dict[str, int]:
    from selenium.webdriver.common.by import By

    return {
        d.get_attribute("data-stat"): int(d.find_element(By.TAG_NAME, "dd").text)
        for d in driver.find_elements(By.CSS_SELECTOR, ".holiday-stats .stat")
    }


def _api_stats(tenant: Tenant, **params: Any) -> dict[str, int]:
    response = tenant.get("/holidays", params={"year": YEAR, **params})
    assert response.status_code == 200, response.text
    stats = response.json()["stats"]
    return {k: stats[k] for k in ("allowance_days", "taken_days", "pending_days", "remaining_days")}


def _set_date(driver: Any, field: str, value: str) -> None:
    from selenium.webdriver.common.by import By

    # A date input's typed text follows the browser's locale; its value is always YYYY-MM-DD.
    driver.execute_script("arguments[0].value = arguments[1]", driver.find_element(By.ID, field), value)


def test_holidays_stats_request_overlap_and_an_owner_approves(driver: Any, tenant: Tenant) -> None:
    from selenium.webdriver.common.by import By

    maya = member(tenant, "Maya Patel")
    hers = maya.post("/holidays", json={"start_date": f"{YEAR}-06-03", "end_date": f"{YEAR}-06-07"}).json()[
        "data"
    ]
    tenant.post(
        "/holidays", json={"start_date": f"{YEAR}-01-07", "end_date": f"{YEAR}-01-08", "type": "sick"}
    )
    sign_in(driver, tenant)

    driver.get(console(tenant, f"/holidays?year={YEAR}"))
    assert _stats_shown(driver) == _api_stats(tenant)
    assert axe_serious(driver) == []
    shot(driver, "holidays")
    assert fits_360(driver, "holidays") <= 360

    before = api_list(tenant, "/holidays")
    _set_date(driver, "start_date", f"{YEAR}-03-04")
    _set_date(driver, "end_date", f"{YEAR}-03-08")
    driver.find_element(By.ID, "note").send_keys("Spring break")
    submit(driver, "form.holiday-request button[type=submit]")
    assert driver.current_url == console(tenant, "/holidays")
    after = api_list(tenant, "/holidays")
    added = [h for h in after if h["id"] not in {b["id"] for b in before}]
    assert [(h["start_date"], h["end_date"], h["type"], h["note"], h["status"]) for h in added] == [
        (f"{YEAR}-03-04", f"{YEAR}-03-08", "annual", "Spring break", "pending")
    ]
    driver.get(console(tenant, f"/holidays?year={YEAR}"))
    assert _stats_shown(driver) == _api_stats(tenant) and _api_stats(tenant)["pending_days"] == 5

    _set_date(driver, "start_date", f"{YEAR}-03-07")
    _set_date(driver, "end_date", f"{YEAR}-03-12")
    submit(driver, "form.holiday-request button[type=submit]")
    alert = driver.find_element(By.CSS_SELECTOR, "[role=alert]").text
    assert alert.startswith("409") and "overlaps" in alert
    assert driver.find_element(By.ID, "start_date").get_attribute("value") == f"{YEAR}-03-07"
    assert api_list(tenant, "/holidays") == after  # nothing added
    assert axe_serious(driver) == []
    shot(driver, "holidays-409")

    driver.get(console(tenant, f"/holidays?scope=team&year={YEAR}&status=pending"))
    team = api_list(tenant, "/holidays", scope="team", year=YEAR, status="pending")
    rows = driver.find_elements(By.CSS_SELECTOR, "table.holidays tbody tr")
    assert [r.get_attribute("data-id") for r in rows] == [h["id"] for h in team]
    assert _stats_shown(driver) == _api_stats(tenant, scope="team")
    assert axe_serious(driver) == []
    assert tabbed_to_every_control(driver) == []
    shot(driver, "holidays-team")
    submit(driver, f"tr[data-id='{hers['id']}'] form.decide input[value=approved] ~ button")
    assert driver.current_url == console(tenant, f"/holidays?scope=team&status=pending&year={YEAR}")
    assert maya.get("/holidays", params={"year": YEAR}).json()["data"][0]["status"] == "approved"
    assert [
        r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, "table.holidays tbody tr")
    ] == [h["id"] for h in team if h["id"] != hers["id"]]
    driver.get(console(tenant, f"/holidays?scope=team&year={YEAR}"))
    assert _stats_shown(driver) == _api_stats(tenant, scope="team")


def test_holiday_posts_without_csrf_are_refused_and_store_nothing(tenant: Tenant) -> None:
    cookie, _ = signed_in_cookie(tenant)
    maya = member(tenant, "Maya Patel")
    hers = maya.post("/holidays", json={"start_date": f"{YEAR}-06-03", "end_date": f"{YEAR}-06-07"}).json()[
        "data"
    ]
    before = api_list(tenant, "/holidays", scope="team")

    made = post_form(
        cookie, tenant, "/holidays", {"start_date": f"{YEAR}-03-04", "end_date": f"{YEAR}-03-08"}
    )
    decided = post_form(cookie, tenant, f"/holidays/{hers['id']}", {"status": "approved", "csrf": "forged"})

    assert made.status_code == 403 and decided.status_code == 403
    assert "CSRF" in made.text
    assert api_list(tenant, "/holidays", scope="team") == before


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_a_non_owner_approving_gets_the_apis_403(tenant: Tenant, role: str) -> None:
    maya = member(tenant, "Maya Patel")
    hers = maya.post("/holidays", json={"start_date": f"{YEAR}-06-03", "end_date": f"{YEAR}-06-07"}).json()[
        "data"
    ]
    other = tenant.create_key(role)
    cookie, _ = signed_in_cookie(other)
    page = requests.get(
        console(tenant, f"/holidays?scope=team&year={YEAR}"), cookies={"tb_console": cookie}, timeout=30
    )
    assert page.status_code == 200 and hers["id"] in page.text
    assert "Approve" not in page.text  # no buttons for what the API would refuse
    csrf = csrf_of(cookie, tenant, "/holidays")

    response = post_form(cookie, tenant, f"/holidays/{hers['id']}", {"status": "approved", "csrf": csrf})

    api = other.patch(f"/holidays/{hers['id']}", json={"status": "approved"})
    assert response.status_code == api.status_code == 403
    assert api.json()["message"] in response.text.replace("&#x27;", "'")
    assert maya.get("/holidays").json()["data"][0]["status"] == "pending"


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [(f"{YEAR}-03-08", f"{YEAR}-03-04", "end_date"), ("not-a-date", f"{YEAR}-03-04", "start_date")],
)
def test_bad_holiday_dates_are_the_apis_400_and_store_nothing(
    tenant: Tenant, start: str, end: str, field: str
) -> None:
    cookie, _ = signed_in_cookie(tenant)
    csrf = csrf_of(cookie, tenant, "/holidays")

    response = post_form(cookie, tenant, "/holidays", {"start_date": start, "end_date": end, "csrf": csrf})

    assert response.status_code == 400
    assert field in response.text and 'role="alert"' in response.text
    assert api_list(tenant, "/holidays") == []


def test_an_overlapping_request_is_the_apis_409_and_stores_nothing(tenant: Tenant) -> None:
    first = {"start_date": f"{YEAR}-03-04", "end_date": f"{YEAR}-03-08"}
    assert tenant.post("/holidays", json=first).status_code == 201
    cookie, _ = signed_in_cookie(tenant)
    csrf = csrf_of(cookie, tenant, "/holidays")
    before = api_list(tenant, "/holidays")

    overlap = {"start_date": f"{YEAR}-03-08", "end_date": f"{YEAR}-03-12", "type": "annual"}
    response = post_form(cookie, tenant, "/holidays", {**overlap, "csrf": csrf})

    assert response.status_code == 409 and "overlaps" in response.text
    assert f'value="{YEAR}-03-08"' in response.text  # the form as it was sent
    assert api_list(tenant, "/holidays") == before


def test_the_requester_cancels_their_own_pending_request(tenant: Tenant) -> None:
    maya = member(tenant, "Maya Patel")
    hers = maya.post("/holidays", json={"start_date": f"{YEAR}-06-03", "end_date": f"{YEAR}-06-07"}).json()[
        "data"
    ]
    cookie, _ = signed_in_cookie(maya)
    page = requests.get(console(tenant, "/holidays"), cookies={"tb_console": cookie}, timeout=30)
    assert "Cancel" in page.text
    csrf = csrf_of(cookie, tenant, "/holidays")

    response = post_form(
        cookie, tenant, f"/holidays/{hers['id']}", {"status": "cancelled", "csrf": csrf, "back": "/holidays"}
    )

    assert response.status_code == 303 and response.headers["Location"] == "/v1/console/holidays"
    assert maya.get("/holidays").json()["data"][0]["status"] == "cancelled"
