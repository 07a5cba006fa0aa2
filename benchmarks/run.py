"""Cold start of the real image, and cold start, warm latency and memory beside the peers, in
one run.

    uv run python benchmarks/run.py                  # prints the tables (10-20 minutes)
    uv run python benchmarks/run.py --write-readme   # and puts them in benchmarks/README.md

It needs Docker, the SAM CLI the tests pin ($SAM_CLI, else `sam` on PATH) and Postgres at
$TEST_POSTGRES_URL (or 127.0.0.1:5432); the stand-in base image is built if missing.

The image (benchmarks/images.py): the generated project (x86_64) built by `sam build`, its web
function's INIT under AWS's Runtime Interface Emulator in Lambda's sandbox, a fresh container
for each cold start; beside it the same image with the standard library's bytecode deleted
(as the official base image ships it) and a bare `django-admin startproject` image built the
same way (benchmarks/startproject/).

In-process (benchmarks/in_process.py): every peer serves the generated project's app through
the real awslambdaric and a local Runtime API, in a virtualenv on this machine's Python;
gunicorn is timed from spawn to its first HTTP response instead (the Lambda Web Adapter
model). Two references, apig-wsgi's handler around a `django-admin startproject` project on
SQLite with DEBUG off: the bare one (its `/` is Django's 404 page, so it is compared on
`/admin/login/`), and the like-for-like one, with the generated app added so that it serves
the same `/`. The generated project and the other peers run the generated settings with a
Postgres DATABASE_URL, as deployed. Cold starts are timed with bytecode compiled, and with
none (PYTHONPYCACHEPREFIX at an empty directory plus PYTHONDONTWRITEBYTECODE: every import,
the standard library's too, compiles in memory).

SnapStart's restore path (in-process too): the generated project started as Lambda starts it
to take a snapshot, the local Runtime API holding its /restore/next; from the answer, the
after-restore hooks and the first response, beside the same project's full cold start.

Cold starts are interleaved: every round starts each image once (or each peer once, for one
kind of cold start), in an order that flips every round; a ratio is the median of the
per-round ratios.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.images import BASE, PAGE, ColdStarts, Image, facts, remove  # noqa: E402
from benchmarks.images import prepare as prepare_images  # noqa: E402
from benchmarks.in_process import BARE, GENERATED, LIKE_FOR_LIKE, Bench, Peer, peers  # noqa: E402
from tests.aws_clients import sam_cli  # noqa: E402
from tests.helpers import bake, find_python, postgres_url, project_env  # noqa: E402
from tests.lambda_container import docker_available  # noqa: E402

PATHS = ["/", "/admin/login/"]
README_START = "<!-- benchmark:start -->"
README_END = "<!-- benchmark:end -->"
STARTED = time.monotonic()
SHIPPED, BEFORE, REFERENCE = range(3)  # the images, in images.prepare()'s order


def check_requirements() -> str:
    """The SAM CLI's path; exits if it, Docker or Postgres is missing (the tests' checks)."""
    try:
        docker_available()
        postgres_url("postgres")
        return sam_cli()
    except (pytest.skip.Exception, pytest.fail.Exception) as missing:
        sys.exit(f"benchmarks/run.py: {missing.msg}")


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """What this process and its children write to stdout goes to stderr: stdout is the
    tables'."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def progress(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:4.0f} s] {message}", file=sys.stderr, flush=True)


def machine() -> str:
    model = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        model = found.group(1).strip() if found else model
    return f"{model}, {os.cpu_count()} cores, Linux {platform.release()}, Python 3.13"


def paired(numerators: Sequence[float], denominators: Sequence[float]) -> float:
    """Median of the per-round ratios: a round's pair ran seconds apart, so it shares the
    machine's state of the moment."""
    return statistics.median(a / b for a, b in zip(numerators, denominators, strict=True))


def ratio(peer: Peer, reference: Peer, key: str) -> float:
    return paired(peer.cold[key], reference.cold[key])


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


