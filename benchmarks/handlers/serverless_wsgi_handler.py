"""serverless-wsgi around the generated project's WSGI application."""

import serverless_wsgi
from django.core.wsgi import get_wsgi_application

application = get_wsgi_application()


def handler(event, context):
    return serverless_wsgi.handle_request(application, event, context)
