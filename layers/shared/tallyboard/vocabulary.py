"""The contract's fixed values that more than the models need, in a module without pydantic: the
console imports them, and its cold start must not load the request models to do so."""

from __future__ import annotations

# The largest page a list answers (a larger `limit` is a 400).
MAX_PAGE_LIMIT = 100

LEAD_STATUSES = (
    "First Contact Made",
    "Proposal Wanted",
    "Proposal Sent",
    "Chaser",
    "Needs Closing",
    "Closed",
    "Dead Leads",
    "No Response",
)

HOLIDAY_TYPES = ("annual", "sick", "unpaid", "other")
