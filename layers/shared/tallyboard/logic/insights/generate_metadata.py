"""POST /dashboards/{id}/generate_metadata: a name and a description from the tiles' metrics."""

from __future__ import annotations

from typing import Any

from tallyboard.auth import Caller
from tallyboard.logic import metrics
from tallyboard.logic.insights.tiles import INSIGHT_TYPES, compute, visible_dashboard
from tallyboard.models.dashboards.insights import GeneratedMetadata, MetadataBasis
from tallyboard.text_format import visible_controls

SERVICE_LABELS = {"github": "GitHub", "stripe": "Stripe", "custom": "Custom"}


def _service_label(service: str) -> str:
    return SERVICE_LABELS.get(service, service[:1].upper() + service[1:])


def _joined(labels: list[str]) -> str:
    if len(labels) <= 3:
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " & " + labels[-1]
    return f"{', '.join(labels[:2])} & {len(labels) - 2} more"


def generate_metadata(caller: Caller, dashboard_id: str) -> GeneratedMetadata:
    """A suggested name and description from the tiles' metrics, services and units; the same
    for the same tiles and metrics; nothing is saved."""
    caller.require("editor", "dashboard:write")
    dashboard, widgets = visible_dashboard(caller, dashboard_id)
    tiles = compute(caller, dashboard, widgets, "blocking")
    insight = [t for t in tiles if t["type"] in INSIGHT_TYPES]
    text_count = len(tiles) - len(insight)
    metrics_seen: dict[str, dict[str, Any]] = {}
    for tile, widget in zip(tiles, widgets, strict=True):
        if tile["type"] not in INSIGHT_TYPES:
            continue
        metric = tile.get("metric")
        metric_id = (metric or {}).get("id") or (widget.get("config") or {}).get("metricId")
        if isinstance(metric_id, str) and metric_id not in metrics_seen:
            known = metrics.KNOWN_METRICS.get(metric_id)
            metrics_seen[metric_id] = metric or {
                "id": metric_id,
                "name": known[0] if known else metric_id,
                "unit": known[1] if known else None,
                "service": known[2] if known else "custom",
            }
    services = list(dict.fromkeys(str(m["service"]) for m in metrics_seen.values()))
    labels = [_service_label(s) for s in services]
    names = [str(m["name"]) for m in metrics_seen.values()]
    if metrics_seen:
        if services == ["custom"]:
            name = f"{names[0]} overview" if len(names) == 1 else "Custom metrics overview"
        else:
            name = f"{_joined(labels)} overview"
        described = [
            f"{m['name']} ({m['unit']})" if m.get("unit") else str(m["name"]) for m in metrics_seen.values()
        ]
        description = (
            f"{len(insight)} insight tile{'s' if len(insight) != 1 else ''} tracking {_joined(described)}"
            f" from {_joined(labels)}."
        )
    elif text_count:
        name, description = "Notes", ""
    else:
        name, description = "Empty dashboard", "A dashboard with no tiles yet."
    if text_count:
        description = f"{description} {text_count} text tile{'s' if text_count != 1 else ''}.".strip()
    if insight and not metrics_seen:
        description = f"{len(insight)} insight tile(s) not yet set to a metric. {description}".strip()
    return GeneratedMetadata(
        # Names and units stored before requests refused control characters are shown, not
        # repeated: the suggestion is text to read, and to send back in PATCH.
        name=visible_controls(name[:200]),
        description=visible_controls(description[:2000]),
        basis=MetadataBasis(
            tiles=len(tiles),
            insightTiles=len(insight),
            textTiles=text_count,
            metrics=list(metrics_seen),
            services=services,
        ),
    )
