"""The migrations function's handler.

The function's ENTRYPOINT, bin/lambda-migrate, migrates when Lambda starts the function and
then runs `python -m awslambdaric config.aws_lambda_migrations.handler`. What an invocation
can ask for:

- {}: the migrations. The first invocation answers with bin/lambda-migrate's run; later ones
  in the same execution environment (a second deploy within minutes) migrate again.
- {"reset_database": "<database name>"}: drop every table, then migrate. Any other value
  is refused and nothing changes.
- {"manage": ["command", "arg", ...]}: a management command; see config/aws_lambda_manage.py.

A failure is raised, so whoever invoked the function gets the output as the error. Anything
else, an HTTP event included, is refused: this function has no Function URL.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import django
from django.core.management import call_command

from config.aws_lambda_manage import run_command

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.aws_lambda")
django.setup()

# Lambda limits an error message; the end of migrate's output is the part that explains it.
MAX_ERROR_OUTPUT = 4000


class UnknownEvent(ValueError):
    """Not something this function does."""


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


def handler(event: dict[str, Any] | None, context: Any) -> dict[str, Any]:
    event = {} if event is None else event
    if not isinstance(event, dict) or not event.keys() <= {
        "reset_database",
        "manage",
        "environment",
    }:
        raise UnknownEvent(
            'Expected {}, {"reset_database": "<database name>"} or {"manage": [...]}; '
            "this function runs migrations and management commands, not web requests."
        )
    at_start = run_at_start()
    if "manage" in event:
        return run_command(event["manage"], event.get("environment"))
    reset = event.get("reset_database")
    if at_start is not None and reset is None:
        output, succeeded = at_start  # bin/lambda-migrate printed it already
        if not succeeded:
            raise MigrationFailed(output)
    else:
        output = migrate(reset=True, confirm=str(reset)) if reset is not None else migrate()
        print(output, end="")
    return {"status": "migrated", "output": output}
