"""No secret ever reaches a log: the functions' logs (the `tallyboard` logger at DEBUG, and every
other logger at INFO — botocore's DEBUG wire log prints request parameters and is never enabled)
are captured while keys are created and used, a connection with credentials is stored, points
are pushed, an export runs and requests fail; no plaintext key, key hash, credential or
Authorization header appears in them."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import pytest

from tallyboard.logic.keys import hash_key
from tallyboard.observability import logger as service_logger
from tests.conftest import Tenant

SECRET = "sk_live_never_logged_4242424242"


class Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.name} {record.getMessage()} {record.__dict__}")


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> Iterator[Capture]:
    # Even asked to log every incoming event, the functions must not log theirs.
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    capture = Capture()
    service = service_logger._logger  # Powertools' logging.Logger underneath
    root = logging.getLogger()
    levels = (service.level, root.level)
    service.setLevel(logging.DEBUG)
    root.setLevel(logging.INFO)
    service.addHandler(capture)
    root.addHandler(capture)
    yield capture
    service.removeHandler(capture)
    root.removeHandler(capture)
    service.setLevel(levels[0])
    root.setLevel(levels[1])


def test_no_secret_reaches_the_logs(tenant: Tenant, captured: Capture) -> None:
    child = tenant.create_key("editor", projectIds=[tenant.project_id])
    project = {"projectId": tenant.project_id}
    assert (
        tenant.post(
            "/connections",
            json={**project, "service": "stripe", "authType": "api_key", "credentials": {"apiKey": SECRET}},
        ).status_code
        == 201
    )
    assert child.post("/metrics/custom", json={**project, "metricId": "m", "value": 1}).status_code == 201
    assert child.post("/metrics/custom", json={**project, "metricId": "m", "value": "x"}).status_code == 400
    assert tenant.with_key(tenant.api_key + "x").get("/api-keys").status_code == 401
    job = tenant.post("/exports", json=project).json()["exportJobId"]
    for _ in range(100):
        if tenant.get(f"/exports/{job}").json()["status"] == "completed":
            break
        time.sleep(0.1)
    served = [line for line in captured.lines if "Request served" in line]
    assert len(served) >= 6, "the functions' DEBUG lines were not captured: the check would prove nothing"

    secrets = {
        "owner key": tenant.api_key,
        "child key": child.api_key,
        "owner key hash": hash_key(tenant.api_key),
        "child key hash": hash_key(child.api_key),
        "credential": SECRET,
        "Authorization header": "Bearer tb_",
    }
    leaks = {name: line[:300] for name, value in secrets.items() for line in captured.lines if value in line}
    assert leaks == {}
