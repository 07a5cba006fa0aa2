"""The web function's handler: Django's WSGI application behind apig-wsgi.

The image runs `python -m awslambdaric config.web_function.handler`. awslambdaric imports this
module once per execution environment, in Lambda's init phase, so Django is set up before the
first request arrives; every invocation then reuses it. apig-wsgi understands Function URL,
API Gateway (REST v1 and HTTP v2) and ALB events; anything else, or a field of the wrong type,
is refused with InvalidEvent, which Lambda returns to the invoker as the error, and the
function goes on serving.

Around apig-wsgi, this module makes every event a valid WSGI request (PEP 3333):
- text outside ASCII in a path or query string is percent-encoded as UTF-8, as a browser would,
  and header values hold their UTF-8 bytes decoded as Latin-1, so Django decodes them back;
- a v2 event's Cookie header and cookies array are merged, each cookie once;
- REMOTE_ADDR is the address AWS saw connect, never a client-written X-Forwarded-For entry.
"""

from __future__ import annotations

import binascii
import gc
import os
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

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
WSGIApplication = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# Printable ASCII stays as it is in a path or query string (existing %-escapes included).
ASCII_PRINTABLE = "".join(chr(code) for code in range(0x21, 0x7F))
# Environ values apig-wsgi copies from the event's text, besides the HTTP_* headers.
TEXT_ENVIRON_KEYS = {"CONTENT_TYPE", "SERVER_NAME", "QUERY_STRING"}


def is_text(value: object) -> bool:
    return isinstance(value, str)


def is_flag(value: object) -> bool:
    return isinstance(value, bool)


def is_text_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def is_text_map(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(key, str) and isinstance(item, str) for key, item in value.items()
    )


def is_list_map(value: object) -> bool:
    return isinstance(value, dict) and all(
        isinstance(key, str) and is_text_list(item) for key, item in value.items()
    )


Check = Callable[[object], bool]
FORMS: dict[Check, str] = {
    is_text: "a string",
    is_flag: "true or false",
    is_text_list: "a list of strings",
    is_text_map: "an object of strings",
    is_list_map: "an object of lists of strings",
}
# What apig-wsgi reads from each payload format: field -> (its type, required).
FIELDS: dict[str, dict[str, tuple[Check, bool]]] = {
    "2.0": {
        "rawPath": (is_text, True),
        "rawQueryString": (is_text, True),
        "headers": (is_text_map, True),
        "cookies": (is_text_list, False),
        "requestContext.http.method": (is_text, True),
        "requestContext.http.protocol": (is_text, True),
        "requestContext.http.sourceIp": (is_text, True),
        "body": (is_text, False),
        "isBase64Encoded": (is_flag, False),
    },
    "1.0": {
        "httpMethod": (is_text, True),
        "path": (is_text, True),
        "headers": (is_text_map, False),
        "multiValueHeaders": (is_list_map, False),
        "queryStringParameters": (is_text_map, False),
        "multiValueQueryStringParameters": (is_list_map, False),
        "requestContext.identity.sourceIp": (is_text, True),
        "body": (is_text, False),
        "isBase64Encoded": (is_flag, False),
    },
    "alb": {
        "httpMethod": (is_text, True),
        "path": (is_text, True),
        # Without multi-value headers an ALB takes one header per name from the response,
        # and all but one Set-Cookie would be lost (the rotated CSRF cookie after a login).
        "multiValueHeaders": (is_list_map, True),
        "multiValueQueryStringParameters": (is_list_map, False),
        "body": (is_text, False),
        "isBase64Encoded": (is_flag, False),
    },
}
MISSING = object()


class InvalidEvent(ValueError):
    """The event is not an HTTP request from a Function URL, API Gateway or an ALB."""

    def __init__(self, problem: str) -> None:
        super().__init__(f"Not an HTTP event from a Function URL, API Gateway or ALB: {problem}")


def payload_format(event: Event) -> str:
    request_context = event.get("requestContext")
    is_alb = isinstance(request_context, dict) and "elb" in request_context
    return "alb" if is_alb else event.get("version", "1.0")


def field_value(event: Event, field: str) -> object:
    value: object = event
    for key in field.split("."):
        if not isinstance(value, dict) or key not in value:
            return MISSING
        value = value[key]
    return value


def check_event(event: object) -> str:
    """The event's payload format; InvalidEvent unless every field has the right type."""
    if not isinstance(event, dict):
        raise InvalidEvent(f"expected a JSON object, got {type(event).__name__}")
    version = payload_format(event)
    if version not in FIELDS:
        raise InvalidEvent(f"unknown payload version {version!r}")
    for field, (check, required) in FIELDS[version].items():
        value = field_value(event, field)
        if value is MISSING or value is None:
            if required and version == "alb" and field == "multiValueHeaders":
                raise InvalidEvent(
                    "an ALB event without multiValueHeaders: turn on multi-value headers "
                    "on the target group (lambda.multi_value_headers.enabled)"
                )
            if required:
                raise InvalidEvent(f"a {version} event needs {field}")
        elif not check(value):
            raise InvalidEvent(f"{field} must be {FORMS[check]}, got {type(value).__name__}")
    return version


def without_surrogates(value: Any) -> Any:
    """The event with lone surrogates (JSON allows them, UTF-8 does not) replaced by U+FFFD."""
    if isinstance(value, str):
        if value.isascii():
            return value
        try:
            value.encode()
        except UnicodeEncodeError:
            return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
        return value
    if isinstance(value, dict):
        return {key: without_surrogates(item) for key, item in value.items()}
    if isinstance(value, list):
        return [without_surrogates(item) for item in value]
    return value


def as_uri(text: str) -> str:
    """Non-ASCII characters percent-encoded as UTF-8, the rest as it was."""
    return text if text.isascii() else quote(text, safe=ASCII_PRINTABLE)


def with_merged_cookies(event: Event) -> Event:
    """A v2 event's Cookie header folded into its cookies array, each cookie once.

    Function URLs can send both; apig-wsgi would join them and Django would see a cookie
    twice. A cookie only in the header is kept.
    """
    headers = event["headers"]
    header_names = [name for name in headers if name.lower() == "cookie"]
    if not event.get("cookies") or not header_names:
        return event
    cookies = list(event["cookies"])
    for name in header_names:
        for cookie in headers[name].split(";"):
            cookie = cookie.strip()
            if cookie and cookie not in cookies:
                cookies.append(cookie)
    kept = {name: value for name, value in headers.items() if name not in header_names}
    return {**event, "cookies": cookies, "headers": kept}


def normalized(event: Event, version: str) -> Event:
    event = without_surrogates(event)
    if event.get("isBase64Encoded") and not (event.get("body") or "").isascii():
        raise InvalidEvent("isBase64Encoded is true but the body is not base64")
    if version == "2.0":
        event = {
            **with_merged_cookies(event),
            "rawPath": as_uri(event["rawPath"]),
            "rawQueryString": as_uri(event["rawQueryString"]),
        }
    else:
        event = {**event, "path": as_uri(event["path"])}
    return event


def client_address(event: Event) -> str | None:
    """The address AWS saw connect; None where apig-wsgi already uses it (v2)."""
    version = payload_format(event)
    if version == "1.0":
        return event["requestContext"]["identity"]["sourceIp"]
    if version == "alb":
        # The ALB appends the address it saw to whatever X-Forwarded-For the client sent.
        for name, values in event["multiValueHeaders"].items():
            if name.lower() == "x-forwarded-for" and values:
                return values[-1].split(",")[-1].strip()
    return None


def as_pep3333(application: WSGIApplication) -> WSGIApplication:
    """Header text as WSGI has it (UTF-8 bytes read as Latin-1), and the real client address."""

    def wsgi_application(environ: dict[str, Any], start_response: Callable[..., Any]):
        for key, value in list(environ.items()):
            if (
                (key.startswith("HTTP_") or key in TEXT_ENVIRON_KEYS)
                and isinstance(value, str)
                and not value.isascii()
            ):
                environ[key] = value.encode().decode("latin-1")
        address = client_address(environ["apig_wsgi.full_event"])
        if address:
            environ["REMOTE_ADDR"] = address
        return application(environ, start_response)

    return wsgi_application


def make_handler(application: WSGIHandler) -> Handler:
    # Base64-encode binary responses for every event type. apig-wsgi already does for v2
    # and ALB; a REST API (v1) also needs BinaryMediaTypes "*/*" to decode them.
    apig_handler = make_lambda_handler(as_pep3333(application), binary_support=True)

    def handler(event: Event, context: Any) -> dict[str, Any]:
        version = check_event(event)
        try:
            response = apig_handler(normalized(event, version), context)
        except binascii.Error as error:  # only decoding a base64 body raises it
            raise InvalidEvent(
                f"isBase64Encoded is true but the body is not base64 ({error})"
            ) from error
        # A server sends no body for HEAD (Django leaves that to the server); the headers,
        # Content-Length included, stay those GET would send.
        method_field = "requestContext.http.method" if version == "2.0" else "httpMethod"
        if field_value(event, method_field) == "HEAD":
            response["body"] = ""
            response["isBase64Encoded"] = False
        return response

    return handler


handler = make_handler(get_wsgi_application())
# What start-up made stays for good: frozen, later collections need not look at it again.
gc.freeze()
gc.enable()
