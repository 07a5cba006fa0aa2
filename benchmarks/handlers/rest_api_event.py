"""The API Gateway REST API event (payload format 1.0) Zappa's handler reads: the generated
project serves only Function URL events, and its tests/events.py makes only those."""

from __future__ import annotations

from typing import Any

REST_API_HOST = "70ixmpl4fl.execute-api.us-east-1.amazonaws.com"


def rest_api_event(*, path: str = "/") -> dict[str, Any]:
    headers = {
        "Host": REST_API_HOST,
        "Accept": "text/html,application/xhtml+xml,*/*;q=0.8",
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64)",
        "X-Amzn-Trace-Id": "Root=1-5e66d96f-7491f09xmpl79d18acf3d050",
        "X-Forwarded-For": "198.51.100.7",
        "X-Forwarded-Port": "443",
        "X-Forwarded-Proto": "https",
    }
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {key: [value] for key, value in headers.items()},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": {"proxy": path.lstrip("/")} if path != "/" else None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "70ixmpl4fl",
            "domainName": REST_API_HOST,
            "domainPrefix": "70ixmpl4fl",
            "extendedRequestId": "JJbxmHEHoAMFJWQ=",
            "httpMethod": "GET",
            "identity": {"sourceIp": "198.51.100.7", "userAgent": headers["User-Agent"]},
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
