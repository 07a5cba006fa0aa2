"""The cold start of the real images, and what they hold.

The generated project's image and the reference's (a bare `django-admin startproject` behind
apig-wsgi, benchmarks/startproject/) are built by `sam build`, as a user builds them, on the
stand-in base image. A cold start is a fresh container of one image, its web function under
AWS's Runtime Interface Emulator in Lambda's sandbox (tests/lambda_container.py: read-only
root, only /tmp writable, uid 993, the function's MemorySize as its memory limit), on
Postgres; it is invoked once with `GET /admin/login/`. The emulator's INIT REPORT is the init
duration Lambda reports; its INVOKE RTDONE is that first response's duration. The container's
CPU time from the invocation to its answer (its cgroup's accounting, where this machine shows
it) is the same work, less moved by other processes on the machine than the durations.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
import tomllib
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from tests import stand_ins
from tests.helpers import POSTGRES_URL, UV, run
from tests.lambda_container import (
    LambdaImage,
    generated_events,
    parameters,
    sam_build,
    without_stdlib_bytecode,
)

HERE = Path(__file__).resolve().parent
BASE = "python:3.13-slim-trixie"
PAGE = "/admin/login/"
# The startproject image's dependencies, at the generated project's pins.
STARTPROJECT_PACKAGES = {"django", "apig-wsgi", "awslambdaric"}
# Lines of benchmarks/startproject/Dockerfile that must be the generated Dockerfile's.
SHARED_LINES = ("FROM ", "RUN pip install ", "RUN python -m compileall ")
FIRST_RESPONSE = re.compile(
    r"INVOKE RTDONE\(status: \w+, produced bytes: \d+, duration: ([\d.]+)ms"
)

# Run in an image: what it holds.
COUNT_FILES = """
import json, os, sysconfig
def count(root, suffix=""):
    return sum(name.endswith(suffix) for _, _, names in os.walk(root) for name in names)
