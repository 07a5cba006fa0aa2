"""The Lambda handler: Django's WSGI application behind apig-wsgi.

The image runs `python -m awslambdaric config.aws_lambda.handler`. awslambdaric imports this
module once per execution environment, in Lambda's init phase, so Django is set up before the
first request arrives; every invocation then reuses it. apig-wsgi understands Function URL,
API Gateway (REST v1 and HTTP v2) and ALB events; anything else is refused with InvalidEvent,
which Lambda returns to the invoker as the error, and the function goes on serving.
"""

from __future__ import annotations

import binascii
import gc
import os
from collections.abc import Callable
from typing import Any

# Importing and setting up Django allocates tens of thousands of objects that live as long as
# the process: the cyclic garbage collector would run some fifty times over them during a cold
# start, freeing nothing. It is paused until the handler is built, at the end of this module.
gc.disable()

from apig_wsgi import make_lambda_handler  # noqa: E402
from django.core.handlers.wsgi import WSGIHandler  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.aws_lambda")

Event = dict[str, Any]
Handler = Callable[[Event, Any], dict[str, Any]]

# The fields apig-wsgi reads from each payload format.
REQUIRED_FIELDS = {
    "2.0": [
        "rawPath",
        "rawQueryString",
        "headers",
        "requestContext.http.method",
        "requestContext.http.protocol",
        "requestContext.http.sourceIp",
    ],
    "1.0": ["httpMethod", "path"],
    "alb": ["httpMethod", "path"],
}


class InvalidEvent(ValueError):
    """The event is not an HTTP request from a Function URL, API Gateway or an ALB."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"Not an HTTP event from a Function URL, API Gateway or ALB: {problem}")


def check_event(event: object) -> None:
    if not isinstance(event, dict):
        raise InvalidEvent(f"expected a JSON object, got {type(event).__name__}")
    request_context = event.get("requestContext")
    is_alb = isinstance(request_context, dict) and "elb" in request_context
    version = "alb" if is_alb else event.get("version", "1.0")
    if version not in REQUIRED_FIELDS:
        raise InvalidEvent(f"unknown payload version {version!r}")
    for field in REQUIRED_FIELDS[version]:
        value: object = event
        for key in field.split("."):
            if not isinstance(value, dict) or key not in value:
                raise InvalidEvent(f"a {version} event needs {field}")
            value = value[key]


def without_duplicate_cookies(event: Event) -> Event:
    """Drop a v2 event's Cookie header when its cookies array carries the cookies too.

    Function URLs can send both; apig-wsgi joins them, and Django would see every cookie
    twice. The cookies array is the documented one for v2 events.
    """
    headers = event.get("headers") or {}
    if event.get("version") != "2.0" or not event.get("cookies"):
        return event
    kept = {name: value for name, value in headers.items() if name.lower() != "cookie"}
    if len(kept) == len(headers):
        return event
    return {**event, "headers": kept}


def make_handler(application: WSGIHandler) -> Handler:
    # Base64-encode binary responses for every event type. apig-wsgi already does for v2
    # and ALB; a REST API (v1) also needs BinaryMediaTypes "*/*" to decode them.
    apig_handler = make_lambda_handler(application, binary_support=True)

    def handler(event: Event, context: Any) -> dict[str, Any]:
        check_event(event)
        try:
            return apig_handler(without_duplicate_cookies(event), context)
        except binascii.Error as error:  # only decoding a base64 body raises it
            raise InvalidEvent(
                f"isBase64Encoded is true but the body is not base64 ({error})"
            ) from error

    return handler


handler = make_handler(get_wsgi_application())
# What start-up made stays for good: frozen, later collections need not look at it again.
gc.freeze()
gc.enable()
