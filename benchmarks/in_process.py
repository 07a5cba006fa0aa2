"""The in-process half of the benchmark: the generated project in a virtualenv on this
machine's Python, every peer run through the real awslambdaric against a local Runtime API.

This is not the image (the image's cold start is measured in benchmarks/images.py): it is where
the peers can run side by side on the same app. The virtualenv is made by the generated
Dockerfile's build stage, its RUN steps carried out in the project's directory; the processes
get the built image's environment (its /app read as the project's directory) and the web
function's from template.yaml.
"""

from __future__ import annotations

import json
import queue
import re
import shlex
import shutil
import socket
import statistics
import subprocess
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.helpers import POSTGRES_URL, UV, free_port, run
from tests.lambda_container import LambdaImage, parameters

HANDLERS = Path(__file__).resolve().parent / "handlers"
PEER_PACKAGES = ["gunicorn==27.0.1", "mangum==0.22.0", "serverless-wsgi==3.1.0", "zappa==0.63.0"]
APP = "my_django_app"
GENERATED = "generated project"
BARE = "bare startproject + apig-wsgi"
LIKE_FOR_LIKE = "startproject + this app + apig-wsgi"
IMAGE_ROOT = "/app"


@dataclass
class Peer:
    name: str
    handler: str  # for awslambdaric; empty for gunicorn
    event: str = "function_url_event"  # the factory in the generated tests/events.py
    settings: str = "config.settings.aws_lambda"
    home_status: int = 200  # what `/` answers
    cold: dict[str, list[float]] = field(default_factory=dict)
    warm: dict[str, float] = field(default_factory=dict)


def peers() -> list[Peer]:
    return [
        Peer(GENERATED, "config.web_function.handler"),
        Peer(BARE, "stock_apig_wsgi.handler", settings="bare.settings", home_status=404),
        Peer(LIKE_FOR_LIKE, "stock_apig_wsgi.handler", settings="stock.settings"),
        Peer("serverless-wsgi", "serverless_wsgi_handler.handler"),
        Peer("Mangum (Django's ASGI app)", "mangum_handler.handler"),
        Peer("Zappa's handler", "zappa.handler.lambda_handler", event="rest_api_event"),
        Peer("gunicorn boot to first response", ""),
        Peer("trivial handler (the floor)", "trivial.handler"),
    ]


def build_stage(dockerfile: str) -> tuple[dict[str, str], list[str]]:
    """The first stage's ENV and RUN steps (but installing uv: the benchmark has its own)."""
    env: dict[str, str] = {}
    steps: list[str] = []
    stages = 0
    for line in re.sub(r"\\\n", " ", dockerfile).splitlines():
        instruction, _, arguments = line.strip().partition(" ")
        if instruction.upper() == "FROM":
            stages += 1
            if stages > 1:
                break
        elif instruction.upper() == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(arguments))
        elif instruction.upper() == "RUN" and not arguments.startswith("pip install"):
            steps.append(arguments)
    return env, steps