stdlib = sysconfig.get_path("stdlib")
print(json.dumps({
    "files under /app": count("/app"),
    ".pyc files under /app": count("/app", ".pyc"),
    ".pyc files in the standard library": count(stdlib, ".pyc"),
}))
"""


@dataclass
class Image:
    name: str
    image: LambdaImage
    init: list[float] = field(default_factory=list)  # ms, one per cold start
    first_response: list[float] = field(default_factory=list)  # ms
    cpu: list[float | None] = field(default_factory=list)  # ms, init and first response


def own_tag(project: Path) -> None:
    """`sam build` tags an image <function>:<DockerTag>: other builds of the same project (the
    test suite's) would move that tag to their image. A tag of this run's own, nothing else
    changed."""
    template = project / "template.yaml"
    tag = f"benchmark-{uuid.uuid4().hex[:12]}"
    text, count = re.subn(r"(?m)^(\s+DockerTag:) .*$", rf"\1 {tag}", template.read_text())
    assert count, "template.yaml names no DockerTag"
    template.write_text(text)


def build_generated(project: Path, sam: str) -> LambdaImage:
    own_tag(project)
    sam_build(project, sam)
    return LambdaImage(project, sam)


def build_startproject(project: Path, work: Path, sam: str, env: dict[str, str]) -> LambdaImage:
    """The reference image, from benchmarks/startproject/ and the generated project's pins."""
    dockerfile = (HERE / "startproject" / "Dockerfile").read_text()
    generated = (project / "Dockerfile").read_text().splitlines()
    for line in dockerfile.splitlines():
        if line.startswith(SHARED_LINES):
            assert line in generated, (
                f"benchmarks/startproject/Dockerfile: {line!r} is not in the generated "
                "Dockerfile: build the reference as the project is built"
            )
    context = work / "startproject"
    shutil.copytree(HERE / "startproject", context)
    shutil.copy(HERE / "handlers" / "stock_apig_wsgi.py", context)
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    pins = [
        requirement
        for requirement in pyproject["dependencies"]
        if re.match(r"[\w.-]+", requirement).group().lower() in STARTPROJECT_PACKAGES
    ]
    assert len(pins) == len(STARTPROJECT_PACKAGES), pins
    (context / "pyproject.toml").write_text(
        "[project]\n"
        'name = "bare"\n'
        'version = "0"\n'
        f"requires-python = {json.dumps(pyproject['requires-python'])}\n"
        f"dependencies = {json.dumps(pins)}\n"
        "\n[tool.uv]\npackage = false\n"
    )
    run([UV, "lock", "--quiet"], context, env)
    own_tag(context)
    sam_build(context, sam)
    return LambdaImage(context, sam)


def prepare(project: Path, work: Path, sam: str, env: dict[str, str]) -> list[Image]:
    """The three images, the shipped one first and the reference last."""
    stand_ins.ensure(BASE)
    generated = build_generated(project, sam)
    reference = build_startproject(project, work, sam, env)
    for setting in ("MemorySize", "Timeout", "Architectures"):
        assert reference.setting("WebFunction", setting) == generated.setting(
            "WebFunction", setting
        ), f"benchmarks/startproject/template.yaml: {setting} is not the generated web function's"
    return [
        Image("generated project, as shipped", generated),
        Image(
            "generated project, standard library without .pyc (before)",
            without_stdlib_bytecode(generated),
        ),
        Image("bare startproject + apig-wsgi", reference),
    ]


def remove(images: list[Image]) -> None:
    """The tags this run made (the layers stay in Docker's build cache)."""
    tags = {image.image.image("WebFunction") for image in images}
    subprocess.run(["docker", "image", "rm", *tags], capture_output=True, check=False)


class ColdStarts:
    def __init__(self, project: Path) -> None:
        events = generated_events(project)
        self.parameters = parameters(POSTGRES_URL, events.FUNCTION_URL_HOST)
        self.event = events.function_url_event(path=PAGE)

    def measure(self, image: Image) -> tuple[float, float, float | None]:
        """One cold start in a fresh container: the INIT and first response durations and the
        CPU time they took (ms)."""
        with image.image.start("WebFunction", self.parameters) as function:
            before = cpu_ms(function.container)
            result = function.invoke(self.event)
            after = cpu_ms(function.container)
            assert result.kind == "response" and result.body["statusCode"] == 200, (
                f"{image.name}: {result.body}\n{function.logs()[-3000:]}"
            )
            deadline = time.monotonic() + 10
            while not (found := FIRST_RESPONSE.findall(function.logs())):
                assert time.monotonic() < deadline, function.logs()[-3000:]
                time.sleep(0.05)
            (init,) = function.init_durations()
        cpu = None if before is None or after is None else after - before
        return init, float(found[0]), cpu

    def record(self, image: Image) -> None:
        init, first_response, cpu = self.measure(image)
        image.init.append(init)
        image.first_response.append(first_response)
        image.cpu.append(cpu)


def cpu_ms(container: str) -> float | None:
    """The CPU time a container has used so far, from its cgroup (v1, else v2); None where
    this machine does not show it (Docker in a VM)."""
    inspect = ["docker", "container", "inspect", "--format", "{{.Id}}", container]
    container_id = run(inspect, HERE).stdout.strip()
    v1 = Path(f"/sys/fs/cgroup/cpuacct/docker/{container_id}/cpuacct.usage")
    if v1.exists():
        return int(v1.read_text()) / 1e6
    for v2 in (
        Path(f"/sys/fs/cgroup/system.slice/docker-{container_id}.scope/cpu.stat"),
        Path(f"/sys/fs/cgroup/docker/{container_id}/cpu.stat"),
    ):
        if v2.exists():
            return int(re.search(r"usage_usec (\d+)", v2.read_text()).group(1)) / 1e3
    return None


def layers(tag: str) -> list[tuple[str, int]]:
    """(instruction, bytes) of each layer the image's Dockerfile adds to the base, in build
    order, metadata-only ones (ENV, CMD...) left out."""

    def history(image: str) -> list[tuple[str, int]]:
        result = run(
            [
                "docker",
                "history",
                "--no-trunc",
                "--human=false",
                "--format",
                "{{.Size}}\t{{.CreatedBy}}",
                image,
            ],
            HERE,
        )
        entries = [line.split("\t", 1) for line in result.stdout.splitlines()]
        return [(created_by, int(size)) for size, created_by in entries]

    image, base = history(tag), history(BASE)
    assert image[-len(base) :] == base, f"{tag} is not built on {BASE}"
    added = image[: -len(base)][::-1]
    return [(instruction(created_by), size) for created_by, size in added if size]


def instruction(created_by: str) -> str:
    """A history entry as the Dockerfile line it came from, shortened."""
    text = created_by.removesuffix(" # buildkit").strip()
    if "#(nop) " in text:
        text = text.split("#(nop) ", 1)[1].strip()
        text = re.sub(r"\b(dir|file):[0-9a-f]{64}", "…", text)
    else:
        text = "RUN " + text.removeprefix("/bin/sh -c ")
    return text if len(text) <= 44 else text[:43] + "…"


def image_size(tag: str) -> int:
    result = run(["docker", "image", "inspect", "--format", "{{.Size}}", tag], HERE)
    return int(result.stdout)


def facts(image: Image) -> dict[str, int]:
    """Sizes (bytes) of the image, its base and each layer it adds; the counts of its files."""
    tag = image.image.image("WebFunction")
    counted = image.image.run("WebFunction", ["python", "-c", COUNT_FILES], {})
    sizes = {"image": image_size(tag), f"base `{BASE}`": image_size(BASE)}
    for name, size in layers(tag):
        label = f"layer `{name}`"
        while label in sizes:  # the same instruction twice
            label += "'"
        sizes[label] = size
    return {**sizes, **json.loads(counted.stdout)}
