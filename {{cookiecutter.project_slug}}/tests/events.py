"""Function URL requests as Lambda delivers them: payload format 2.0, lowercase headers."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import urlencode

REGION = "{{ cookiecutter.aws_region }}"
FUNCTION_URL_HOST = f"a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.{REGION}.on.aws"
SOURCE_IP = "198.51.100.7"


def function_url_event(
    *,
    method: str = "GET",
    path: str = "/",
    query: str = "",
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    body: str | bytes | None = None,
    host: str = FUNCTION_URL_HOST,
) -> dict[str, Any]:
    """A bytes body arrives base64-encoded, as a Function URL sends a binary one."""
    url_id = host.split(".")[0]
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "host": host,
            "accept": "text/html,application/xhtml+xml,*/*;q=0.8",
            "user-agent": "Mozilla/5.0 (X11; Linux x86_64)",
            "x-amzn-trace-id": "Root=1-5e6722a7-cc56xmpl46db7ae02d4da47e",
            "x-forwarded-for": SOURCE_IP,
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https",
            **(headers or {}),
        },
        "requestContext": {
            "accountId": "anonymous",
            "apiId": url_id,
            "domainName": host,
            "domainPrefix": url_id,
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": SOURCE_IP,
                "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
            },
            "requestId": "b1e4c4a5-7a0c-4a1d-9a1b-6a8e0e6f2c11",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795348800000,
        },
        "isBase64Encoded": isinstance(body, bytes),
    }
    if cookies:
        event["cookies"] = cookies
    if isinstance(body, bytes):
        event["body"] = base64.b64encode(body).decode()
    elif body is not None:
        event["body"] = body
    return event


def form_post(*, path: str, fields: dict[str, str], csrf_cookie: str) -> dict[str, Any]:
    """A browser posting a form back to the Function URL it came from, with Django's CSRF cookie
    in both places a Function URL puts cookies: the cookies array and the Cookie header."""
    cookie = f"csrftoken={csrf_cookie}"
    return function_url_event(
        method="POST",
        path=path,
        headers={
            "content-type": "application/x-www-form-urlencoded",
            "origin": f"https://{FUNCTION_URL_HOST}",
            "cookie": cookie,
        },
        cookies=[cookie],
        body=urlencode(fields),
    )
