"""STAND-INS for the base images the generated Dockerfiles name, built here under exactly
those tags because no container registry can be reached from these machines.

Each is made from Debian's packages (debootstrap for the Debian base, then apt), laid out
like the official image; the Dockerfiles beside this file say how each differs from it.
They are cached by tag: a tag whose recipe label matches is not built again. The images
made for arm64 carry an `-arm64` suffix (one tag holds one architecture here), and
`as_base()` lends such an image the real tag for one build.

    python -m tests.stand_ins [--arm64]   builds them ahead (.ci/run does)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROXY_CA_DIR = Path("/usr/local/share/ca-certificates")
ARCHES = {"x86_64": "amd64", "arm64": "arm64"}  # Lambda's names, Debian's names


@dataclass(frozen=True)
class StandIn:
    tag: str
    dockerfile: str
    build_args: tuple[tuple[str, str], ...]
    suite: str = "trixie"


# Every FROM a generated Dockerfile or compose file names. Python 3.12 is in no current
# Debian suite, so that answer has no stand-in (its image is not built here).
STAND_INS = {
    stand_in.tag: stand_in
    for stand_in in (
        StandIn("python:3.13-slim-trixie", "python.Dockerfile", (("PYTHON", "3.13"),)),
        # Debian 13 has no 3.14: forky's python3.14 (and the libraries it needs) on trixie.
        StandIn(
            "python:3.14-slim-trixie",
            "python.Dockerfile",
            (("PYTHON", "3.14"), ("PYTHON_SUITE", "forky")),
        ),
        StandIn("postgres:17", "postgres.Dockerfile", (("POSTGRES", "17"),)),
    )
}


def docker(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(["docker", *args], check=True, **kwargs)


def local_tag(tag: str, arch: str) -> str:
    return tag if arch == "x86_64" else f"{tag}-arm64"


def inspect(tag: str, template: str) -> str | None:
    """`docker image inspect --format template` of a local image, or None if there is none."""
    result = subprocess.run(
        ["docker", "image", "inspect", "--format", template, tag],
        capture_output=True,
        text=True,
        check=False,
    )
    return result.stdout.strip() if result.returncode == 0 else None


def label(tag: str) -> str | None:
    return inspect(tag, '{{index .Config.Labels "stand-in.recipe"}}')


def debian(suite: str, arch: str) -> str:
    """A minimal Debian root filesystem as the image debian:<suite>-slim (the official Python
    and Postgres images' base). Loaded as a one-layer image archive rather than imported:
    Docker 20.10's `import` records the host's architecture, whatever --platform says."""
    tag = local_tag(f"debian:{suite}-slim", arch)
    recipe = f"debootstrap --variant=minbase {suite} {arch}"
    with one_at_a_time(tag):
        if label(tag) != recipe:
            load_debian(suite, arch, tag, recipe)
    return tag


def load_debian(suite: str, arch: str, tag: str, recipe: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        root, archive = Path(work, "root"), Path(work, "archive")
        archive.mkdir()
        subprocess.run(
            ["debootstrap", "--variant=minbase", f"--arch={ARCHES[arch]}", suite, root],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        shutil.rmtree(root / "var/lib/apt/lists")
        subprocess.run(["tar", "-C", root, "-cf", archive / "layer.tar", "."], check=True)
        layer = hashlib.sha256((archive / "layer.tar").read_bytes()).hexdigest()
        config = {
            "architecture": ARCHES[arch],
            "os": "linux",
            "config": {"Cmd": ["bash"], "Labels": {"stand-in.recipe": recipe}},
            "rootfs": {"type": "layers", "diff_ids": [f"sha256:{layer}"]},
            # One entry per layer: without it `docker history` pairs each later layer's size
            # with the entry before it (the benchmark reports layer sizes from it).
            "history": [{"created_by": recipe}],
        }
        (archive / "config.json").write_text(json.dumps(config))
        manifest = [{"Config": "config.json", "RepoTags": [tag], "Layers": ["layer.tar"]}]
        (archive / "manifest.json").write_text(json.dumps(manifest))
        tar = subprocess.Popen(["tar", "-C", archive, "-c", "."], stdout=subprocess.PIPE)
        docker("load", stdin=tar.stdout, stdout=subprocess.DEVNULL)
        assert tar.wait() == 0


def ensure(tag: str, arch: str = "x86_64") -> str:
    """The stand-in for `tag`, built unless a current one is cached; its local tag."""
    with one_at_a_time(local_tag(tag, arch)):
        return _ensure(tag, arch)


@contextmanager
def one_at_a_time(tag: str) -> Iterator[None]:
    """One process at a time builds or lends a tag: .ci/run builds the arm64 stand-ins
    beside the suite, which may ask for them too."""
    name = re.sub(r"[^A-Za-z0-9.-]", "_", tag)
    with open(Path(tempfile.gettempdir(), f"stand-in-{name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _ensure(tag: str, arch: str) -> str:
    stand_in = STAND_INS[tag]
    dockerfile = (HERE / stand_in.dockerfile).read_text()
    base = debian(stand_in.suite, arch)
    recipe = hashlib.sha256(
        repr((dockerfile, stand_in.build_args, base, label(base))).encode()
    ).hexdigest()[:16]
    target = local_tag(tag, arch)
    if label(target) == recipe:
        return target
    with tempfile.TemporaryDirectory() as context:
        for path in HERE.iterdir():
            if path.is_file():
                shutil.copy2(path, context)
        shutil.copytree(PROXY_CA_DIR, Path(context, "ca-certificates"))
        args = [f"--build-arg=DEBIAN={base}"]
        args += [f"--build-arg={name}={value}" for name, value in stand_in.build_args]
        docker(
            "build",
            f"--platform=linux/{ARCHES[arch]}",
            f"--label=stand-in.recipe={recipe}",
            "--file",
            str(Path(context, stand_in.dockerfile)),
            "--tag",
            target,
            *args,
            context,
            stdout=subprocess.DEVNULL,
        )
    return target


@contextmanager
def as_base(tag: str, arch: str) -> Iterator[None]:
    """While the block runs, `tag` names the stand-in for `arch`, then the x86_64 one again."""
    with one_at_a_time(tag):
        # The id, not the tag: once lent, the tag names the other image.
        x86_64 = inspect(_ensure(tag, "x86_64"), "{{.Id}}")
        if arch == "x86_64":
            yield
            return
        docker("tag", ensure(tag, arch), tag)
        try:
            yield
        finally:
            docker("tag", x86_64, tag)


def main(argv: list[str]) -> None:
    arches = ["arm64"] if "--arm64" in argv else ["x86_64"]
    for arch in arches:
        for tag in STAND_INS:
            print(f"stand-in {local_tag(tag, arch)}", flush=True)
            ensure(tag, arch)
