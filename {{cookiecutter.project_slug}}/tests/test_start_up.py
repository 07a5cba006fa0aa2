"""What config.web_function does at start-up to shorten a cold start, and for SnapStart."""

import gc
import os
import subprocess
import sys
from pathlib import Path

import config.web_function  # noqa: F401  (its import is the start-up)
from tests.environment import LAMBDA_ENVIRONMENT


def test_the_garbage_collector_runs_again_after_start_up() -> None:
    assert gc.isenabled()
    assert gc.get_freeze_count() > 0, "the objects set-up made are not frozen"


# The registered hooks, run as awslambdaric runs them: the before-snapshot ones (last
# registered first) at the end of init, the after-restore ones in each restored environment.
# Each restore starts from the snapshot's memory: here, random's state as it was then.
SNAPSHOT_AND_RESTORE = """
import random
from django.db import connection
import config.web_function
from snapshot_restore_py import get_after_restore, get_before_snapshot

connection.ensure_connection()  # as init code that queried the database would leave it
opened = connection.connection
for hook, args, kwargs in reversed(get_before_snapshot()):
    hook(*args, **kwargs)
print("closed before the snapshot:", connection.connection is None)
snapshot = random.getstate()
for _ in range(2):
    random.setstate(snapshot)
    for hook, args, kwargs in get_after_restore():
        hook(*args, **kwargs)
    connection.ensure_connection()
    print("reused:", connection.connection is opened, random.random())
"""


def test_restored_environments_share_no_connection_and_no_random_sequence(
    tmp_path: Path,
) -> None:
    """In a process of its own, on the Lambda settings (connections kept between requests) and
    a database file: Django never closes the tests' in-memory SQLite database."""
    env = {
        **os.environ,
        **LAMBDA_ENVIRONMENT,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # kept open, as on Lambda
        "DJANGO_SETTINGS_MODULE": "config.settings.aws_lambda",
    }

    result = subprocess.run(
        [sys.executable, "-c", SNAPSHOT_AND_RESTORE],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )

    closed, *restored = result.stdout.splitlines()
    assert closed == "closed before the snapshot: True"
    assert [line.split()[:2] for line in restored] == [["reused:", "False"]] * 2
    assert restored[0] != restored[1], "both environments drew the same random numbers"
