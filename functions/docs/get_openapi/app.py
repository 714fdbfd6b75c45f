from pathlib import Path

from aws_lambda_powertools.event_handler import APIGatewayRestResolver

from tallyboard.http import install_api_defaults, public_handler
from tallyboard.logic import docs

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)

# Deployed, this function's code is the whole functions/ folder, so every handler is here to merge.
FUNCTIONS_ROOT = Path(__file__).resolve().parents[2]


@app.get("/openapi.json", summary="The OpenAPI document of every route (no key needed)", tags=["docs"])
def get_openapi() -> dict:
    return docs.openapi_schema(FUNCTIONS_ROOT)


lambda_handler = public_handler(app)
