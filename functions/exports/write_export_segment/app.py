"""Export workflow step: write segment (statemachines/export.asl.json)."""

from typing import Any

from tallyboard.logic import export_workflow
from tallyboard.observability import logger


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return export_workflow.write_segment(event)
