"""The migrations function's handler.

The function's ENTRYPOINT, bin/lambda-migrate, migrates when Lambda starts the function and
then runs `python -m awslambdaric config.aws_lambda_migrations.handler`. The first invocation
answers with that run's outcome; later invocations in the same execution environment (a
second deploy within minutes) migrate again. An invocation with
{"reset_database": "<database name>"} drops every table first; any other value is refused.
A failure is raised, so whoever invoked the function gets migrate's output as the error.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import django
from django.core.management import call_command

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.aws_lambda")
django.setup()

# Lambda limits an error message; the end of migrate's output is the part that explains it.
MAX_ERROR_OUTPUT = 4000


class MigrationFailed(Exception):
    """The migrations failed. The message is their output, traceback shortened."""

    def __init__(self, output: str) -> None:
        super().__init__(without_traceback_frames(output)[-MAX_ERROR_OUTPUT:])


def without_traceback_frames(output: str) -> str:
    """Keep what migrate printed and the exception; drop the frames between."""
    printed, marker, traceback = output.partition("Traceback (most recent call last):\n")
    if not marker:
        return output
    lines = traceback.splitlines(keepends=True)
    frames = [index for index, line in enumerate(lines) if line.startswith("  File ")]
    rest = lines[frames[-1] + 1 :] if frames else lines
    while rest and rest[0].startswith("    "):  # the last frame's source line and markers
        rest = rest[1:]
    return printed + "".join(rest)


def migrate(**options: Any) -> str:
    output = io.StringIO()
    try:
        call_command("migrate_with_lock", stdout=output, stderr=output, **options)
    except Exception as error:
        output.write(f"{type(error).__name__}: {error}\n")
        raise MigrationFailed(output.getvalue()) from error
    return output.getvalue()


def run_at_start() -> tuple[str, bool] | None:
    """Output and success of bin/lambda-migrate's run, once; None afterwards."""
    output_file = os.environ.pop("MIGRATE_OUTPUT", "")
    if not output_file:
        return None
    succeeded = os.environ.pop("MIGRATE_EXIT_STATUS", "1") == "0"
    return Path(output_file).read_text(), succeeded


def handler(event: dict[str, Any] | None, context: Any) -> dict[str, str]:
    reset = (event or {}).get("reset_database")
    at_start = run_at_start()
    if at_start is not None and reset is None:
        output, succeeded = at_start  # bin/lambda-migrate printed it already
        if not succeeded:
            raise MigrationFailed(output)
    else:
        output = migrate(reset=True, confirm=str(reset)) if reset is not None else migrate()
        print(output, end="")
    return {"status": "migrated", "output": output}
