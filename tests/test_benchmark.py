"""The README's benchmark command still runs and reports every peer (its figures are not
judged here: speed is measured by the benchmark, not asserted in tests)."""

from __future__ import annotations

import subprocess
import sys

from tests.helpers import TEMPLATE_DIR

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


def test_benchmark_reports_every_peer() -> None:
    result = subprocess.run(
        [sys.executable, "benchmarks/run.py", "--cold-starts", "1", "--requests", "10"],
        cwd=TEMPLATE_DIR,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )

    assert result.returncode == 0, result.stderr[-3000:]
    rows = [line for line in result.stdout.splitlines() if line.startswith("| ")]
    cold = [row.split(" | ")[0].removeprefix("| ") for row in rows[: len(PEERS) + 1]]
    assert cold[1:] == PEERS, result.stdout
    warm = [row.split(" | ")[0].removeprefix("| ") for row in rows[len(PEERS) + 1 :]]
    cold_start_only = ("bare", "gunicorn", "trivial")
    assert warm[1:] == [peer for peer in PEERS if not peer.startswith(cold_start_only)]