class Bench:
    """The generated project's virtualenv beside its peers. `image` is the project's image as
    `sam build` built it; the project's directory must not go into another build after this
    (the peers' files are added to it)."""

    def __init__(self, project: Path, image: LambdaImage, env: dict[str, str]) -> None:
        self.project = project
        self.image = image
        self.env = env  # for uv: the interpreter to use, nothing downloaded
        self.python = str(project / ".venv" / "bin" / "python")
        self.events: dict = {}
        self.no_pyc_dir = project.parent / "empty-pycache"

    def prepare(self) -> None:
        """The virtualenv as the Dockerfile's build stage makes it; the peers beside it."""
        stage_env, steps = build_stage((self.project / "Dockerfile").read_text())
        for step in steps:
            run(["bash", "-c", step], self.project, {**self.env, **stage_env})
        install = [UV, "pip", "install", "--quiet", "--compile-bytecode", "--python", self.python]
        run([*install, *PEER_PACKAGES], self.project, self.env)
        for handler in HANDLERS.glob("*.py"):
            shutil.copy(handler, self.project / handler.name)
        self.make_startproject("bare", with_app=False)
        self.make_startproject("stock", with_app=True)
        modules = ["bare", "stock", *(path.name for path in HANDLERS.glob("*.py"))]
        run([self.python, "-m", "compileall", "-q", *modules], self.project, self.env)
        self.no_pyc_dir.mkdir()
        exec((self.project / "tests" / "events.py").read_text(), self.events)
        exec((HANDLERS / "rest_api_event.py").read_text(), self.events)  # for Zappa's handler
        # The image's own environment, its paths read as the project's.
        self.image_env = {}
        for variable in self.image.config("WebFunction")["Env"]:
            name, _, value = variable.partition("=")
            if name != "PATH":
                self.image_env[name] = value.replace(f"{IMAGE_ROOT}/", f"{self.project}/")
        self.image_env["PATH"] = f"{Path(self.python).parent}:{self.env['PATH']}"

    def make_startproject(self, name: str, with_app: bool) -> None:
        """`django-admin startproject NAME` with DEBUG off; with_app adds the generated app."""
        scratch = self.project / f"{name}-scratch"
        scratch.mkdir()
        run(
            [self.python, "-m", "django", "startproject", name, str(scratch)],
            self.project,
            self.env,
        )
        shutil.move(scratch / name, self.project / name)
        shutil.rmtree(scratch)
        settings = self.project / name / "settings.py"
        settings.write_text(
            settings.read_text()
            .replace("DEBUG = True", "DEBUG = False")
            .replace("ALLOWED_HOSTS = []", "ALLOWED_HOSTS = ['*']")
        )
        if not with_app:
            return
        settings.write_text(
            settings.read_text().replace(
                "'django.contrib.staticfiles',", f"'django.contrib.staticfiles',\n    '{APP}',"
            )
        )
        urls = self.project / name / "urls.py"
        urls.write_text(
            urls.read_text()
            .replace("import path", "import include, path")
            .replace(
                "admin.site.urls),", f"admin.site.urls),\n    path('', include('{APP}.urls')),"
            )
        )

    def environment(self, peer: Peer, compiled: bool) -> dict[str, str]:
        hosts = f"{self.events['FUNCTION_URL_HOST']},{self.events['REST_API_HOST']}"
        env = {
            **self.env,
            **self.image_env,
            **self.image.environment("WebFunction", parameters(POSTGRES_URL, hosts)),
            "DJANGO_SETTINGS_MODULE": peer.settings,
        }
        if not compiled:
            env.update(PYTHONPYCACHEPREFIX=str(self.no_pyc_dir), PYTHONDONTWRITEBYTECODE="1")
        return env

    def event(self, peer: Peer, path: str) -> dict:
        return self.events[peer.event](path=path)

    def spawn(self, peer: Peer, env: dict[str, str], runtime_api: RuntimeAPI) -> subprocess.Popen:
        """The function's process, as the image's ENTRYPOINT starts it, serving runtime_api."""
        process = subprocess.Popen(
            [self.python, "-m", "awslambdaric", peer.handler],
            cwd=self.project,
            env={**env, "AWS_LAMBDA_RUNTIME_API": runtime_api.address},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        runtime_api.process = process
        return process

    def cold_start(self, peer: Peer, path: str, compiled: bool) -> float:
        """Seconds from spawning the process to its first response."""
        env = self.environment(peer, compiled)
        if not peer.handler:
            return self.gunicorn_boot(path, env)
        with RuntimeAPI() as runtime_api:
            request_id = runtime_api.push(self.event(peer, path))
            started = time.perf_counter()
            process = self.spawn(peer, env, runtime_api)
            result = runtime_api.result(request_id, timeout=60)
            elapsed = time.perf_counter() - started
            process.kill()
            process.wait()
        expected = peer.home_status if path == "/" else 200
        assert result.kind == "response" and result.body["statusCode"] == expected, result.body
        return elapsed

    def after_restore(self, peer: Peer, path: str) -> float:
        """Seconds from a SnapStart restore to the first response: the process is started as
        Lambda starts it to take a snapshot, so awslambdaric runs the before-snapshot hooks at
        the end of init and asks for /restore/next; answered, it runs the after-restore hooks
        and serves the event waiting for it. Lambda's own restore of the memory is not in it."""
        env = {**self.environment(peer, True), "AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start"}
        with RuntimeAPI() as runtime_api:
            process = self.spawn(peer, env, runtime_api)
            assert runtime_api.snapshot.wait(60), "the runtime never asked for /restore/next"
            request_id = runtime_api.push(self.event(peer, path))
            started = time.perf_counter()
            runtime_api.restored.set()
            result = runtime_api.result(request_id, timeout=60)
            elapsed = time.perf_counter() - started
            process.kill()
            process.wait()
        assert result.kind == "response" and result.body["statusCode"] == 200, result.body
        return elapsed

    def gunicorn_boot(self, path: str, env: dict[str, str]) -> float:
        port = free_port()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{path}",
            headers={"Host": self.events["FUNCTION_URL_HOST"], "X-Forwarded-Proto": "https"},
        )
        started = time.perf_counter()
        process = subprocess.Popen(
            [
                str(Path(self.python).parent / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
            ],
            cwd=self.project,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            while True:
                try:
                    with urllib.request.urlopen(request, timeout=5) as response:
                        assert response.status == 200
                        return time.perf_counter() - started
                except OSError:
                    if process.poll() is not None:
                        raise RuntimeError("gunicorn exited") from None
                    time.sleep(0.002)
        finally:
            process.kill()
            process.wait()

    def warm(self, peer: Peer, requests: int) -> dict[str, float]:
        """Latency per invocation through the runtime client, throughput, peak RSS."""
        env = self.environment(peer, compiled=True)
        with RuntimeAPI() as runtime_api:
            process = self.spawn(peer, env, runtime_api)
            event = self.event(peer, "/")
            for _ in range(50):
                runtime_api.invoke(event)
            latencies = []
            started = time.perf_counter()
            for _ in range(requests):
                before = time.perf_counter()
                result = runtime_api.invoke(event)
                latencies.append(time.perf_counter() - before)
            total = time.perf_counter() - started
            assert result.body["statusCode"] == 200
            status = Path(f"/proc/{process.pid}/status").read_text()
            peak_kb = int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1))
            process.kill()
            process.wait()
        return {
            "latency": statistics.median(latencies),
            "rps": requests / total,
            "peak_rss_mb": peak_kb / 1024,
            "overhead": self.adapter_overhead(peer),
        }

    def adapter_overhead(self, peer: Peer) -> float:
        """Median seconds per request the handler adds over calling the WSGI app directly."""
        script = ADAPTER_OVERHEAD.format(handler=peer.handler, event=peer.event)
        result = run(
            [self.python, "-c", script], self.project, self.environment(peer, compiled=True)
        )
        return float(result.stdout.strip().splitlines()[-1])


