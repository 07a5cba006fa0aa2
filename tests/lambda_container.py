"""The generated image, built by `sam build` with the real Docker engine, and each function run
in it as Lambda runs it.

A function runs under AWS's Runtime Interface Emulator (the one inside the SAM CLI wheel) in a
container with Lambda's sandbox: a read-only root with only /tmp writable, a uid/gid that is
not the image's (993, as Lambda's), the function's MemorySize as its memory limit, its Timeout,
template.yaml's environment and ImageConfig. The container shares the host's network, so the
tests' Postgres and PgBouncer at 127.0.0.1 are the function's database.
"""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.error import URLError
from urllib.request import Request, urlopen

import yaml

from tests.helpers import free_port, function_environment, load_sam_template, unavailable
from tests.lambda_peers import is_error
from tests.postgres import fresh_database

LAMBDA_UID = "993:993"
INVOCATIONS = "/2015-03-31/functions/function/invocations"


def docker_available() -> None:
    result = subprocess.run(["docker", "info"], capture_output=True, check=False)
    if result.returncode != 0:
        unavailable("no Docker engine (docker info failed)")


def emulator(sam: str, arch: str) -> Path:
    """The Runtime Interface Emulator that `sam local` puts in the image, from its wheel."""
    venv = Path(sam).resolve().parent.parent
    (rie,) = venv.glob(f"lib/python*/site-packages/samcli/local/rapid/aws-lambda-rie-{arch}")
    return rie


@dataclass
class Result:
    """What the function answered one invocation: a "response", or an "error"."""

    kind: str
    body: Any


def sam_build(project: Path, sam: str) -> None:
    """`sam build` as a user runs it: every image function's image from template.yaml."""
    result = subprocess.run(
        [sam, "build"], cwd=project, capture_output=True, text=True, timeout=1200, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]


