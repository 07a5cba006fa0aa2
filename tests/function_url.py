"""A Function URL on localhost for the web function running in the real image: each HTTP
request becomes the event a Function URL sends (payload 2.0, cookies in their own array, the
body base64-encoded), is invoked through the emulator (tests/lambda_container.py), and the
function's answer becomes the response, with Lambda's 6 MB limits and one invocation at a time.

It speaks plain HTTP, so requests say X-Forwarded-Proto: https and their Origin and Referer say
https://, as if TLS ended in front of Django; browsers accept secure cookies from 127.0.0.1.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.lambda_container import Function

MAX_PAYLOAD = 6 * 1024 * 1024  # Lambda's limit for a synchronous request and response


class FunctionUrl(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, function: Function) -> None:
        super().__init__(("127.0.0.1", 0), Request)
        self.function = function
        self.one_at_a_time = threading.Lock()  # one execution environment


class Request(BaseHTTPRequestHandler):
    server: FunctionUrl

    def do_request(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if len(body) > MAX_PAYLOAD:
            self.send_error(413, "Request body larger than Lambda's 6 MB limit")
            return
        path, _, query = self.path.partition("?")
        headers = {"x-forwarded-proto": "https", "x-forwarded-port": "443"}
        for name, value in self.headers.items():
            name = name.lower()
            if name in {"origin", "referer"}:
                value = value.replace("http://", "https://", 1)
            headers[name] = f"{headers[name]},{value}" if name in headers else value
        http = {
            "method": self.command,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": self.client_address[0],
        }
        event = {
            "version": "2.0",
            "routeKey": "$default",
            "rawPath": path,
            "rawQueryString": query,
            "headers": headers,
            "cookies": [c.strip() for c in headers.get("cookie", "").split(";") if c.strip()],
            "requestContext": {"domainName": headers.get("host", ""), "http": http},
            "body": base64.b64encode(body).decode(),
            "isBase64Encoded": True,
        }
        with self.server.one_at_a_time:
            result = self.server.function.invoke(event)
        if result.kind == "error":  # what a Function URL answers for a function's error
            self.send_error(502, "Internal Server Error", str(result.body))
            return
        response = result.body
        payload = response.get("body", "").encode()
        if response.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        if len(payload) > MAX_PAYLOAD:
            self.send_error(502, "Response larger than Lambda's 6 MB limit")
            return
        self.send_response(response["statusCode"])
        for name, value in response.get("headers", {}).items():
            self.send_header(name, value)
        for cookie in response.get("cookies", []):
            self.send_header("Set-Cookie", cookie.strip())
        self.end_headers()
        if self.command != "HEAD":  # what the Function URL, as any HTTP server, leaves out
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = do_request

    def log_message(self, format: str, *args: object) -> None:
        pass  # pytest shows failures; the emulator's log (Function.logs) shows every request


@contextmanager
def function_url(function: Function) -> Iterator[str]:
    """Serve `function` on a free port of 127.0.0.1; yields the URL, http://127.0.0.1:port."""
    server = FunctionUrl(function)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