# Runs inside the project's virtualenv: the handler and the bare WSGI app, alternately, on the
# same request; the difference of the medians is what the adapter costs.
ADAPTER_OVERHEAD = """
import importlib, io, statistics, sys, time
from apig_wsgi import get_environ_v2
sys.path.insert(0, ".")
events = {{}}
exec(open("tests/events.py").read(), events)
exec(open("rest_api_event.py").read(), events)
module, _, name = "{handler}".rpartition(".")
handler = getattr(importlib.import_module(module), name)
from django.core.wsgi import get_wsgi_application
application = get_wsgi_application()
event = events["{event}"](path="/")
environ = get_environ_v2(events["function_url_event"](path="/"), None)

def direct():
    request = dict(environ, **{{"wsgi.input": io.BytesIO(b"")}})
    chunks = application(request, lambda status, headers, exc_info=None: None)
    b"".join(chunks)
    getattr(chunks, "close", lambda: None)()

via_handler, via_wsgi = [], []
for _ in range(3000):
    start = time.perf_counter(); handler(event, None); via_handler.append(time.perf_counter() - start)
    start = time.perf_counter(); direct(); via_wsgi.append(time.perf_counter() - start)
print(statistics.median(via_handler[500:]) - statistics.median(via_wsgi[500:]))
"""


# A local peer for the Lambda Runtime API (what AWS documents under /2018-06-01), so that the
# real awslambdaric runs here: the runtime client's `next` gets the pushed event, and its
# response or error comes back to whoever pushed it.
PREFIX = "/2018-06-01/runtime"
FUNCTION_ARN = "arn:aws:lambda:us-east-1:123456789012:function:benchmark:live"


@dataclass
class Result:
    """What the function posted for one invocation: a "response" or an "error"."""

    kind: str
    body: Any


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        """A function process that is killed drops its connection: not an error here."""


class RuntimeAPI:
    def __init__(self) -> None:
        self.process: subprocess.Popen | None = None  # the function, once started
        self.pending: queue.Queue[tuple[str, bytes]] = queue.Queue()
        self.results: dict[str, queue.Queue[Result]] = {}
        # SnapStart: the runtime asked for /restore/next (its init is what Lambda would
        # snapshot), and the answer it waits for.
        self.snapshot = threading.Event()
        self.restored = threading.Event()
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
                    raise AssertionError(
                        f"the function exited with status {self.process.returncode}"
                    ) from None
        raise AssertionError(f"no answer to the invocation within {timeout} s")

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
                if self.path == f"{PREFIX}/restore/next":
                    api.snapshot.set()
                    api.restored.wait()
                    return self._reply(200, {})
                if self.path != f"{PREFIX}/invocation/next":
                    return self._reply(404, {"errorMessage": f"unknown path {self.path}"})
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
                parts = self.path.removeprefix(PREFIX).strip("/").split("/")
                if parts == ["init", "error"]:
                    pass  # the process exits next, which result() reports
                elif (
                    len(parts) == 3
                    and parts[0] == "invocation"
                    and parts[2] in {"response", "error"}
                    and parts[1] in api.results
                ):
                    api.results[parts[1]].put(Result(parts[2], body))
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
