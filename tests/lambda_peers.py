"""STAND-IN for the AWS APIs the functions call of each other, since no AWS can be reached
here (and moto's Lambda cannot run an image): Lambda's Invoke, passed on to a function running
under the Runtime Interface Emulator (its answer, marked with X-Amz-Function-Error when the
function failed, as Lambda marks it; an asynchronous one answered 202 at once and passed on in
the background, its answer recorded, where Lambda would queue, retry and dead-letter it), and
CodeDeploy's PutLifecycleEventHookExecutionStatus, recorded.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote
from urllib.request import Request, urlopen

INVOKE_PREFIX = "/2015-03-31/functions/"
# What boto3 needs to sign a request to the stand-in, which checks no signature.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
REPORT_TARGET = "CodeDeploy_20141006.PutLifecycleEventHookExecutionStatus"


def is_error(answer: object) -> bool:
    """The emulator answers a function's error with 200, as it does a response: the runtime's
    errorType and errorMessage tell them apart."""
    return isinstance(answer, dict) and {"errorType", "errorMessage"} <= answer.keys()


class LambdaPeers(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int], functions: dict[str, str]) -> None:
        super().__init__(address, Handler)
        self.functions = functions  # function name: its emulator's invocations URL
        self.reports: list[dict] = []
        self.answered: list[object] = []  # each asynchronous invocation's answer, once it came
        self.async_done = threading.Condition()

    def run_async(self, request: Request) -> None:
        with urlopen(request, timeout=900) as response:
            answer = json.loads(response.read() or b"null")
        with self.async_done:
            self.answered.append(answer)
            self.async_done.notify_all()

    def wait_for_answers(self, count: int, timeout: float = 120) -> list[object]:
        with self.async_done:
            assert self.async_done.wait_for(lambda: len(self.answered) >= count, timeout)
            return list(self.answered)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


class Handler(BaseHTTPRequestHandler):
    server: LambdaPeers

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith(INVOKE_PREFIX) and self.path.endswith("/invocations"):
            name = unquote(self.path.removeprefix(INVOKE_PREFIX).split("/")[0])
            request = Request(self.server.functions[name], data=body, method="POST")
            if self.headers.get("X-Amz-Invocation-Type") == "Event":
                threading.Thread(target=self.server.run_async, args=[request]).start()
                self.reply(b"", status=202)
                return
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

    def reply(self, body: bytes, headers: dict[str, str] | None = None, status: int = 200) -> None:
        self.send_response(status)
        for name, value in {"Content-Type": "application/json", **(headers or {})}.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextmanager
def serving(functions: dict[str, str]) -> Iterator[LambdaPeers]:
    """The stand-in on a free port; `functions` maps a function's name to its emulator's URL."""
    peers = LambdaPeers(("127.0.0.1", 0), functions)
    threading.Thread(target=peers.serve_forever, daemon=True).start()
    try:
        yield peers
    finally:
        peers.shutdown()
        peers.server_close()
