"""Dates and UTC buckets, shared by every resource that reads time ranges.

- Query dates are ISO 8601 with `Z` or an offset; a date without a zone is UTC; a bare date
  (`2024-01-01`) is its midnight UTC. Everything inside is epoch milliseconds.
- Buckets are UTC: an hour, a day, a week starting Monday 00:00, a calendar month. A bucket is
  named by its start (epoch ms) and covers [start, next start).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from tallyboard.errors import BadRequest

INTERVALS = ("hour", "day", "week", "month")
_FIXED_MS = {"minute": 60_000, "hour": 3_600_000, "day": 86_400_000, "week": 7 * 86_400_000}
# Epoch ms this API stores: 13 digits (sortable as zero-padded text), so up to year 2286.
MAX_TIMESTAMP_MS = 9_999_999_999_999


def parse_iso(value: str, name: str) -> int:
    """An ISO 8601 date as epoch ms; 400 in the documented wording when it is not one."""
    text = (value or "").strip()
    try:
        if not text or len(text) > 40:
            raise ValueError(text)
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise BadRequest(
            f"Invalid parameter: {name} must be a valid ISO 8601 date",
            details={name: "must be a valid ISO 8601 date"},
        ) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    ms = int(parsed.timestamp() * 1000)
    if not 0 <= ms <= MAX_TIMESTAMP_MS:
        raise BadRequest(
            f"Invalid parameter: {name} is out of range",
            details={name: "must be between 1970 and 2286"},
        )
    return ms


def date_range(start: str | None, end: str | None) -> tuple[int, int]:
    """Query parameters startDate/endDate as [start, end] epoch ms (open ends: all of time)."""
    start_ms = parse_iso(start, "startDate") if start is not None else 0
    end_ms = parse_iso(end, "endDate") if end is not None else MAX_TIMESTAMP_MS
    if end_ms < start_ms:
        raise BadRequest(
            "Invalid parameter: endDate must not be before startDate",
            details={"endDate": "must not be before startDate"},
        )
    return start_ms, end_ms


def to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


def to_ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def to_iso(ms: int) -> str:
    """Epoch ms as ISO 8601 UTC with milliseconds: 2026-01-31T09:30:00.000Z (agency resources)."""
    return to_datetime(ms).strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def bucket_start(ms: int, interval: str) -> int:
    """The start (epoch ms) of the UTC bucket holding `ms`."""
    if interval == "month":
        moment = to_datetime(ms)
        return to_ms(datetime(moment.year, moment.month, 1, tzinfo=UTC))
    if interval == "week":
        day = ms - ms % _FIXED_MS["day"]
        weekday = to_datetime(day).weekday()  # Monday = 0
        return day - weekday * _FIXED_MS["day"]
    size = _FIXED_MS[interval]
    return ms - ms % size


def next_bucket(start: int, interval: str) -> int:
    if interval == "month":
        moment = to_datetime(start)
        year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
        return to_ms(datetime(year, month, 1, tzinfo=UTC))
    return start + _FIXED_MS[interval]


def buckets(start_ms: int, end_ms: int, interval: str) -> Iterator[int]:
    """Starts of the buckets overlapping [start_ms, end_ms], oldest first."""
    current = bucket_start(start_ms, interval)
    while current <= end_ms:
        yield current
        current = next_bucket(current, interval)


def bucket_count(start_ms: int, end_ms: int, interval: str) -> int:
    """How many buckets overlap [start_ms, end_ms], without walking them."""
    if end_ms < start_ms:
        return 0
    first, last = bucket_start(start_ms, interval), bucket_start(end_ms, interval)
    if interval == "month":
        a, b = to_datetime(first), to_datetime(last)
        return (b.year - a.year) * 12 + b.month - a.month + 1
    return (last - first) // _FIXED_MS[interval] + 1


def days_ago_ms(now_ms: int, days: int) -> int:
    return to_ms(to_datetime(now_ms) - timedelta(days=days))
