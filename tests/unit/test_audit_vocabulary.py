"""Every audit.record call site names an (action, resource) the one mapping of logic/audit.py
spells in the export document's vocabulary (a new call site with a pair missing fails here)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tallyboard.logic import audit

LOGIC = Path(audit.__file__).parent
# Call sites whose action is not a literal: the actions they can take.
COMPUTED = {
    "dashboards/updates.py": {"dashboard.update", "dashboard.delete", "dashboard.restore"},
    "holidays.py": {"holiday.approved", "holiday.declined", "holiday.cancelled"},
}


def _call_sites() -> list[tuple[str, str, str]]:
    sites = []
    for path in sorted(LOGIC.rglob("*.py")):
        name = path.relative_to(LOGIC).as_posix()
        for node in ast.walk(ast.parse(path.read_text())):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and getattr(node.func.value, "id", None) == "audit"
            ):
                continue
            action, resource = node.args[1], node.args[2]
            assert isinstance(resource, ast.Constant), f"{name}:{node.lineno}"
            if isinstance(action, ast.Constant):
                sites.append((name, action.value, resource.value))
            else:
                sites += [(name, action, resource.value) for action in COMPUTED[name]]
    return sites


def test_every_call_site_is_in_the_mapping() -> None:
    sites = _call_sites()

    assert len(sites) > 40
    missing = [site for site in sites if (site[1], site[2]) not in audit.ACTIONS]
    assert missing == []
    assert {resource for _, _, resource in sites} <= set(audit.RESOURCES)


def test_the_mapping_speaks_the_documents_vocabulary() -> None:
    assert audit.vocabulary("dashboard.create", "dashboard") == (
        "dashboard_created",
        "dashboards",
        "dashboardName",
    )
    assert audit.ACTIONS["export.complete", "export"] == "export_completed"  # the document's other example
    for action in audit.ACTIONS.values():
        assert re.fullmatch(r"[a-z]+(_[a-z]+)+", action), action
    assert len(set(audit.ACTIONS.values())) == len(audit.ACTIONS)
    for collection, name_key in audit.RESOURCES.values():
        assert re.fullmatch(r"[a-z_]+s", collection) and re.fullmatch(r"[a-z]+[A-Z][a-z]+", name_key)
