"""A local peer for the Lambda Runtime API, so the real awslambdaric can run here.

It serves what AWS documents under /2018-06-01: `GET /runtime/invocation/next` (the event,
with the Lambda-Runtime-* headers), `POST /runtime/invocation/{id}/response`,
`POST /runtime/invocation/{id}/error` and `POST /runtime/init/error`. A test pushes an event
with `invoke()` and gets the function's answer back.
"""

from __future__ import annotations

import json
import queue
import socket
import subprocess
import threading
import time
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:test-function:live"


@dataclass
class Result:
    """What the function posted for one invocation: a "response" or an "error"."""

    kind: str
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A function process that exits drops its connection: not an error here."""


class RuntimeAPI:
    def __init__(self) -> None:
        self.log_path: Path | None = None  # where the function's output goes, if known
        self.process: subprocess.Popen | None = None  # the function, once started
        self.pending: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.results: dict[str, queue.Queue[Result]] = {}
        self.init_errors: list[Result] = []
        self.asked_for_event = threading.Event()  # the runtime client's first `next`
        self.server = Server(("127.0.0.1", 0), self._handler_class())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def address(self) -> str:
        """The value for AWS_LAMBDA_RUNTIME_API."""
        host, port = self.server.server_address[:2]
        return f"{host}:{port}"

    def __enter__(self) -> RuntimeAPI:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def invoke(self, event: Any, timeout: float = 120) -> Result:
        return self.result(self.push(event), timeout)

    def push(self, event: Any) -> str:
        """Queue an event for the function's next `next`; its request id."""
        request_id = str(uuid.uuid4())
        self.results[request_id] = queue.Queue()
        self.pending.put((request_id, json.dumps(event).encode()))
        return request_id

    def result(self, request_id: str, timeout: float = 120) -> Result:
        """Wait for the function's answer to a pushed event."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                return self.results[request_id].get(timeout=0.1)
            except queue.Empty:
                if self.process is not None and self.process.poll() is not None:
                    raise AssertionError(self._exit_report()) from None
        raise AssertionError(f"no answer to the invocation within {timeout} s")

    def wait_until_ready(self, timeout: float = 60) -> None:
        """Until the runtime client asks for its first event: its init phase is over."""
        deadline = time.monotonic() + timeout
        while not self.asked_for_event.wait(0.1):
            if self.process is not None and self.process.poll() is not None:
                raise AssertionError(self._exit_report())
            if time.monotonic() > deadline:
                raise AssertionError(f"the function did not ask for an event within {timeout} s")

    def _exit_report(self) -> str:
        report = f"the function exited with status {self.process.returncode}"
        if self.init_errors:
            report += f"; its init error: {self.init_errors[-1].body}"
        if self.log_path is not None:
            report += f"\n{self.log_path.read_text()[-3000:]}"
        return report

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # keep-alive, as awslambdaric expects

            def setup(self) -> None:
                super().setup()
                # Without this, delayed ACKs add ~40 ms to every exchange.
                self.request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path != f"{PREFIX}/invocation/next":
                    return self._reply(404, {"errorMessage": f"unknown path {self.path}"})
                api.asked_for_event.set()
                request_id, event = api.pending.get()
                self._reply(
                    200,
                    event,
                    {
                        "Lambda-Runtime-Aws-Request-Id": request_id,
                        "Lambda-Runtime-Deadline-Ms": str(int(time.time() * 1000) + 300_000),
                        "Lambda-Runtime-Invoked-Function-Arn": FUNCTION_ARN,
                        "Lambda-Runtime-Trace-Id": f"Root=1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]};Sampled=0",
                    },
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                headers = {key: value for key, value in self.headers.items()}
                parts = self.path.removeprefix(PREFIX).strip("/").split("/")
                if parts == ["init", "error"]:
                    api.init_errors.append(Result("error", body, headers))
                elif (
                    len(parts) == 3
                    and parts[0] == "invocation"
                    and parts[2] in {"response", "error"}
                ):
                    results = api.results.get(parts[1])
                    if results is None:
                        return self._reply(400, {"errorMessage": f"unknown request {parts[1]}"})
                    results.put(Result(parts[2], body, headers))
                else:
                    return self._reply(404, {"errorMessage": f"unknown path {self.path}"})
                self._reply(202, {"status": "OK"})

            def _reply(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

        return Handler
