from tallyboard.console.web import create_app, lambda_handler_for

# Built at import, so a warm container reuses it (Mangum, lifespan off: Lambda runs no ASGI lifespan).
lambda_handler = lambda_handler_for(create_app())
