"""rate_limit.consume with a fake counter: the window, the headers, and the 429."""

from __future__ import annotations

from typing import Any

import pytest

from tallyboard import rate_limit
from tallyboard.auth import Caller
from tallyboard.errors import RateLimited
from tallyboard.plans import PLANS

WINDOW_START = 1_767_225_600  # 2026-01-01T00:00:00Z, an hour boundary


class FakeCounter:
    """The data layer's contract: the new count, or None once the limit is spent."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}
        self.calls: list[tuple[str, int, int, int]] = []

    def take(self, binding: str, window_start: int, limit: int, expires_at: int) -> int | None:
        self.calls.append((binding, window_start, limit, expires_at))
        bucket = f"{binding}#{window_start}"
        if self.counts.get(bucket, 0) >= limit:
            return None
        self.counts[bucket] = self.counts.get(bucket, 0) + 1
        return self.counts[bucket]


@pytest.fixture
def counter(monkeypatch: pytest.MonkeyPatch) -> FakeCounter:
    fake = FakeCounter()
    monkeypatch.setattr(rate_limit.rate_limits, "take", fake.take)
    return fake


def _caller(limit: int = 1000, **kwargs: Any) -> Caller:
    fields: dict[str, Any] = {
        "workspace_id": "ws_1",
        "user_id": "user_1",
        "key_id": "key_1",
        "role": "owner",
        "scopes": (),
        "project_ids": (),
        "plan": PLANS["scale"],
        "rate_limit": limit,
        **kwargs,
    }
    return Caller(**fields)


def test_first_request_of_the_window(counter: FakeCounter) -> None:
    headers = rate_limit.consume(_caller(), now=WINDOW_START + 10.7)

    assert headers == {
        "X-RateLimit-Limit": "1000",
        "X-RateLimit-Remaining": "999",
        "X-RateLimit-Reset": str(WINDOW_START + 3600),
    }
    binding, window_start, limit, expires_at = counter.calls[0]
    assert (binding, window_start, limit) == ("workspace:ws_1", WINDOW_START, 1000)
    assert expires_at > WINDOW_START + 3600  # the counter outlives its window, then TTL removes it


def test_the_limit_th_request_passes_and_the_next_is_429(counter: FakeCounter) -> None:
    caller = _caller(limit=3)
    remaining = [rate_limit.consume(caller, now=WINDOW_START + i)["X-RateLimit-Remaining"] for i in range(3)]
    assert remaining == ["2", "1", "0"]

    with pytest.raises(RateLimited) as raised:
        rate_limit.consume(caller, now=WINDOW_START + 600)

    error = raised.value
    assert error.status == 429
    assert error.body() == {
        "error": "Rate limit exceeded",
        "message": "You have exceeded the rate limit of 3 requests per hour",
        "retryAfter": 3000,
    }
    assert error.headers == {
        "Retry-After": "3000",
        "X-RateLimit-Limit": "3",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": str(WINDOW_START + 3600),
    }


def test_documented_429_message_for_a_1000_per_hour_key(counter: FakeCounter) -> None:
    counter.counts[f"workspace:ws_1#{WINDOW_START}"] = 1000

    with pytest.raises(RateLimited) as raised:
        rate_limit.consume(_caller(1000), now=WINDOW_START + 3599.9)

    assert raised.value.message == "You have exceeded the rate limit of 1000 requests per hour"
    assert raised.value.retry_after == 1  # never 0: a client told to wait 0 s would spin


def test_next_window_starts_afresh(counter: FakeCounter) -> None:
    caller = _caller(limit=1)
    rate_limit.consume(caller, now=WINDOW_START)
    with pytest.raises(RateLimited):
        rate_limit.consume(caller, now=WINDOW_START + 3599)

    headers = rate_limit.consume(caller, now=WINDOW_START + 3600)

    assert headers["X-RateLimit-Remaining"] == "0"
    assert headers["X-RateLimit-Reset"] == str(WINDOW_START + 7200)


def test_bindings_count_separately(counter: FakeCounter) -> None:
    wide = _caller(limit=1)
    bound = _caller(limit=1, project_ids=("proj_1",), key_id="key_2")
    other = _caller(limit=1, workspace_id="ws_2")

    for caller in (wide, bound, other):
        rate_limit.consume(caller, now=WINDOW_START)

    assert [c[0] for c in counter.calls] == ["workspace:ws_1", "project:ws_1:proj_1", "workspace:ws_2"]
