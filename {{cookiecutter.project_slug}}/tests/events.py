"""Lambda events in the shapes AWS documents (and `sam local generate-event` prints).

Keyword-only factories; each takes the parts a test cares about and fills in the rest.
"""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qsl

REGION = "{{ cookiecutter.aws_region }}"
FUNCTION_URL_HOST = f"a1b2c3d4e5f6g7h8i9j0k1l2m3n4o5p6.lambda-url.{REGION}.on.aws"
HTTP_API_HOST = f"r3pmxmplak.execute-api.{REGION}.amazonaws.com"
REST_API_HOST = f"70ixmpl4fl.execute-api.{REGION}.amazonaws.com"
ALB_HOST = f"lambda-alb-123578498.{REGION}.elb.amazonaws.com"
SOURCE_IP = "198.51.100.7"

Event = dict[str, Any]


def _encode_body(body: str | bytes | None, base64_encoded: bool) -> tuple[str | None, bool]:
    if body is None:
        return None, False
    if isinstance(body, bytes) or base64_encoded:
        raw = body if isinstance(body, bytes) else body.encode()
        return base64.b64encode(raw).decode(), True
    return body, False


def _query_lists(query: str) -> dict[str, list[str]]:
    values: dict[str, list[str]] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(key, []).append(value)
    return values


def function_url_event(
    *,
    method: str = "GET",
    path: str = "/",
    query: str = "",
    headers: dict[str, str] | None = None,
    cookies: list[str] | None = None,
    body: str | bytes | None = None,
    base64_encoded: bool = False,
    host: str = FUNCTION_URL_HOST,
) -> Event:
    """A Lambda Function URL request: payload format 2.0, lowercase headers."""
    encoded_body, is_base64 = _encode_body(body, base64_encoded)
    url_id = host.split(".")[0]
    event: Event = {
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
        "isBase64Encoded": is_base64,
    }
    if query:
        event["queryStringParameters"] = {
            key: ",".join(values) for key, values in _query_lists(query).items()
        }
    if cookies:
        event["cookies"] = cookies
    if encoded_body is not None:
        event["body"] = encoded_body
    return event


def http_api_event(
    *, method: str = "GET", path: str = "/", query: str = "", host: str = HTTP_API_HOST
) -> Event:
    """An API Gateway HTTP API request, payload format 2.0."""
    event = function_url_event(method=method, path=path, query=query, host=host)
    event["routeKey"] = "$default"
    event["requestContext"].update(
        {"accountId": "123456789012", "apiId": host.split(".")[0], "authentication": None}
    )
    event["pathParameters"] = None
    event["stageVariables"] = None
    return event


def rest_api_event(
    *,
    method: str = "GET",
    path: str = "/",
    query: str = "",
    headers: dict[str, str] | None = None,
    host: str = REST_API_HOST,
) -> Event:
    """An API Gateway REST API proxy request, payload format 1.0, with multi-value fields."""
    all_headers = {
        "Host": host,
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "X-Amzn-Trace-Id": "Root=1-5e66d96f-7491f09xmpl79d18acf3d050",
        "X-Forwarded-For": SOURCE_IP,
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
        **(headers or {}),
    }
    multi_query = _query_lists(query)
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {key: [value] for key, value in all_headers.items()},
        "queryStringParameters": {k: v[-1] for k, v in multi_query.items()} or None,
        "multiValueQueryStringParameters": multi_query or None,
        "pathParameters": {"proxy": path.lstrip("/")} if path != "/" else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": host.split(".")[0],
            "domainName": host,
            "domainPrefix": host.split(".")[0],
            "extendedRequestId": "JJbxmHEHoAMFJWQ=",
            "httpMethod": method,
            "identity": {"sourceIp": SOURCE_IP, "userAgent": "Mozilla/5.0 (X11; Linux x86_64)"},
            "path": f"/Prod{path}",
            "protocol": "HTTP/1.1",
            "requestId": "e0e2a6a2-4b0d-4a5c-9b0e-0c8e5f1f7a10",
            "requestTime": "22/Nov/2026:12:00:00 +0000",
            "requestTimeEpoch": 1795348800000,
            "resourceId": "2ae6xmpl",
            "resourcePath": "/{proxy+}",
            "stage": "Prod",
        },
        "body": None,
        "isBase64Encoded": False,
    }


def alb_event(
    *,
    method: str = "GET",
    path: str = "/",
    query: str = "",
    headers: dict[str, str] | None = None,
    host: str = ALB_HOST,
) -> Event:
    """An Application Load Balancer request with multi-value headers turned on."""
    all_headers = {
        "host": host,
        "accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "user-agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "x-amzn-trace-id": "Root=1-5e6723e5-52b3xmpl0e1ad6d8c6a2b8ad",
        "x-forwarded-for": SOURCE_IP,
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        **(headers or {}),
    }
    return {
        "requestContext": {
            "elb": {
                "targetGroupArn": (
                    f"arn:aws:elasticloadbalancing:{REGION}:123456789012:"
                    "targetgroup/lambda-rne2x/6d0ecf831eec9f09"
                )
            }
        },
        "httpMethod": method,
        "path": path,
        "multiValueQueryStringParameters": _query_lists(query),
        "multiValueHeaders": {key: [value] for key, value in all_headers.items()},
        "body": "",
        "isBase64Encoded": False,
    }
