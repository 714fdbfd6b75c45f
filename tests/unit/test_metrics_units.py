"""Metrics without AWS: date parsing, UTC buckets, rollup maths, validation, chunking."""

from __future__ import annotations

import itertools
import math
import random
import re
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from tallyboard import timeutil
from tallyboard.data.metrics import fold as metric_fold
from tallyboard.data.metrics import keys as metric_keys
from tallyboard.data.metrics import rollups as metric_rollups
from tallyboard.errors import BadRequest
from tallyboard.logic.metrics import natural_aggregation
from tallyboard.models.metrics import CustomMetricBatchRequest, CustomMetricRequest


def ms(*args: int) -> int:
    return int(datetime(*args, tzinfo=UTC).timestamp() * 1000)


# ----------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-01T00:00:00Z", ms(2024, 1, 1)),
        ("2024-01-01T00:00:00z", ms(2024, 1, 1)),
        ("2024-01-01T02:00:00+02:00", ms(2024, 1, 1)),
        ("2023-12-31T19:00:00-05:00", ms(2024, 1, 1)),
        ("2024-01-01T00:00:00", ms(2024, 1, 1)),  # no zone: UTC
        ("2024-01-01", ms(2024, 1, 1)),
        ("2024-01-31T23:59:59.500Z", ms(2024, 1, 31, 23, 59, 59) + 500),
        ("2024-01-31t23:59:59.5z", ms(2024, 1, 31, 23, 59, 59) + 500),
        ("2024-01-31T23:59:59.123456789+00:00", ms(2024, 1, 31, 23, 59, 59) + 123),
        ("2024-02-29", ms(2024, 2, 29)),
        ("2000-02-29T12:00:00Z", ms(2000, 2, 29, 12)),
        # before 1970 or after 2286: the nearest moment stored (no data lies beyond)
        ("0334-12-30", 0),
        ("1970-01-01T00:30:00+01:00", 0),
        ("0001-01-01T00:00:00+23:59", 0),
        ("2286-11-20T17:46:39.999Z", timeutil.MAX_TIMESTAMP_MS),
        ("9999-12-31T23:59:59-23:59", timeutil.MAX_TIMESTAMP_MS),
    ],
)
def test_iso_dates_parse_to_epoch_ms(text: str, expected: int) -> None:
    assert timeutil.parse_iso(text, "startDate") == expected


INVALID_DATES = [
    "",
    "yesterday",
    "2024-13-01",
    "1704067200000",
    "2024-01-01T25:00:00Z",
    "2023-02-29",  # not a leap year
    "1900-02-29",
    "2024-04-31",
    "0000-01-01",
    "2024-01-01T10:00",  # seconds are required
    "2024-01-01 10:00:00Z",
    "2024-01-01T10:00:60Z",
    "2024-01-01T10:00:00+24:00",
    "20240101",
    "2024-W01-1",
    "\u0662\u0660\u0662\u0664-01-01",  # Arabic-Indic digits: Python's \d, not ECMA's
]


@pytest.mark.parametrize("text", INVALID_DATES)
def test_invalid_dates_are_the_documented_400(text: str) -> None:
    with pytest.raises(BadRequest) as raised:
        timeutil.parse_iso(text, "startDate")
    assert raised.value.message == "Invalid parameter: startDate must be a valid ISO 8601 date"


@pytest.mark.parametrize("text", INVALID_DATES)
def test_the_spec_pattern_refuses_what_the_api_refuses(text: str) -> None:
    assert re.fullmatch(timeutil.DATE_PATTERN, text) is None


@given(st.datetimes(timezones=st.just(UTC)), st.sampled_from(["", "Z", "+05:30", "-11:00"]))
def test_the_spec_pattern_accepts_every_date_time_the_api_reads(moment: datetime, zone: str) -> None:
    for text in (moment.date().isoformat(), moment.replace(tzinfo=None).isoformat(timespec="seconds") + zone):
        assert re.fullmatch(timeutil.DATE_PATTERN, text) is not None, text
        assert 0 <= timeutil.parse_iso(text, "startDate") <= timeutil.MAX_TIMESTAMP_MS


@settings(max_examples=300)
@given(st.from_regex(timeutil.DATE_PATTERN, fullmatch=True))
def test_every_string_the_spec_pattern_matches_is_read(text: str) -> None:
    """What a client's generator (schemathesis) draws from the spec's pattern, the API accepts."""
    assert 0 <= timeutil.parse_iso(text, "startDate") <= timeutil.MAX_TIMESTAMP_MS


# ----------------------------------------------------------------------------- buckets