class LambdaImage:
    """The images `sam build` left for a project, and the project's template.yaml."""

    def __init__(self, project: Path, sam: str, arch: str = "x86_64") -> None:
        self.project = project
        self.arch = arch
        self.rie = emulator(sam, arch)
        self.template = load_sam_template(project)
        built = yaml.safe_load((project / ".aws-sam" / "build" / "template.yaml").read_text())
        self.images = {
            name: resource["Properties"]["ImageUri"]
            for name, resource in built["Resources"].items()
            if resource["Properties"].get("PackageType") == "Image"
        }

    def image(self, function: str) -> str:
        return self.images[function]

    def config(self, function: str) -> dict[str, Any]:
        """The image's own config (docker inspect)."""
        result = subprocess.run(
            ["docker", "image", "inspect", self.image(function)],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(result.stdout)[0]["Config"]

    def setting(self, function: str, name: str) -> Any:
        """A function property, or its Globals default."""
        properties = self.template["Resources"][function]["Properties"]
        return properties.get(name, self.template.get("Globals", {}).get("Function", {}).get(name))

    def command(self, function: str) -> list[str]:
        """ENTRYPOINT + CMD, with template.yaml's ImageConfig overrides, as Lambda runs them."""
        config = self.config(function)
        image_config = self.setting(function, "ImageConfig") or {}
        return image_config.get("EntryPoint", config["Entrypoint"]) + image_config.get(
            "Command", config["Cmd"]
        )

    def environment(self, function: str, parameters: dict[str, str]) -> dict[str, str]:
        return {
            **function_environment(self.template, function, parameters),
            "AWS_REGION": "us-east-1",  # Lambda sets these itself
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_LAMBDA_FUNCTION_NAME": function,
        }

    def sandbox(self, function: str, env: dict[str, str]) -> list[str]:
        """`docker run` options for Lambda's sandbox, and the environment."""
        options = [
            "--read-only",
            "--tmpfs=/tmp",
            f"--user={LAMBDA_UID}",
            f"--memory={self.setting(function, 'MemorySize')}m",
            f"--platform=linux/{'amd64' if self.arch == 'x86_64' else 'arm64'}",
        ]
        for name, value in env.items():
            options += ["--env", f"{name}={value}"]
        return options

    def run(
        self,
        function: str,
        args: list[str],
        env: dict[str, str],
        check: bool = True,
        timeout: float = 300,
    ) -> subprocess.CompletedProcess[str]:
        """A command in `function`'s image and sandbox, as `docker run --entrypoint` does."""
        result = subprocess.run(
            [
                "docker",
                "run",
                "--rm",
                "--network=host",
                *self.sandbox(function, env),
                "--entrypoint",
                args[0],
                self.image(function),
                *args[1:],
            ],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check:
            assert result.returncode == 0, (
                f"{args} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
            )
        return result

    def read(self, function: str, path: str) -> bytes:
        """A file's bytes as the image holds it."""
        return subprocess.run(
            ["docker", "run", "--rm", "--entrypoint", "cat", self.image(function), path],
            capture_output=True,
            check=True,
        ).stdout

    def derived(self, *instructions: str, files: dict[str, str] | None = None) -> LambdaImage:
        """The same image with `files` (path under /app: text) and then Dockerfile
        `instructions` added, as another build of the project would make it."""
        tag = f"lambda-test-{uuid.uuid4().hex[:12]}"
        with tempfile.TemporaryDirectory() as context:
            lines = [f"FROM {self.image('WebFunction')}"]
            for index, (path, text) in enumerate((files or {}).items()):
                Path(context, str(index)).write_text(text)
                lines.append(f"COPY {index} /app/{path}")
            Path(context, "Dockerfile").write_text("\n".join([*lines, *instructions]) + "\n")
            subprocess.run(
                ["docker", "build", "--quiet", "--tag", tag, context],
                capture_output=True,
                check=True,
            )
        derived = object.__new__(LambdaImage)
        derived.__dict__.update(self.__dict__, images=dict.fromkeys(self.images, tag))
        return derived

    @contextmanager
    def start(
        self,
        function: str,
        parameters: dict[str, str],
        extra_env: dict[str, str] | None = None,
    ) -> Iterator[Function]:
        """`function` in its sandbox under the emulator; yields it, ready for invocations."""
        env = {
            **self.environment(function, parameters),
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(self.setting(function, "MemorySize")),
            "AWS_LAMBDA_FUNCTION_TIMEOUT": str(self.setting(function, "Timeout")),
            **(extra_env or {}),
        }
        port = free_port()
        name = f"lambda-test-{function.lower()}-{uuid.uuid4().hex[:8]}"
        subprocess.run(
            [
                "docker",
                "run",
                "--detach",
                "--name",
                name,
                "--network=host",
                *self.sandbox(function, env),
                "--volume",
                f"{self.rie}:/aws-lambda-rie:ro",
                "--entrypoint",
                "/aws-lambda-rie",
                self.image(function),
                f"--runtime-interface-emulator-address=127.0.0.1:{port}",
                f"--runtime-api-address=127.0.0.1:{free_port()}",
                *self.command(function),
            ],
            capture_output=True,
            check=True,
        )
        running = Function(name, f"http://127.0.0.1:{port}{INVOCATIONS}")
        try:
            running.wait_for_emulator()
            yield running
        finally:
            running.stop()


def without_stdlib_bytecode(image: LambdaImage) -> LambdaImage:
    """The same image with the standard library's bytecode deleted again, as the official
    base image ships it: the image before the Dockerfile compiled it."""
    stdlib = "$(python -c 'import sysconfig; print(sysconfig.get_path(\"stdlib\"))')"
    return image.derived(f"RUN find {stdlib} -name __pycache__ -prune -exec rm -r {{}} +")


@dataclass
class Function:
    """One function's container: one execution environment, invoked through the emulator."""

    container: str
    url: str
    pool: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(4))

    def wait_for_emulator(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                urlopen(Request(self.url.replace(INVOCATIONS, "/"), method="GET"), timeout=1)
            except URLError as error:
                if not isinstance(getattr(error, "reason", None), ConnectionRefusedError):
                    return  # it answers (with an HTTP error for this path)
            except OSError:
                pass
            if not self.running():
                raise AssertionError(f"the container exited:\n{self.logs()[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"the emulator did not answer within {timeout} s")

    def invoke(self, event: Any, timeout: float = 120) -> Result:
        return self.result(self.push(event), timeout)

    def push(self, event: Any) -> Future[Result]:
        """Send an invocation without waiting for its answer."""
        return self.pool.submit(self._invoke, json.dumps(event).encode())

    def result(self, pushed: Future[Result], timeout: float = 120) -> Result:
        try:
            return pushed.result(timeout)
        except Exception as error:
            raise AssertionError(f"{error!r}\n{self.logs()[-3000:]}") from error

    def _invoke(self, payload: bytes) -> Result:
        request = Request(self.url, data=payload, method="POST")
        with urlopen(request, timeout=900) as response:
            body = json.loads(response.read() or b"null")
        return Result("error" if is_error(body) else "response", body)

    def logs(self) -> str:
        result = subprocess.run(
            ["docker", "logs", self.container], capture_output=True, text=True, check=False
        )
        return result.stdout + result.stderr

    def init_durations(self) -> list[float]:
        """Each INIT REPORT's duration in ms: one per start of the runtime."""
        return [float(ms) for ms in re.findall(r"INIT REPORT\(durationMs: ([\d.]+)\)", self.logs())]

    def running(self) -> bool:
        result = subprocess.run(
            ["docker", "inspect", "--format", "{{.State.Running}}", self.container],
            capture_output=True,
            text=True,
            check=False,
        )
        return result.stdout.strip() == "true"

    def stop(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        subprocess.run(
            ["docker", "rm", "--force", self.container], capture_output=True, check=False
        )


def parameters(database_url: str, allowed_hosts: str = "") -> dict[str, str]:
    """template.yaml's parameters, as bin/deploy passes them."""
    return {
        "DjangoSecretKey": "image-tests-only-0123456789abcdefghijklmnopqrstuvwxyz0123",
        "DatabaseUrl": database_url,
        "DjangoAllowedHosts": allowed_hosts,
        "DjangoLogLevel": "INFO",
    }


@contextmanager
def web_function_with_admin(
    image: LambdaImage, allowed_hosts: str, password: str
) -> Iterator[Function]:
    """The web function on a fresh, migrated database with an account `admin`: `password`."""
    with fresh_database() as url:
        migrate_with_admin(image, url, password)
        with image.start("WebFunction", parameters(url, allowed_hosts)) as web:
            yield web


def migrate_with_admin(image: LambdaImage, url: str, password: str) -> None:
    """Migrates the database at `url` and adds an account `admin`: `password`."""
    env = {
        **image.environment("WebFunction", parameters(url)),
        "DJANGO_SUPERUSER_PASSWORD": password,
    }
    image.run("WebFunction", ["python", "manage.py", "migrate"], env)
    superuser = "createsuperuser --noinput --username admin --email admin@example.com"
    image.run("WebFunction", ["python", "manage.py", *superuser.split()], env)


def set_cookies(response: dict[str, Any]) -> dict[str, str]:
    """The cookies a Function URL response sets: name to value."""
    jar: SimpleCookie = SimpleCookie()
    for header in response["cookies"]:
        jar.load(header.strip())
    return {name: morsel.value for name, morsel in jar.items()}


def csrf_token(page: dict[str, Any]) -> str:
    """The CSRF token of the form in a page's body."""
    found = re.search(r'name="csrfmiddlewaretoken" value="(\w+)"', page["body"])
    assert found, page["body"]
    return found[1]


def generated_events(project: Path) -> ModuleType:
    """The generated project's own event factories (tests/events.py): one source of shapes."""
    spec = importlib.util.spec_from_file_location(
        "generated_events", project / "tests" / "events.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
