"""Dates and UTC buckets, shared by every resource that reads time ranges.

- Query dates are a calendar date (`2024-01-01`, its midnight UTC) or a date-time to the second
  (`2024-01-01T10:00:00`, a fraction optional) with `Z`, an offset, or no zone (UTC): exactly
  DATE_PATTERN, which the spec states. A moment outside what this API stores (1970 to 2286) is
  read as the nearest one it stores: no data lies beyond. Everything inside is epoch milliseconds.
- Buckets are UTC: an hour, a day, a week starting Monday 00:00, a calendar month. A bucket is
  named by its start (epoch ms) and covers [start, next start).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from tallyboard.errors import BadRequest

INTERVALS = ("hour", "day", "week", "month")
_FIXED_MS = {"minute": 60_000, "hour": 3_600_000, "day": 86_400_000, "week": 7 * 86_400_000}
# Epoch ms this API stores: 13 digits (sortable as zero-padded text), so up to year 2286.
MAX_TIMESTAMP_MS = 9_999_999_999_999

# DATE_PATTERN, piece by piece: [0-9], never \d (Python's matches any Unicode digit, ECMA's does
# not); each month's own days and 29 February of leap years only, so every string it matches is a
# real moment in Python, ECMA-262 and every JSON Schema reader (a `format` may go unchecked).
_YEAR = "(?:000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
_MONTH_DAY = (
    "(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)"
    "|02-(?:0[1-9]|1[0-9]|2[0-8]))"
)
_LEAP_DAY = "(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)-02-29"
_TIME = "(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:[.][0-9]{1,9})?"
_ZONE = "(?:[Zz]|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
DATE_PATTERN = f"^(?:{_YEAR}-{_MONTH_DAY}|{_LEAP_DAY})(?:[Tt]{_TIME}{_ZONE}?)?$"
DATE_MAX_LENGTH = 40
_DATE = re.compile(DATE_PATTERN)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_iso(value: str, name: str) -> int:
    """A query date (DATE_PATTERN) as epoch ms, within what this API stores; 400 in the documented
    wording when it is not one."""
    text = value or ""
    if not _DATE.fullmatch(text):  # `$` alone would let a final newline through
        raise BadRequest(
            f"Invalid parameter: {name} must be a valid ISO 8601 date",
            details={name: "must be a valid ISO 8601 date"},
        )
    parsed = datetime.fromisoformat(text.upper())  # `t` and `z` too; a fraction to the microsecond
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return min(max(int((parsed - _EPOCH) // timedelta(milliseconds=1)), 0), MAX_TIMESTAMP_MS)


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
