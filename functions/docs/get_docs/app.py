from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response, content_types

from tallyboard.http import install_api_defaults, public_handler
from tallyboard.logic import docs

app = APIGatewayRestResolver(enable_validation=True)
install_api_defaults(app)


@app.get(
    "/docs",
    summary="Swagger UI (no key needed)",
    tags=["docs"],
    responses={
        200: {"description": "Swagger UI page", "content": {"text/html": {"schema": {"type": "string"}}}}
    },
)
def get_docs() -> Response[str]:
    html, policy = docs.swagger_page()
    return Response(
        status_code=200,
        content_type=content_types.TEXT_HTML,
        body=html,
        headers={"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff"},
    )


lambda_handler = public_handler(app)
