"""EventBridge Scheduler target: start a project's scheduled export."""

from typing import Any

from tallyboard.logic import export_schedules
from tallyboard.observability import logger


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return export_schedules.run(event)
