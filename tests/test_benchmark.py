"""The README's benchmark command still runs and reports the real image beside the bare
`startproject` one, every in-process peer and SnapStart's restore path (its figures are not
judged here: speed is measured by the benchmark, not asserted in tests)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from tests.aws_clients import sam_cli
from tests.helpers import TEMPLATE_DIR, postgres_url
from tests.lambda_container import docker_available

IMAGES = [
    "generated project, as shipped",
    "generated project, standard library without .pyc (before)",
    "bare startproject + apig-wsgi",
]
FACTS = [
    "image",
    "base `python:3.13-slim-trixie`",
    ".pyc files in the standard library",
]
PEERS = [
    "generated project",
    "bare startproject + apig-wsgi",
    "startproject + this app + apig-wsgi",
    "serverless-wsgi",
    "Mangum (Django's ASGI app)",
    "Zappa's handler",
    "gunicorn boot to first response",
    "trivial handler (the floor)",
]
COLD_START_ONLY = ("bare", "gunicorn", "trivial")


def tables(output: str) -> list[list[list[str]]]:
    """Each Markdown table's rows below its header row, as lists of cells."""
    found: list[list[list[str]]] = []
    previous = ""
    for line in output.splitlines():
        if line.startswith("|"):
            if not previous.startswith("|"):
                found.append([])
            cells = [cell.strip() for cell in line.strip().strip("|").split(" | ")]
            found[-1].append(cells)
        previous = line
    return [table[2:] for table in found]


def test_benchmark_reports_the_image_and_every_peer() -> None:
    docker_available()
    postgres_url("postgres")
    sam = sam_cli()

    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--cold-starts", "1", "--requests", "10"],
        cwd=TEMPLATE_DIR,
        env={**os.environ, "SAM_CLI": sam},
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    cold_image, image_facts, cold, restore, warm = tables(result.stdout)
    assert [row[0] for row in cold_image] == IMAGES, result.stdout
    for row in cold_image:
        assert re.fullmatch(r"\d+ \(\d+-\d+\)", row[1]), row  # INIT: median (min-max)
        assert all(cell == "-" or float(cell) > 0 for cell in row[2:]), row
    facts = {row[0]: row[1:] for row in image_facts}
    assert set(FACTS) <= facts.keys(), result.stdout
    assert any(name.startswith("layer `COPY") for name in facts), result.stdout
    assert all(len(cells) == 2 for cells in facts.values()), result.stdout
    assert all(int(n.replace(",", "")) > 100 for n in facts[".pyc files in the standard library"])
    assert [row[0] for row in cold] == PEERS, result.stdout
    # SnapStart's restore path beside the full cold start: times and their ratio.
    assert [row[0] for row in restore] == ["generated project"], result.stdout
    assert all(float(cell) > 0 for cell in restore[0][1:]), restore
    assert [row[0] for row in warm] == [
        peer for peer in PEERS if not peer.startswith(COLD_START_ONLY)
    ]