def image_tables(
    images: list[Image], facts_by_image: dict[int, dict[str, int]], rounds: int
) -> list[str]:
    shipped, reference = images[SHIPPED], images[REFERENCE]
    memory = shipped.image.setting("WebFunction", "MemorySize")
    lines = [
        f"**Cold start of the image**: each image built by `sam build` (x86_64, on the stand-in "
        f"`{BASE}`: Debian's CPython, see tests/stand_ins), its web function started in a fresh "
        "container under AWS's Runtime Interface Emulator in Lambda's sandbox (read-only root, "
        f"uid 993, its {memory} MB as memory limit, no CPU limit), on Postgres, and invoked once "
        f"with `GET {PAGE}`. INIT is the emulator's INIT REPORT, the init duration Lambda "
        f"reports; the first response is that invocation's duration after it; CPU is the "
        "container's CPU time for both (its cgroup's), less moved than durations by other "
        f"work on the machine. {rounds} cold starts of each image, interleaved, median "
        "(min-max) in ms; the ratios are medians of the per-round ratios:",
        "",
        "| | INIT | first response | CPU | INIT vs bare | CPU vs bare | INIT vs as shipped "
        "| CPU vs as shipped |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    cpu_shown = all(cpu is not None for image in images for cpu in image.cpu)
    for image in images:
        cells = [
            f"{statistics.median(image.init):.0f} ({min(image.init):.0f}-{max(image.init):.0f})",
            f"{statistics.median(image.first_response):.0f}",
            f"{statistics.median(image.cpu):.0f}" if cpu_shown else "-",
            f"{paired(image.init, reference.init):.2f}",
            f"{paired(image.cpu, reference.cpu):.2f}" if cpu_shown else "-",
            f"{paired(image.init, shipped.init):.2f}",
            f"{paired(image.cpu, shipped.cpu):.2f}" if cpu_shown else "-",
        ]
        lines.append(f"| {image.name} | {' | '.join(cells)} |")
    shown = list(facts_by_image)
    lines += [
        "",
        "**The images**: sizes from `docker image inspect` and, for each layer the Dockerfile "
        "adds to the base, `docker history` (metadata-only layers left out); files counted in "
        "the image:",
        "",
        f"| | {' | '.join(images[index].name for index in shown)} |",
        "|---|" + "---:|" * len(shown),
    ]
    rows = list(dict.fromkeys(row for index in shown for row in facts_by_image[index]))
    for row in rows:
        cells = []
        for index in shown:
            value = facts_by_image[index].get(row)
            if value is None:
                cells.append("-")
            elif row.startswith(("image", "base", "layer")):
                cells.append(megabytes(value))
            else:
                cells.append(f"{value:,}")
        label = row.replace("|", "\\|")
        lines.append(f"| {label} | {' | '.join(cells)} |")
    return lines


def in_process_tables(measured: list[Peer], cold_starts: int, requests: int) -> list[str]:
    bare = next(peer for peer in measured if peer.name == BARE)
    like = next(peer for peer in measured if peer.name == LIKE_FOR_LIKE)
    lines = [
        "**In-process cold start**, beside the peers: a virtualenv of the generated project on "
        "this machine's Python (its standard library compiled), not the image; process spawn "
        f"to first response, median of {cold_starts} (ms). The ratios, with bytecode compiled, "
        "are medians of the per-round ratios: to the bare `startproject` on `/admin/login/` "
        "(its `/` is a 404 page), and to the like-for-like `startproject` with this app on "
        "`/`. No .pyc: nothing compiled, the standard library included:",
        "",
        "| | `/` compiled | `/admin/login/` compiled | `/` no .pyc | `/admin/login/` no .pyc "
        "| vs bare | vs like for like |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for peer in measured:
        cells = [
            f"{statistics.median(peer.cold[f'{path} {mode}']) * 1000:.0f}"
            for mode in ("compiled", "no-pyc")
            for path in PATHS
        ]
        cells.append(f"{ratio(peer, bare, '/admin/login/ compiled'):.2f}")
        cells.append(f"{ratio(peer, like, '/ compiled'):.2f}")
        lines.append(f"| {peer.name} | {' | '.join(cells)} |")
    generated = next(peer for peer in measured if peer.name == GENERATED)
    restores, starts = generated.cold["after restore"], generated.cold["cold start, paired"]
    lines += [
        "",
        "**SnapStart's restore path**, in-process: what a restore leaves to do, against a full "
        "cold start. The generated project started with "
        "`AWS_LAMBDA_INITIALIZATION_TYPE=snap-start`, as Lambda starts it to take a snapshot: "
        "awslambdaric runs the before-snapshot hooks at the end of init and asks the Runtime "
        "API for `/restore/next`; answered, it runs the after-restore hooks and serves the "
        "first `GET /` (timed from the answer to the response). Beside it, the same project's "
        f"spawn to first response. {len(restores)} interleaved pairs, median (ms); the ratio is "
        "the median of the per-pair ratios. Lambda's own restore of the snapshot (loading its "
        "memory) cannot run here and is not in it:",
        "",
        "| | after restore | full cold start | ratio |",
        "|---|---:|---:|---:|",
        f"| {generated.name} | {statistics.median(restores) * 1000:.1f} | "
        f"{statistics.median(starts) * 1000:.0f} | {paired(restores, starts):.3f} |",
    ]
    lines += [
        "",
        f"**Warm**, in-process, `GET /` through the runtime client, median of {requests} after "
        "50 (ms), and peak RSS after them; adapter overhead is the handler's median minus the "
        "bare WSGI app's on the same request:",
        "",
        "| | latency | requests/s | adapter overhead | peak RSS |",
        "|---|---:|---:|---:|---:|",
    ]
    for peer in measured:
        if not peer.warm:
            continue
        warm = peer.warm
        lines.append(
            f"| {peer.name} | {warm['latency'] * 1000:.2f} ms | {warm['rps']:.0f} | "
            f"{warm['overhead'] * 1000:+.3f} ms | {warm['peak_rss_mb']:.0f} MB |"
        )
    return lines


def report(
    images: list[Image],
    facts_by_image: dict[int, dict[str, int]],
    measured: list[Peer],
    args: argparse.Namespace,
) -> str:
    lines = [
        f"Measured {date.today().isoformat()} on {machine()}, in one run of "
        "`uv run python benchmarks/run.py`.",
        "",
        *image_tables(images, facts_by_image, args.image_cold_starts),
        "",
        *in_process_tables(measured, args.cold_starts, args.requests),
    ]
    return "\n".join(lines)


def image_cold_starts(images: list[Image], starts: ColdStarts, rounds: int) -> None:
    """Each image's cold start once a round, back to back, so that the runs a ratio pairs are
    seconds apart; the order flips each round so that none always goes first, and the shipped
    image and the reference are always next to each other."""
    order = [images[SHIPPED], images[REFERENCE], images[BEFORE]]
    for image in order:  # untimed: each image works, and its files are in the page cache
        starts.measure(image)
    for round_number in range(rounds):
        progress(f"Image cold starts, round {round_number + 1}/{rounds}")
        for image in order[::-1] if round_number % 2 else order:
            starts.record(image)


def in_process_cold_starts(bench: Bench, measured: list[Peer], rounds: int) -> None:
    """Every peer's cold start of one kind once a round, back to back, in an order that flips
    each round."""
    for round_number in range(rounds):
        progress(f"In-process cold starts, round {round_number + 1}/{rounds}")
        for compiled in (True, False):
            for path in PATHS:
                key = f"{path} {'compiled' if compiled else 'no-pyc'}"
                for peer in measured[::-1] if round_number % 2 else measured:
                    seconds = bench.cold_start(peer, path, compiled)
                    peer.cold.setdefault(key, []).append(seconds)


def snapstart_restores(bench: Bench, generated: Peer, rounds: int) -> None:
    """The generated project's restore path beside its full cold start, a pair each round, in
    an order that flips each round."""
    measures = {
        "after restore": lambda: bench.after_restore(generated, "/"),
        "cold start, paired": lambda: bench.cold_start(generated, "/", compiled=True),
    }
    for round_number in range(rounds):
        progress(f"SnapStart's restore path, round {round_number + 1}/{rounds}")
        for key in sorted(measures, reverse=bool(round_number % 2)):
            generated.cold.setdefault(key, []).append(measures[key]())


def measure(work: Path, args: argparse.Namespace) -> str:
    sam = check_requirements()
    with stdout_to_stderr():  # the post-generation hook's next steps
        project = bake(work, architecture="x86_64")
    env = project_env(find_python("3.13"))
    progress("Building the images with sam build")
    images = prepare_images(project, work, sam, env)
    try:
        facts_by_image = {index: facts(images[index]) for index in (SHIPPED, REFERENCE)}
        image_cold_starts(images, ColdStarts(project), args.image_cold_starts)
        progress("Building the virtualenv and the peers")
        bench = Bench(project, images[SHIPPED].image, env)
        bench.prepare()
    finally:
        remove(images)
    measured = peers()
    in_process_cold_starts(bench, measured, args.cold_starts)
    snapstart_restores(bench, next(p for p in measured if p.name == GENERATED), args.cold_starts)
    for peer in measured:
        if peer.handler and "trivial" not in peer.name and peer.home_status == 200:
            progress(f"Warm: {peer.name}")
            peer.warm = bench.warm(peer, args.requests)
    return report(images, facts_by_image, measured, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cold-starts", type=int, default=10, help="in-process, of each peer")
    parser.add_argument(
        "--image-cold-starts",
        type=int,
        help="of each image (they are cheaper and noisier); three times --cold-starts unless set",
    )
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--write-readme", action="store_true")
    args = parser.parse_args()
    if args.image_cold_starts is None:
        args.image_cold_starts = 3 * args.cold_starts

    with tempfile.TemporaryDirectory(prefix="benchmark-") as work:
        tables = measure(Path(work), args)
    print(tables)
    if args.write_readme:
        readme = REPO / "benchmarks" / "README.md"
        text = readme.read_text()
        start, end = text.index(README_START), text.index(README_END)
        readme.write_text(text[: start + len(README_START)] + "\n" + tables + "\n" + text[end:])


if __name__ == "__main__":
    main()
