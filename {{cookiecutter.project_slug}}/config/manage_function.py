"""The manage function: migrations and management commands, in-process on Lambda.

Importing this module touches no database, so nothing runs in Lambda's 10-second init phase.
An invocation is {} (migrate), {"reset_database": "<database name>"} (drop every table, then
migrate) or {"manage": [command, *args], "environment": {"DJANGO_SUPERUSER_...": ...},
"confirm_database": "<database name>"}. The answer is {"command", "exit_status", "stdout",
"stderr"}, each cut to 1 MB (the log has all of it); a failure raises InvocationFailed with
that as its JSON message (exit_status 2 when nothing ran), which bin/manage-remote prints.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import traceback
from collections.abc import Callable
from contextlib import redirect_stderr, redirect_stdout
from typing import Any, TextIO

import django
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import OperationalError, close_old_connections, connection, transaction
from django.db.models.signals import pre_migrate

import config.database  # noqa: F401  (its receiver sets each connection's statement_timeout)
from {{ cookiecutter.project_slug }}.management.commands.migrate import migrations_lock

# `migrate` holds a session-level advisory lock, which a transaction pooler would take on one
# server connection and release (or not) on another: when DATABASE_URL goes through one,
# DATABASE_DIRECT_URL is the database itself. Set before django.setup() reads the settings.
if direct_url := os.environ.get("DATABASE_DIRECT_URL"):
    os.environ["DATABASE_URL"] = direct_url
django.setup()
# 540 s of the function's 600 (a web request has 20): a migration, or the wait for the
# migrations lock, ends with its error rather than at Lambda's timeout.
connection.settings_dict["STATEMENT_TIMEOUT"] = "540s"

Result = dict[str, Any]
NOTHING_RAN = 2  # the exit status of a refusal, as of a command line argparse refuses
COMMAND_KEYS = {"manage", "environment", "confirm_database"}
PASSABLE_VARIABLE = re.compile(r"DJANGO_SUPERUSER_[A-Z0-9_]+")
PART_LIMIT = 1_000_000  # JSON bytes per part: even escaped again, a Result fits in Lambda's 6 MB


class InvocationFailed(Exception):
    """The invocation failed; the message is its Result as JSON."""

    def __init__(self, result: Result) -> None:
        self.result = result
        super().__init__(json.dumps(result))


def result(command: list[str], exit_status: int, stdout: str = "", stderr: str = "") -> Result:
    if len(json.dumps(command)) > PART_LIMIT:
        command = [cut(" ".join(command))]
    return dict(command=command, exit_status=exit_status, stdout=cut(stdout), stderr=cut(stderr))


def cut(text: str) -> str:
    """`text`, or its start and end around a note of how much was cut from it."""
    if len(json.dumps(text)) <= PART_LIMIT:
        return text
    keep = PART_LIMIT // 2
    while len(json.dumps(text[:keep] + text[-keep:])) > PART_LIMIT - 100:
        keep = keep * 3 // 4
    return f"{text[:keep]}\n[{len(text) - 2 * keep:,} characters cut]\n{text[-keep:]}"


def refused(reason: str, command: list[str] | None = None) -> InvocationFailed:
    return InvocationFailed(result(command or [], NOTHING_RAN, stderr=f"{reason}\n"))


def handler(event: object, context: object) -> Result:
    # Django closes stale connections on request_started and request_finished, which this
    # function never sends: a connection that died while the execution environment was frozen
    # (a database restart, a failover) is replaced instead of failing every later invocation.
    close_old_connections()
    try:
        if event is None or event == {}:
            return result_of(["migrate"], lambda: call_command("migrate", interactive=False))
        if isinstance(event, dict) and event.keys() == {"reset_database"}:
            database = event["reset_database"]
            return result_of(["reset_database", str(database)], lambda: reset_and_migrate(database))
        if isinstance(event, dict) and "manage" in event and event.keys() <= COMMAND_KEYS:
            return manage(
                event["manage"], event.get("environment") or {}, event.get("confirm_database")
            )
        raise refused(
            'Expected {}, {"reset_database": "<database name>"} or {"manage": [...]}; '
            "this function runs migrations and management commands, not web requests."
        )
    finally:
        close_old_connections()


def unconfirmed(refusing: str, key: str) -> CommandError:
    return CommandError(
        f'Refusing to {refusing}: it destroys data, so "{key}" must be the database\'s name, '
        f"{connection.settings_dict['NAME']!r}. Nothing was changed.",
        returncode=NOTHING_RAN,
    )


def reset_and_migrate(confirmation: object) -> None:
    database = connection.settings_dict["NAME"]
    if confirmation != database:
        raise unconfirmed("reset the database", "reset_database")
    if connection.vendor != "postgresql":
        raise CommandError(
            "Resetting only knows Postgres. Nothing was changed.", returncode=NOTHING_RAN
        )
    # Under the lock, so that no other `migrate` runs between the drop and the migrations; in
    # one transaction, so that a failure between the two leaves the schema as it was.
    with migrations_lock("default", sys.stdout):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        print(f"Reset {database!r}: dropped every table.")
        call_command("migrate", interactive=False)


def manage(argv: object, environment: object, confirm_database: object) -> Result:
    if not isinstance(argv, list) or not argv or not all(isinstance(arg, str) for arg in argv):
        raise refused('"manage" must be a list of strings: a command and its arguments.')
    if argv[0] not in settings.REMOTE_MANAGEMENT_COMMANDS:
        allowed = ", ".join(settings.REMOTE_MANAGEMENT_COMMANDS)
        reason = f"REMOTE_MANAGEMENT_COMMANDS allows: {allowed} (config/settings/aws_lambda.py)."
        raise refused(f"{argv[0]!r} may not run remotely. {reason}", argv)
    if not isinstance(environment, dict) or not all(
        PASSABLE_VARIABLE.fullmatch(variable) and isinstance(value, str) and "\0" not in value
        for variable, value in environment.items()
    ):
        raise refused('"environment" may only set DJANGO_SUPERUSER_* to strings without NUL.', argv)
    saved = os.environ.copy()
    os.environ.update(environment)
    try:
        return result_of(argv, lambda: run_command(*argv, confirm_database=confirm_database))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def run_command(name: str, *arguments: str, confirm_database: object) -> None:
    command = ManagementUtility(["manage.py"]).fetch_command(name)
    options = vars(command.create_parser("manage.py", name).parse_args(arguments))
    if name == "createsuperuser" and "DJANGO_SUPERUSER_PASSWORD" in os.environ:
        check_password(os.environ["DJANGO_SUPERUSER_PASSWORD"], options)
    never_prompt = {"interactive": False} if "interactive" in options else {}

    def refuse_unapplying(plan: list[tuple[Any, bool]], **kwargs: Any) -> None:
        # migrate's own plan, sent before it changes anything: True marks a migration to undo.
        if any(backwards for _, backwards in plan):
            raise unconfirmed(f"run {name!r}", "confirm_database")

    if confirm_database != connection.settings_dict["NAME"]:
        if name in settings.DESTRUCTIVE_REMOTE_COMMANDS:
            raise unconfirmed(f"run {name!r}", "confirm_database")
        pre_migrate.connect(refuse_unapplying)
    try:
        call_command(command, *arguments, **never_prompt)
    finally:
        pre_migrate.disconnect(refuse_unapplying)


def check_password(password: str, options: dict[str, Any]) -> None:
    """createsuperuser --noinput skips AUTH_PASSWORD_VALIDATORS; here the password meets them."""
    user_model = get_user_model()
    # The user createsuperuser makes, as far as the validators compare the password with it.
    fields = [user_model.USERNAME_FIELD, *user_model.REQUIRED_FIELDS]
    values = {f: options[f] or os.environ.get(f"DJANGO_SUPERUSER_{f.upper()}") for f in fields}
    try:
        validate_password(password, user_model(**values))
    except ValidationError as error:
        reason = f"DJANGO_SUPERUSER_PASSWORD is refused: {' '.join(error.messages)}"
        raise CommandError(reason, returncode=NOTHING_RAN) from error


def result_of(command: list[str], action: Callable[[], object]) -> Result:
    """Run `action`, capturing what it prints: its Result, or InvocationFailed."""
    exit_status = 0
    # Commands write to sys.stdout and sys.stderr unless given other streams, as argparse does.
    # Each goes on to the function's log as it is written, which a timeout does not lose.
    stdout, stderr = Tee(sys.__stdout__), Tee(sys.__stderr__)
    with redirect_stdout(stdout), redirect_stderr(stderr):
        try:
            action()
        except CommandError as error:
            print(f"CommandError: {error}", file=sys.stderr)
            exit_status = error.returncode
        except SystemExit as exiting:  # argparse's after --help; Django's for an unknown command
            exit_status = exiting.code if isinstance(exiting.code, int) else int(bool(exiting.code))
        except Exception as error:
            exit_status = 1
            if isinstance(error, OperationalError) and connection.connection is None:
                print(
                    f"The database did not answer: {error}\nCheck DATABASE_URL and that the "
                    "function can reach the database; ?connect_timeout=N in DATABASE_URL sets "
                    "how many seconds to wait.",
                    file=sys.stderr,
                )
            else:
                print(f"{type(error).__name__}: {error}", file=sys.stderr)
                traceback.print_exc(file=sys.__stderr__)  # to the function's log
    answered = result(command, exit_status, stdout.getvalue(), stderr.getvalue())
    print(json.dumps(answered))  # to the function's log
    if exit_status:
        raise InvocationFailed(answered)
    return answered


class Tee(io.StringIO):
    """Keeps what is written to it, and writes it on to `log` at once."""

    def __init__(self, log: TextIO) -> None:
        super().__init__()
        self.log = log

    def write(self, text: str) -> int:
        self.log.write(text)
        self.log.flush()
        return super().write(text)