def test_hour_and_day_buckets_are_utc() -> None:
    moment = ms(2024, 3, 10, 13, 45, 12)
    assert timeutil.bucket_start(moment, "hour") == ms(2024, 3, 10, 13)
    assert timeutil.bucket_start(moment, "day") == ms(2024, 3, 10)
    assert timeutil.next_bucket(ms(2024, 3, 10), "day") == ms(2024, 3, 11)


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        ((2024, 1, 1), (2024, 1, 1)),  # a Monday
        ((2024, 1, 7, 23, 59), (2024, 1, 1)),  # Sunday night
        ((2024, 1, 8), (2024, 1, 8)),
        ((2024, 3, 1), (2024, 2, 26)),  # across a month
        ((1970, 1, 1), (1969, 12, 29)),  # epoch was a Thursday
    ],
)
def test_weeks_start_monday(day: tuple[int, ...], monday: tuple[int, ...]) -> None:
    assert timeutil.bucket_start(ms(*day), "week") == ms(*monday)
    assert datetime.fromtimestamp(timeutil.bucket_start(ms(*day), "week") / 1000, UTC).weekday() == 0


def test_month_buckets_follow_the_calendar() -> None:
    assert timeutil.bucket_start(ms(2024, 2, 29, 12), "month") == ms(2024, 2, 1)
    assert timeutil.next_bucket(ms(2024, 2, 1), "month") == ms(2024, 3, 1)
    assert timeutil.next_bucket(ms(2024, 12, 1), "month") == ms(2025, 1, 1)


@pytest.mark.parametrize(
    ("start", "end", "interval", "count"),
    [
        ((2024, 1, 1), (2024, 1, 31, 23, 59, 59), "day", 31),
        ((2024, 1, 1), (2024, 12, 31, 23, 59), "day", 366),
        ((2024, 1, 1), (2024, 1, 31, 23, 59), "hour", 744),
        ((2024, 1, 1), (2024, 12, 31), "month", 12),
        ((2024, 1, 3), (2024, 1, 9), "week", 2),
        ((2024, 1, 1, 10), (2024, 1, 1, 10, 30), "hour", 1),
    ],
)
def test_bucket_count_matches_the_walk(
    start: tuple[int, ...], end: tuple[int, ...], interval: str, count: int
) -> None:
    assert timeutil.bucket_count(ms(*start), ms(*end), interval) == count
    assert len(list(timeutil.buckets(ms(*start), ms(*end), interval))) == count


# ----------------------------------------------------------------------------- rollup maths


def _points(values: list[tuple[int, float]]) -> list[dict]:
    return [
        {"id": f"metric_{i:04d}", "metricId": "m", "timestamp": ts, "value": v}
        for i, (ts, v) in enumerate(values)
    ]


def test_rollup_aggregations() -> None:
    day = ms(2024, 5, 1)
    points = _points([(day + 3_600_000, 10), (day, 4), (day + 7_200_000, 1), (day + 60_000, 5)])
    rollups = metric_rollups.fold_points("ws", "p", points)
    (rollup,) = [r for (pk, _), r in rollups.items() if pk.endswith("#day")]

    assert rollup.value("sum") == 20
    assert rollup.value("count") == 4
    assert rollup.value("avg") == 5
    assert rollup.value("min") == 1
    assert rollup.value("max") == 10
    assert rollup.value("last") == 1  # the latest timestamp, whatever the arrival order


def test_rollups_do_not_depend_on_arrival_order() -> None:
    day = ms(2024, 5, 1)
    points = _points([(day + i * 61_000, float(i % 7) - 2.5) for i in range(200)])
    forward = metric_rollups.fold_points("ws", "p", points)
    backward = metric_rollups.fold_points("ws", "p", list(reversed(points)))
    assert forward.keys() == backward.keys()
    for key, rollup in forward.items():
        other = backward[key]
        assert (rollup.count, rollup.min, rollup.max, rollup.last) == (
            other.count,
            other.min,
            other.max,
            other.last,
        )
        assert math.isclose(rollup.sum, other.sum, abs_tol=1e-9)


def test_a_point_touches_one_bucket_per_interval() -> None:
    keys = metric_rollups.rollup_keys("ws", "p", "m", ms(2024, 1, 3, 5, 6))
    assert [k[0].rsplit("#", 1)[1] for k in keys] == ["hour", "day", "week", "month"]
    assert [int(k[1]) for k in keys] == [ms(2024, 1, 3, 5), ms(2024, 1, 3), ms(2024, 1, 1), ms(2024, 1, 1)]


def test_fold_chunks_fit_one_transaction_and_cover_every_marker() -> None:
    start = ms(2024, 1, 1)
    markers = _points([(start + i * 3_600_000, 1) for i in range(1000)])  # one per hour: many buckets
    chunks = list(metric_fold._fold_chunks("ws", "p", markers))
    assert sum(len(c) for c in chunks) == 1000 and len(chunks) > 1
    for chunk in chunks:
        assert metric_fold._fold_items("ws", "p", chunk) <= metric_keys.MAX_TRANSACTION_ITEMS
    assert list(metric_fold._fold_chunks("ws", "p", list(reversed(markers)))) == chunks  # deterministic


