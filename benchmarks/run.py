"""Cold start, warm latency and memory of the generated project, beside its peers, in one run.

    uv run python benchmarks/run.py                  # prints the tables (several minutes)
    uv run python benchmarks/run.py --write-readme   # and puts them in README.md

Every peer serves the same Django app, the generated project's, through the real awslambdaric
and a local Runtime API; gunicorn is timed from spawn to its first HTTP response instead (the
Lambda Web Adapter model). Two references, both apig-wsgi's handler around a
`django-admin startproject` project on SQLite with DEBUG off: the bare one, nothing else added
(its `/` is Django's 404 page, so it is compared on `/admin/login/`), and the like-for-like one,
with the generated app added so that it serves the same `/`. The generated project and the other
peers run the generated settings with a Postgres DATABASE_URL, as deployed (neither page opens a
connection, but the driver is imported at set-up). Cold starts are timed twice: with bytecode
compiled as the image does, and with none (PYTHONPYCACHEPREFIX at an empty directory plus
PYTHONDONTWRITEBYTECODE: every import compiles in memory, as in an image built without .pyc
files on Lambda's read-only disk). Measurements are interleaved across peers to spread noise.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.helpers import (  # noqa: E402
    POSTGRES_URL,
    UV,
    bake,
    find_python,
    free_port,
    project_env,
    run,
)
from tests.lambda_image import LambdaImage, parameters  # noqa: E402
from tests.runtime_api import RuntimeAPI  # noqa: E402

HANDLERS = REPO / "benchmarks" / "handlers"
PEER_PACKAGES = ["gunicorn==27.0.1", "mangum==0.22.0", "serverless-wsgi==3.1.0", "zappa==0.63.0"]
PATHS = ["/", "/admin/login/"]
APP = "my_django_app"
BARE = "bare startproject + apig-wsgi"
LIKE_FOR_LIKE = "startproject + this app + apig-wsgi"
README_START = "<!-- benchmark:start -->"
README_END = "<!-- benchmark:end -->"


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
        Peer("generated project", "config.web_function.handler"),
        Peer(BARE, "stock_apig_wsgi.handler", settings="bare.settings", home_status=404),
        Peer(LIKE_FOR_LIKE, "stock_apig_wsgi.handler", settings="stock.settings"),
        Peer("serverless-wsgi", "serverless_wsgi_handler.handler"),
        Peer("Mangum (Django's ASGI app)", "mangum_handler.handler"),
        Peer("Zappa's handler", "zappa.handler.lambda_handler", event="rest_api_event"),
        Peer("gunicorn boot to first response", ""),
        Peer("trivial handler (the floor)", "trivial.handler"),
    ]


class Bench:
    def __init__(self, work: Path) -> None:
        self.project = bake(work)
        self.env = project_env(find_python("3.13"))
        self.python = str(self.project / ".venv" / "bin" / "python")
        self.events: dict = {}
        self.database_url = POSTGRES_URL
        self.no_pyc_dir = work / "empty-pycache"
        self.no_pyc_dir.mkdir()

    def prepare(self) -> None:
        """Build the generated project as its Dockerfile does; add the peers beside it."""
        run([UV, "lock", "--quiet"], self.project, self.env)
        self.image = LambdaImage(self.project, self.env)
        self.image.build()
        install = [UV, "pip", "install", "--quiet", "--compile-bytecode", "--python", self.python]
        run([*install, *PEER_PACKAGES], self.project, self.env)
        for handler in HANDLERS.glob("*.py"):
            shutil.copy(handler, self.project / handler.name)
        self.make_startproject("bare", with_app=False)
        self.make_startproject("stock", with_app=True)
        modules = ["bare", "stock", *(path.name for path in HANDLERS.glob("*.py"))]
        run([self.python, "-m", "compileall", "-q", *modules], self.project, self.env)
        exec((self.project / "tests" / "events.py").read_text(), self.events)

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
        env = self.image.environment("WebFunction", parameters(self.database_url, hosts))
        env["DJANGO_SETTINGS_MODULE"] = peer.settings
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


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else model
    return f"{model}, {os.cpu_count()} cores, Linux {platform.release()}, Python 3.13"


def ratio(peer: Peer, reference: Peer, key: str) -> float:
    """Median of the per-round ratios: rounds are interleaved, so a round's pair shares the
    machine's state of the moment."""
    return statistics.median(
        a / b for a, b in zip(peer.cold[key], reference.cold[key], strict=True)
    )


