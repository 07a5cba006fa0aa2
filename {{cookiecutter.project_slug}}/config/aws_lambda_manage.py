"""Management commands on Lambda, for whoever may invoke the migrations function.

An invocation {"manage": ["showmigrations", "--plan"]} runs that command in-process and
returns {"command": [...], "exit_status": 0, "stdout": "...", "stderr": "..."}. A command that
fails raises CommandFailed, whose message is that same JSON object: the invocation reports
failure and bin/manage-remote still prints the output and exits with the command's status.

Only commands listed in the REMOTE_MANAGEMENT_COMMANDS setting run; anything else raises
CommandRefused. Commands never prompt (there is no terminal on Lambda); createsuperuser takes
its password from a DJANGO_SUPERUSER_PASSWORD passed in "environment", the only variables an
invocation may set. The migrations function has no Function URL: only a caller allowed
lambda:InvokeFunction on it gets here.
"""

from __future__ import annotations

import io
import json
import os
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.management import (
    CommandError,
    call_command,
    get_commands,
    load_command_class,
)

PASSABLE_VARIABLES = "DJANGO_SUPERUSER_"


class CommandRefused(Exception):
    """The command may not run on Lambda; nothing was run."""


class CommandFailed(Exception):
    """The command ran and failed. The message is the result as JSON."""


@contextmanager
def environment_variables(variables: dict[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def check_request(argv: object, environment: object) -> tuple[str, list[str]]:
    if not isinstance(argv, list) or not argv or not all(isinstance(part, str) for part in argv):
        raise CommandRefused('"manage" must be a list of strings: a command and its arguments.')
    allowed = settings.REMOTE_MANAGEMENT_COMMANDS
    name, *arguments = argv
    if name not in allowed:
        raise CommandRefused(
            f"{name!r} may not run remotely. REMOTE_MANAGEMENT_COMMANDS allows: "
            f"{', '.join(allowed)} (config/settings/aws_lambda.py)."
        )
    if name not in get_commands():
        raise CommandRefused(f"{name!r} is allowed but is not a management command here.")
    if not isinstance(environment, dict) or not all(
        isinstance(key, str) and key.startswith(PASSABLE_VARIABLES) and isinstance(value, str)
        for key, value in environment.items()
    ):
        raise CommandRefused(f'"environment" may only hold {PASSABLE_VARIABLES}* strings.')
    return name, arguments


def run_command(argv: object, environment: object = None) -> dict[str, Any]:
    name, arguments = check_request(argv, environment or {})
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("manage.py", name)
    never_prompt = (
        {"interactive": False} if "interactive" in {a.dest for a in parser._actions} else {}
    )
    stdout, stderr = io.StringIO(), io.StringIO()
    exit_status = 0
    with environment_variables(environment or {}):
        try:
            call_command(command, *arguments, stdout=stdout, stderr=stderr, **never_prompt)
        except CommandError as error:
            stderr.write(f"CommandError: {error}\n")
            exit_status = error.returncode
        except Exception:
            stderr.write(traceback.format_exc())
            exit_status = 1
    result = {
        "command": [name, *arguments],
        "exit_status": exit_status,
        "stdout": stdout.getvalue(),
        "stderr": stderr.getvalue(),
    }
    print(json.dumps(result))  # into the function's log, too
    if exit_status:
        raise CommandFailed(json.dumps(result))
    return result
