"""The manage function's handler.

The function is the web function's image with `config.manage_function.handler` as its
command (template.yaml). Importing this module sets up Django and touches no database: on a
cold start nothing happens before the runtime client asks for the first event, and the
migrations run inside the invocation, under the function's timeout rather than Lambda's
10-second init phase. What an invocation can ask for:

- {}: `migrate` (this project's, which holds a Postgres advisory lock).
- {"reset_database": "<database name>"}: drop every table, then migrate. Any other value
  is refused and nothing changes.
- {"manage": ["command", "arg", ...], "environment": {...}, "confirm_database": "<name>"}:
  a management command; see config/remote_commands.py.

Each answers with a Result, {"command": [...], "exit_status": 0, "stdout": "...", "stderr":
"..."}; every failure raises InvocationFailed, whose message is the same object as JSON.
Anything else, an HTTP event included, is refused: this function has no Function URL.

bin/lambda-migrate runs the same migrations by hand.
"""

from __future__ import annotations

import io
import os
from typing import Any

import django
from django.core.management import CommandError, call_command
from django.core.management.base import OutputWrapper
from django.db import close_old_connections, connection

from config.remote_commands import NOTHING_RAN, Result, refused, run, run_command

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.aws_lambda")
# `migrate` holds a session-level advisory lock, which a transaction pooler would take on one
# server connection and release (or not) on another: when DATABASE_URL goes through one,
# DATABASE_DIRECT_URL is the database itself, and everything this function runs uses it.
if direct_url := os.environ.get("DATABASE_DIRECT_URL"):
    os.environ["DATABASE_URL"] = direct_url
django.setup()

from {{ cookiecutter.project_slug }}.management.commands.migrate import (  # noqa: E402
    migrations_lock,
)

EVENTS = (
    'Expected {}, {"reset_database": "<database name>"} or {"manage": [...]}; '
    "this function runs migrations and management commands, not web requests."
)
COMMAND_KEYS = {"manage", "environment", "confirm_database"}


def migrate(stdout: io.StringIO, stderr: io.StringIO) -> None:
    call_command("migrate", interactive=False, stdout=stdout, stderr=stderr)


def reset_and_migrate(confirmation: object) -> Result:
    def action(stdout: io.StringIO, stderr: io.StringIO) -> None:
        database = connection.settings_dict["NAME"]
        if confirmation != database:
            raise CommandError(
                f'Refusing to reset the database: "reset_database" must be its name, '
                f"{database!r}. Nothing was changed.",
                returncode=NOTHING_RAN,
            )
        if connection.vendor != "postgresql":
            raise CommandError(
                "Resetting only knows Postgres. Nothing was changed.", returncode=NOTHING_RAN
            )
        with migrations_lock("default", OutputWrapper(stdout)):
            with connection.cursor() as cursor:
                cursor.execute("DROP SCHEMA public CASCADE")
                cursor.execute("CREATE SCHEMA public")
            stdout.write(f"Reset {database!r}: dropped every table.\n")
            migrate(stdout, stderr)

    return run(["reset_database", str(confirmation)], action)


def answer(event: dict[str, Any]) -> Result:
    if not event:
        return run(["migrate"], migrate)
    if event.keys() == {"reset_database"}:
        return reset_and_migrate(event["reset_database"])
    if "manage" in event and event.keys() <= COMMAND_KEYS:
        return run_command(event["manage"], event.get("environment"), event.get("confirm_database"))
    if "reset_database" in event:
        raise refused([], 'A reset runs on its own: send {"reset_database": ...} alone.')
    raise refused([], EVENTS)


def handler(event: object, context: Any) -> Result:
    event = {} if event is None else event
    if not isinstance(event, dict):
        raise refused([], EVENTS)
    # Like Django's request_started/finished signals, which this function never sends: a
    # connection that died while the environment was frozen (a database restart, a
    # failover) is replaced instead of failing every later invocation.
    close_old_connections()
    try:
        return answer(event)
    finally:
        close_old_connections()
