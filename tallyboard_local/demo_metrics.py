"""Demo metrics for the local server: four months of realistic daily figures, written through
the real write path (points, rollups, catalog), so list and time series answer at once.

  stripe_mrr       gauge, USD   (stripe, conn_demo_stripe)  — read as `last`
  stripe_revenue   counter, USD (stripe, conn_demo_stripe)  — read as `sum`
  github_commits   counter      (github, conn_demo_github)  — read as `sum`
  signups          counter      (custom)                    — read as `sum`
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

from tallyboard.logic import metrics

DAYS = 120
STRIPE = {"service": "stripe", "connectionId": "conn_demo_stripe"}
GITHUB = {"service": "github", "connectionId": "conn_demo_github"}
REPOSITORIES = ["web-app", "api", "infra"]


def points(today: datetime | None = None, days: int = DAYS) -> list[dict[str, Any]]:
    """The demo points, deterministic for a given day (one point per metric and day)."""
    rng = random.Random(20240101)
    today = (today or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    mrr, subscriptions = 12_000.0, 120
    found: list[dict[str, Any]] = []
    for offset in range(days, 0, -1):
        day = today - timedelta(days=offset)
        ts = int(day.timestamp() * 1000)
        weekend = day.weekday() >= 5
        new_subscriptions = rng.randint(0, 3)
        churned = rng.randint(0, 1)
        subscriptions += new_subscriptions - churned
        mrr = round(mrr + (new_subscriptions - churned) * 100 + rng.uniform(-20, 40), 2)
        revenue = round(mrr / 30 * rng.uniform(0.6, 1.5), 2)
        commits = rng.randint(0, 6) if weekend else rng.randint(8, 42)
        signups = rng.randint(2, 9) if weekend else rng.randint(10, 35)
        found += [
            {
                "metricId": "stripe_mrr",
                "value": mrr,
                "timestamp": ts,
                "unit": "USD",
                "metadata": {"currency": "USD", "subscriptionCount": subscriptions},
                **STRIPE,
            },
            {
                "metricId": "stripe_revenue",
                "value": revenue,
                "timestamp": ts,
                "unit": "USD",
                "metadata": {"currency": "USD"},
                **STRIPE,
            },
            {
                "metricId": "github_commits",
                "value": commits,
                "timestamp": ts,
                "unit": "count",
                "metadata": {"repositories": rng.sample(REPOSITORIES, rng.randint(1, 3))},
                **GITHUB,
            },
            {
                "metricId": "signups",
                "metricName": "Signups",
                "value": signups,
                "timestamp": ts,
                "unit": "count",
                "metadata": {"source": "website"},
                "service": "custom",
            },
        ]
    return found


def seed(workspace_id: str, project_id: str) -> None:
    """Load the demo metrics into a project (retention: unlimited, as on the demo's plan)."""
    metrics.record_points(workspace_id, project_id, points())
