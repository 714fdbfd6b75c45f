"""DynamoDB stream consumer: folds pushed points' pending markers into rollups and counts."""

from typing import Any

from tallyboard.logic import metrics
from tallyboard.observability import logger


@logger.inject_lambda_context
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return metrics.aggregate(event)
