from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from tallyboard.http import install_api_defaults, public_handler
from tallyboard.logic import docs

# No validation: the answer is the built file's text as it is (parsing and re-serializing it would
# cost as much as the answer), and the route reads no input.
app = APIGatewayRestResolver(enable_validation=False)
install_api_defaults(app)

# Deployed, this function's code is the whole functions/ folder, so every handler is here to merge.
FUNCTIONS_ROOT = Path(__file__).resolve().parents[2]


@app.get(
    "/openapi.json",
    summary="The OpenAPI document of every route (no key needed)",
    description="Built once (`make build`, `make run`) and served as a file; this document.",
    tags=["docs"],
)
def get_openapi() -> dict:
    return Response(  # type: ignore[return-value]
        status_code=200,
        content_type=content_types.APPLICATION_JSON,
        body=docs.served_document(FUNCTIONS_ROOT),
    )


lambda_handler = public_handler(app)
