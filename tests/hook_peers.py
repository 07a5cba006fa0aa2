"""STAND-IN for the two AWS APIs the PreTraffic hook calls, since no AWS can be reached here:
Lambda's Invoke, passed on to a function running under the Runtime Interface Emulator (its
answer, marked with X-Amz-Function-Error when the function failed, as Lambda marks it), and
CodeDeploy's PutLifecycleEventHookExecutionStatus, recorded.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.request import Request, urlopen

INVOKE_PREFIX = "/2015-03-31/functions/"
REPORT_TARGET = "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"


def is_error(answer: object) -> bool:
    """The emulator answers a function's error with 200, as it does a response: the runtime's
    errorType and errorMessage tell them apart."""
    return isinstance(answer, dict) and {"errorType", "errorMessage"} <= answer.keys()


class HookPeers(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], functions: dict[str, str]) -> None:
        super().__init__(address, Handler)
        self.functions = functions  # function name: its emulator's invocations URL
        self.reports: list[dict] = []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    server: HookPeers

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith(INVOKE_PREFIX) and self.path.endswith("/invocations"):
            name = self.path.removeprefix(INVOKE_PREFIX).split("/")[0]
            request = Request(self.server.functions[name], data=body, method="POST")
            with urlopen(request, timeout=900) as response:
                answer = response.read()
            failed = is_error(json.loads(answer or b"null"))
            self.reply(answer, {"X-Amz-Function-Error": "Unhandled"} if failed else {})
        elif self.headers.get("X-Amz-Target") == REPORT_TARGET:
            report = json.loads(body)
            self.server.reports.append(report)
            self.reply(json.dumps({"lifecycleEventHookExecutionId": "recorded"}).encode())
        else:
            self.send_error(404, f"not an API this stand-in serves: {self.path}")

    def reply(self, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(200)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass
