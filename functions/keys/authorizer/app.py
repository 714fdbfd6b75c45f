"""Lambda TOKEN authorizer: Bearer key → workspace, user, role, scopes, plan, bound projects."""

from typing import Any

from tallyboard.errors import Unauthorized
from tallyboard.logic.authorizer import authorizer_response
from tallyboard.observability import logger


@logger.inject_lambda_context(log_event=False)  # the event is the key itself
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        return authorizer_response(event)
    except Unauthorized:
        # API Gateway answers 401 (body from the template's UNAUTHORIZED gateway response).
        raise Exception("Unauthorized") from None
