"""A known path's undeclared method (TRACE, PUT on a GET-only path, …): 405 with `Allow`. Bound
with `Method: any` to every path of the route table by the deployable template
(tallyboard_local/template.py `deployable`); API Gateway sends a path's declared methods to their
own functions, so only the undeclared ones arrive here."""

from pathlib import Path

from tallyboard.http import method_not_allowed_handler

# Deployed, this function's code is the whole functions/ folder: the Allow list is the OpenAPI
# document's methods for the path, merged from every handler as /openapi.json is.
FUNCTIONS_ROOT = Path(__file__).resolve().parents[2]

lambda_handler = method_not_allowed_handler(FUNCTIONS_ROOT)
