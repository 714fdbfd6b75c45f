"""GET /dashboards/{id}/stream_tiles: the tiles as server-sent events (or text), one per tile."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from tallyboard.auth import Caller
from tallyboard.logic.dashboards.dashboards import (
    public_dashboard,
)
from tallyboard.logic.insights.tiles import CACHE_TTL_SECONDS, compute, visible_dashboard
from tallyboard.models.dashboards.insights import InsightTile
from tallyboard.text_format import render

# Lambda answers a synchronous invoke with at most 6 MB (the proxy envelope included), below API
# Gateway's 10 MB: the event stream stops adding tiles past this many bytes.
MAX_STREAM_BYTES = 5 * 1024 * 1024


def _event(name: str, data: Any, event_id: str | None = None) -> str:
    lines = [f"event: {name}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":"), ensure_ascii=False))
    return "\n".join(lines) + "\n\n"


def stream_events(caller: Caller, dashboard_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(event, data) in order: metadata, one tile per tile, done."""
    caller.require("viewer", "dashboard:read")
    caller.require("viewer", "query:read")
    dashboard, widgets = visible_dashboard(caller, dashboard_id)
    yield (
        "metadata",
        {
            "dashboard": public_dashboard(dashboard).model_dump(mode="json"),
            "tileCount": len(widgets),
            "cacheTtlSeconds": CACHE_TTL_SECONDS,
        },
    )
    tiles = compute(caller, dashboard, widgets, "blocking")
    for tile in tiles:
        yield "tile", InsightTile.model_validate(tile).model_dump(mode="json")


def stream_tiles(caller: Caller, dashboard_id: str) -> str:
    """The text/event-stream body: `metadata`, one `tile` per tile, `done`. Buffered (the Python
    runtime cannot stream a response), and capped at MAX_STREAM_BYTES: past it the remaining
    tiles are named in one `truncated` event (run_insights returns them) before `done`."""
    parts: list[str] = []
    size, sent = 0, 0
    left: list[str] = []
    for name, data in stream_events(caller, dashboard_id):
        event = _event(name, data, data.get("id") if name == "tile" else None)
        if left or (name == "tile" and size + len(event.encode()) > MAX_STREAM_BYTES):
            left.append(data["id"])
            continue
        parts.append(event)
        size += len(event.encode())
        sent += name == "tile"
    if left:
        parts.append(_event("truncated", {"tiles": left, "reason": f"over {MAX_STREAM_BYTES} bytes"}))
    parts.append(_event("done", {"tiles": sent, "truncated": bool(left)}))
    return "".join(parts)


def stream_tiles_text(caller: Caller, dashboard_id: str) -> str:
    """The same events as plain text (format=txt)."""
    events = [{"event": name, **data} for name, data in stream_events(caller, dashboard_id)]
    events.append({"event": "done", "tiles": len(events) - 1, "truncated": False})
    return render(events, 200)