def _span_seconds(sk: str) -> tuple[int, int]:
    """[first, end) seconds of a span sort key `span<level>#<start ms>`."""
    level, start = sk.removeprefix("span").split("#")
    first = int(start) // metric_keys.SPAN_UNIT_MS
    return first, first + metric_keys.SPAN_BASE ** int(level)


@pytest.mark.parametrize("seed", range(4))
def test_spans_tile_any_run_of_seconds_exactly_in_one_batch_get(seed: int) -> None:
    rng = random.Random(seed)
    last = timeutil.MAX_TIMESTAMP_MS // metric_keys.SPAN_UNIT_MS
    century = 100 * 366 * 86_400
    runs = [(0, last + 1), (5, 6), (7, 7), (0, century)]
    runs += [sorted((rng.randrange(last), rng.randrange(last))) for _ in range(50)]
    runs += [(a, a + rng.randrange(century)) for a in (rng.randrange(last - century) for _ in range(50))]
    runs += [(a, a + rng.randrange(5_000)) for a in (rng.randrange(last) for _ in range(50))]
    for first, end in runs:
        keys = metric_keys.tiling_spans(first, end)
        # one BatchGetItem (100 keys) for any range under 136 years; at most 102 keys at all
        assert len(keys) == len(set(keys)) <= (100 if end - first < century else 102)
        covered = sorted(_span_seconds(k) for k in keys)
        assert all(a[1] == b[0] for a, b in itertools.pairwise(covered))  # no gap, no overlap
        assert (covered[0][0], covered[-1][1]) == (first, end) if keys else first == end
        # a point adds to exactly one of these spans when its second is in the run, else to none
        for second in (first - 1, first, (first + end) // 2, end - 1, end):
            if second < 0:
                continue
            mine = {
                sk
                for _, sk in metric_fold._project_count_keys(
                    "ws", "p", second * metric_keys.SPAN_UNIT_MS + 999
                )
            }
            assert len(mine & set(keys)) == (1 if first <= second < end else 0)


# ----------------------------------------------------------------------------- aggregation defaults


@pytest.mark.parametrize(
    ("metric_id", "unit", "expected"),
    [
        ("stripe_mrr", "USD", "last"),
        ("stripe_revenue", "USD", "sum"),
        ("github_commits", "count", "sum"),
        ("signups", None, "sum"),
        ("custom_sales", "USD", "sum"),
        ("team_mrr", "USD", "last"),
        ("active_users", None, "last"),
        ("conversion", "percent", "last"),
    ],
)
def test_natural_aggregation(metric_id: str, unit: str | None, expected: str) -> None:
    assert natural_aggregation(metric_id, unit) == expected


# ----------------------------------------------------------------------------- validation


def _push(**fields: object) -> CustomMetricRequest:
    return CustomMetricRequest.model_validate({"projectId": "proj_1", "metricId": "m", "value": 1, **fields})


@pytest.mark.parametrize(
    "fields",
    [
        {"value": float("nan")},
        {"value": float("inf")},
        {"value": 1e300},
        {"value": "12"},
        {"value": True},
        {"metricId": ""},
        {"metricId": "x" * 129},
        {"metricId": "bad id"},
        {"metricId": "a#b"},
        {"unit": "u" * 33},
        {"timestamp": -1},
        {"timestamp": 10**13},
        {"metadata": {f"k{i}": i for i in range(51)}},
        {"metadata": {"blob": "x" * 9000}},
        {"metadata": {"n": float("inf")}},
        {"metadata": {"a": {"b": {"c": {"d": {"e": {"f": 1}}}}}}},
        {"surprise": 1},
    ],
)
def test_bad_push_bodies_are_refused(fields: dict) -> None:
    with pytest.raises(ValidationError):
        _push(**fields)


def test_good_push_body() -> None:
    request = _push(
        metricId="team.sales:eu-1", value=1234.56, unit="USD", metadata={"tags": ["a", "b"], "n": {"x": 1}}
    )
    assert request.timestamp is None and request.value == 1234.56


def test_batch_validation_names_the_bad_index() -> None:
    points = [{"metricId": "m", "value": i} for i in range(5)]
    points[3]["value"] = float("nan")
    with pytest.raises(ValidationError) as raised:
        CustomMetricBatchRequest.model_validate({"projectId": "p", "points": points})
    assert raised.value.errors()[0]["loc"][:2] == ("points", 3)


def test_batch_size_is_bounded() -> None:
    with pytest.raises(ValidationError):
        CustomMetricBatchRequest.model_validate(
            {"projectId": "p", "points": [{"metricId": "m", "value": 1}] * 1001}
        )
    with pytest.raises(ValidationError):
        CustomMetricBatchRequest.model_validate({"projectId": "p", "points": []})
