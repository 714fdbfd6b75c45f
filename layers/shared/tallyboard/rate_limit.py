"""The exact hourly limit per key binding, with the X-RateLimit-* headers."""

from __future__ import annotations

import time

from tallyboard.auth import Caller
from tallyboard.data import rate_limits
from tallyboard.errors import RateLimited

WINDOW_SECONDS = 3600


def consume(caller: Caller, now: float | None = None) -> dict[str, str]:
    """Count this request; the headers for the response, or RateLimited (carrying them) when spent."""
    now = time.time() if now is None else now
    window_start = int(now) // WINDOW_SECONDS * WINDOW_SECONDS
    reset = window_start + WINDOW_SECONDS
    limit = caller.rate_limit
    count = rate_limits.take(
        caller.rate_limit_binding, window_start, limit, expires_at=reset + WINDOW_SECONDS
    )
    headers = {
        "X-RateLimit-Limit": str(limit),
        "X-RateLimit-Remaining": str(max(limit - (count or limit), 0)),
        "X-RateLimit-Reset": str(reset),
    }
    if count is None:
        error = RateLimited(limit, retry_after=max(reset - int(now), 1))
        error.headers.update(headers)
        raise error
    return headers