def table(peers: list[Peer], cold_starts: int, requests: int) -> str:
    bare = next(peer for peer in peers if peer.name == BARE)
    like = next(peer for peer in peers if peer.name == LIKE_FOR_LIKE)
    lines = [
        f"Measured {date.today().isoformat()} on {machine()}, in one run of "
        "`uv run python benchmarks/run.py`.",
        "",
        f"**Cold start**, process spawn to first response, median of {cold_starts} (ms). The "
        "ratios, with bytecode compiled, are medians of the per-round ratios: to the bare "
        "`startproject` on `/admin/login/` (its `/` is a 404 page), and to the like-for-like "
        "`startproject` with this app on `/`:",
        "",
        "| | `/` compiled | `/admin/login/` compiled | `/` no .pyc | `/admin/login/` no .pyc "
        "| vs bare | vs like for like |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for peer in peers:
        cells = [
            f"{statistics.median(peer.cold[f'{path} {mode}']) * 1000:.0f}"
            for mode in ("compiled", "no-pyc")
            for path in PATHS
        ]
        cells.append(f"{ratio(peer, bare, '/admin/login/ compiled'):.2f}")
        cells.append(f"{ratio(peer, like, '/ compiled'):.2f}")
        lines.append(f"| {peer.name} | {' | '.join(cells)} |")
    lines += [
        "",
        f"**Warm**, `GET /` through the runtime client, median of {requests} after 50 (ms), and "
        "peak RSS after them; adapter overhead is the handler's median minus the bare WSGI "
        "app's on the same request, in-process:",
        "",
        "| | latency | requests/s | adapter overhead | peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    for peer in peers:
        if not peer.warm:
            continue
        warm = peer.warm
        lines.append(
            f"| {peer.name} | {warm['latency'] * 1000:.2f} ms | {warm['rps']:.0f} | "
            f"{warm['overhead'] * 1000:+.3f} ms | {warm['peak_rss_mb']:.0f} MB |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold-starts", type=int, default=10)
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="benchmark-") as work:
        bench = Bench(Path(work))
        print("Building the generated project and the peers...", file=sys.stderr)
        bench.prepare()
        measured = peers()
        for round_number in range(args.cold_starts):
            print(f"Cold starts, round {round_number + 1}/{args.cold_starts}", file=sys.stderr)
            # Every peer's cold start of one kind back to back, so the runs a ratio pairs are
            # seconds apart; the order flips each round so that no peer always goes first.
            order = measured if round_number % 2 == 0 else measured[::-1]
            for compiled in (True, False):
                for path in PATHS:
                    key = f"{path} {'compiled' if compiled else 'no-pyc'}"
                    for peer in order:
                        seconds = bench.cold_start(peer, path, compiled)
                        peer.cold.setdefault(key, []).append(seconds)
        for peer in measured:
            if peer.handler and "trivial" not in peer.name and peer.home_status == 200:
                print(f"Warm: {peer.name}", file=sys.stderr)
                peer.warm = bench.warm(peer, args.requests)
    report = table(measured, args.cold_starts, args.requests)
    print(report)
    if args.write_readme:
        readme = REPO / "README.md"
        text = readme.read_text()
        start, end = text.index(README_START), text.index(README_END)
        readme.write_text(text[: start + len(README_START)] + "\n" + report + "\n" + text[end:])


if __name__ == "__main__":
    main()
